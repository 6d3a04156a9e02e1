package org.maskprop.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.maskprop.InputException;

/**
 * The resolved configuration of a run: a preset, the sections below, and the seed.
 *
 * <p>Components never receive this root: each takes its own section record (STYLE.md {@code
 * config}). Values the paper does not give are stand-ins, listed in {@link StandIns} with their
 * source tags from NOTES.md.
 */
public record MaskPropConfig(
    String preset,
    long seed,
    DataConfig data,
    BackboneConfig backbone,
    RpnConfig rpn,
    RoiHeadsConfig roiHeads,
    PropagationConfig propagation,
    RefineConfig refine,
    TrainConfig train,
    InferConfig infer,
    TrackConfig track) {

  public MaskPropConfig {
    require(preset != null && !preset.isBlank(), "preset", "must be set");
    require(data != null && backbone != null && rpn != null && roiHeads != null, "sections", "missing");
    require(propagation != null && refine != null && train != null && infer != null, "sections", "missing");
    require(track != null, "track", "section missing");
  }

  /**
   * A preset by name with {@code --set} overrides on top. When they change {@code
   * train.iterations}, the values the preset derives from it (warm-up, LR steps, checkpoint
   * period) follow unless they are set too ({@link #resolve}).
   */
  public static MaskPropConfig fromPreset(String name, List<String> sets) {
    return resolve(name, tree -> {
      for (String s : sets) {
        ConfigTree.set(tree, s, MaskPropConfig.class);
      }
    }, "preset " + name);
  }

  /**
   * A run config file: {@code preset: NAME} plus overrides of any keys, then {@code --set}
   * overrides. The preset key is required so that every value has a documented origin.
   */
  public static MaskPropConfig load(Path file, List<String> sets) {
    ObjectNode overlay = ConfigTree.readYaml(file);
    if (!overlay.hasNonNull("preset")) {
      throw new InputException(file + ": missing 'preset' (one of " + String.join(", ", Presets.names()) + ")");
    }
    String preset = overlay.get("preset").asText();
    return resolve(preset, tree -> {
      ConfigTree.merge(tree, overlay, MaskPropConfig.class, file.toString(), "");
      for (String s : sets) {
        ConfigTree.set(tree, s, MaskPropConfig.class);
      }
    }, file.toString());
  }

  /**
   * The preset's tree with {@code overrides} applied. If they set {@code train.iterations} to
   * another count, the preset is rebuilt at that count ({@link Presets#get(String, int)}: derived
   * values move with it) and the overrides are applied again, so that whatever they set explicitly,
   * including a derived value, wins.
   */
  private static MaskPropConfig resolve(String preset, Consumer<ObjectNode> overrides, String source) {
    MaskPropConfig base = Presets.get(preset);
    ObjectNode tree = ConfigTree.toTree(base);
    overrides.accept(tree);
    JsonNode iterations = tree.path("train").path("iterations");
    // a non-integer or non-positive count is left to convert() to report with its key
    if (iterations.isIntegralNumber() && iterations.canConvertToInt() && iterations.intValue() >= 1
        && iterations.intValue() != base.train().iterations()) {
      tree = ConfigTree.toTree(Presets.get(preset, iterations.intValue()));
      overrides.accept(tree);
    }
    return ConfigTree.convert(tree, MaskPropConfig.class, source);
  }

  /**
   * The resolved config as dotted keys of its leaves ({@code infer.clipLength} -> {@code 13}), lists
   * as flow YAML: what runs log as MLflow params, and what {@code --set key=value} reads back.
   */
  public java.util.Map<String, String> flatten() {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    flatten(ConfigTree.toTree(this), "", out);
    return out;
  }

  private static void flatten(
      com.fasterxml.jackson.databind.JsonNode node, String prefix, java.util.Map<String, String> out) {
    node.fields().forEachRemaining(e -> {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      com.fasterxml.jackson.databind.JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(v, key, out);
      } else {
        out.put(key, v.isNull() ? "null" : v.isValueNode() ? v.asText() : v.toString());
      }
    });
  }

  /** Sorted-key YAML of the whole resolved config (what a run records). */
  public String toYaml() {
    return ConfigTree.toYaml(this);
  }

  /** SHA-256 of {@link #toYaml()}: checkpoints refuse to resume under a different config. */
  public String hash() {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(toYaml().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void require(boolean ok, String path, String what) {
    if (!ok) {
      throw new IllegalArgumentException("config key '" + path + "': " + what);
    }
  }
}
