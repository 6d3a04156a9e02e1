package org.maskprop.dataprep.ytvis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;
import org.maskprop.util.AtomicFiles;

/**
 * {@code <out>/splits.yaml}: which JSON and which image root make up each split that
 * {@code maskprop prepare} wrote (DESIGN.md section 5: a split JSON's {@code file_names} resolve
 * against an image root given with it). The split JSONs stay exactly in the official YouTube-VIS
 * format, so official tools read them unchanged; the image root lives here instead of in an extra
 * JSON field.
 *
 * <pre>
 * format: maskprop-splits/1
 * createdBy: maskprop prepare ytvis
 * source: {root: /data/ytvis2019, version: "2019", seed: "0", ...}   # free-form facts
 * note: ...
 * splits:
 *   train: {json: train.json, imageRoot: /data/ytvis2019/train/JPEGImages, groundTruth: true, videos: 1970, annotations: 3340}
 *   valid: {json: valid.json, imageRoot: /data/ytvis2019/train/JPEGImages, groundTruth: true, ...}
 * official:    # downloaded splits without GT (server evaluation only); may be absent
 *   valid: {json: /data/ytvis2019/valid.json, imageRoot: /data/ytvis2019/valid/JPEGImages, ...}
 * </pre>
 *
 * <p>Relative paths resolve against the manifest's folder; {@code prepare} writes split JSONs
 * relative and image roots absolute.
 */
public record SplitManifest(
    String createdBy, Map<String, String> source, String note, List<Entry> splits,
    List<Entry> official) {

  public static final String FILE = "splits.yaml";
  static final String FORMAT = "maskprop-splits/1";

  private static final ObjectMapper YAML = new ObjectMapper(
      new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).disable(YAMLGenerator.Feature.SPLIT_LINES));

  public SplitManifest {
    source = new LinkedHashMap<>(source);
    splits = List.copyOf(splits);
    official = List.copyOf(official);
  }

  /** One split: its JSON, the folder its {@code file_names} resolve against, and its size. */
  public record Entry(
      String name, Path json, Path imageRoot, boolean groundTruth, int videos, int annotations) {

    /** An entry describing {@code d}. */
    public static Entry of(String name, Path json, Path imageRoot, YtvisDataset d) {
      return new Entry(name, json, imageRoot, !d.annotations().isEmpty(), d.videos().size(),
          d.annotations().size());
    }
  }

  /** The entry of a local split, or null. */
  public Entry split(String name) {
    return splits.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
  }

  /** Writes {@code dir/splits.yaml} atomically (same content, same bytes). */
  public void write(Path dir) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format", FORMAT);
    root.put("createdBy", createdBy);
    root.put("source", source);
    root.put("note", note);
    root.put("splits", entries(splits));
    if (!official.isEmpty()) {
      root.put("official", entries(official));
    }
    try {
      AtomicFiles.writeBytes(dir.resolve(FILE), YAML.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise " + FILE, e);
    }
  }

  private static Map<String, Object> entries(List<Entry> es) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Entry e : es) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("json", e.json().toString());
      x.put("imageRoot", e.imageRoot().toString());
      x.put("groundTruth", e.groundTruth());
      x.put("videos", e.videos());
      x.put("annotations", e.annotations());
      m.put(e.name(), x);
    }
    return m;
  }

  /**
   * Reads {@code file} ({@code <dir>/splits.yaml}); relative paths come back resolved against its
   * folder.
   */
  public static SplitManifest read(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": file not found");
    } catch (IOException e) {
      throw new InputException(file + ": malformed YAML: " + e.getMessage().lines().findFirst()
          .orElse(""), e);
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw new InputException(file + ": field format: expected " + FORMAT);
    }
    Map<String, String> source = new LinkedHashMap<>();
    root.path("source").fields().forEachRemaining(f -> source.put(f.getKey(), f.getValue().asText()));
    Path dir = file.toAbsolutePath().getParent();
    return new SplitManifest(root.path("createdBy").asText(), source, root.path("note").asText(),
        readEntries(root.path("splits"), dir, file, "splits"),
        readEntries(root.path("official"), dir, file, "official"));
  }

  private static List<Entry> readEntries(JsonNode n, Path dir, Path file, String field) {
    List<Entry> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode e = f.getValue();
      String where = field + "." + f.getKey();
      if (!e.path("json").isTextual() || !e.path("imageRoot").isTextual()) {
        throw new InputException(file + ": field " + where + ": needs json and imageRoot");
      }
      out.add(new Entry(f.getKey(), dir.resolve(e.get("json").asText()),
          dir.resolve(e.get("imageRoot").asText()), e.path("groundTruth").asBoolean(),
          e.path("videos").asInt(), e.path("annotations").asInt()));
    }
    return out;
  }
}
