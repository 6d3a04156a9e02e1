package org.maskprop.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.maskprop.InputException;

/**
 * YAML trees checked against a tree of config records: merging a file over a base, {@code --set
 * a.b=c} overrides, and conversion to the records. Every key must name a record component; a key
 * that does not, or a path that runs through a leaf value, is an error naming the source and the
 * path (detectron2's {@code safe_update} rule).
 */
public final class ConfigTree {
  static final ObjectMapper YAML =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private ConfigTree() {}

  /** The record as a YAML-shaped tree. */
  public static ObjectNode toTree(Record config) {
    return YAML.valueToTree(config);
  }

  /** Reads a YAML file as a tree (an empty file is an empty mapping). */
  public static ObjectNode readYaml(Path file) {
    try {
      JsonNode node = YAML.readTree(Files.readString(file));
      if (node == null || node.isMissingNode() || node.isNull()) {
        return YAML.createObjectNode();
      }
      if (!node.isObject()) {
        throw new InputException(file + ": expected a mapping at the top level");
      }
      return (ObjectNode) node;
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": no such config file");
    } catch (IOException e) {
      throw new InputException(file + ": not valid YAML: " + firstLine(e.getMessage()));
    }
  }

  /**
   * Merges {@code overlay} into {@code base} (in place) after checking every key of the overlay
   * against the record type {@code type}. {@code source} names the overlay in error messages.
   */
  public static void merge(ObjectNode base, JsonNode overlay, Class<?> type, String source, String prefix) {
    Iterator<Map.Entry<String, JsonNode>> it = overlay.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      RecordComponent rc = component(type, e.getKey(), source, path);
      JsonNode value = e.getValue();
      if (rc.getType().isRecord()) {
        if (!value.isObject()) {
          throw new InputException(
              source + ": config key '" + path + "' is a section (keys: " + keys(rc.getType())
                  + "), not a value");
        }
        JsonNode sub = base.get(e.getKey());
        ObjectNode target = sub != null && sub.isObject() ? (ObjectNode) sub : base.putObject(e.getKey());
        merge(target, value, rc.getType(), source, path);
      } else if (value.isObject() && value.size() > 0) {
        String deeper = path + "." + value.fieldNames().next();
        throw new InputException(
            source + ": config key '" + deeper + "' runs through the value '" + path + "', not a section");
      } else {
        base.set(e.getKey(), value);
      }
    }
  }

  /** Applies one {@code a.b.c=value} override; the value is parsed as YAML (numbers, lists, ...). */
  public static void set(ObjectNode base, String assignment, Class<?> type) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new InputException("--set " + assignment + ": expected key=value");
    }
    String path = assignment.substring(0, eq).trim();
    String raw = assignment.substring(eq + 1).trim();
    JsonNode value;
    try {
      value = raw.isEmpty() ? YAML.getNodeFactory().textNode("") : YAML.readTree(raw);
    } catch (IOException e) {
      throw new InputException("--set " + path + ": value '" + raw + "' is not valid YAML");
    }
    ObjectNode overlay = YAML.createObjectNode();
    ObjectNode cur = overlay;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      cur = cur.putObject(parts[i]);
    }
    cur.set(parts[parts.length - 1], value);
    merge(base, overlay, type, "--set " + path, "");
  }

  /** Converts a checked tree to its record; type errors name the source and the path. */
  public static <T> T convert(ObjectNode tree, Class<T> type, String source) {
    try {
      return YAML.treeToValue(tree, type);
    } catch (MismatchedInputException e) {
      String path =
          e.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."))
              .replace(".[", "[");
      throw new InputException(source + ": config key '" + path + "': " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new InputException(source + ": " + firstLine(e.getMessage()));
    } catch (IllegalArgumentException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new InputException(source + ": " + firstLine(root.getMessage()));
    }
  }

  /** The tree as YAML text (keys sorted: stable output for the run record and the config hash). */
  public static String toYaml(Record config) {
    try {
      return YAML.writeValueAsString(YAML.treeToValue(toTree(config), Object.class));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RecordComponent component(Class<?> type, String key, String source, String path) {
    if (!type.isRecord()) {
      throw new InputException(source + ": config key '" + path + "' runs through a value, not a section");
    }
    for (RecordComponent rc : type.getRecordComponents()) {
      if (rc.getName().equals(key)) {
        return rc;
      }
    }
    throw new InputException(
        source + ": unknown config key '" + path + "' (known here: " + keys(type) + ")");
  }

  private static String keys(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (RecordComponent rc : type.getRecordComponents()) {
      names.add(rc.getName());
    }
    return String.join(", ", names);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
