package org.maskprop.experiments;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.maskprop.InputException;
import org.maskprop.config.ConfigTree;
import org.maskprop.report.PaperTables;

/**
 * A grid file {@code experiments/<name>.yaml} (DESIGN.md section 4): a base run config, the axes to
 * vary, the methods and the splits to score, the data, and what the grid reproduces. Loaded with
 * strict keys: an unknown key or a wrong type is a one-line error naming the file and the key.
 *
 * @param name grid name; also the MLflow experiment name
 * @param description one paragraph: what is varied and why
 * @param reproduces the paper result this grid stands for
 * @param scale SynthVIS-scale (CPU) or YouTube-VIS (GPU image) version
 * @param base the run config every point starts from
 * @param axes config paths (or {@code synthvis.<field>}) and their values
 * @param mode {@code product} (cartesian) or {@code zip} (i-th values together)
 * @param methods methods scored at every point
 * @param data SynthVIS spec or a prepared YouTube-VIS root
 * @param splits splits scored
 * @param standIns notes on what in this grid is not the paper's setting (logged as a tag)
 */
public record ExperimentGrid(
    String name,
    String description,
    Reproduces reproduces,
    Scale scale,
    Base base,
    List<Axis> axes,
    AxisMode mode,
    List<Method> methods,
    GridData data,
    List<Split> splits,
    List<String> standIns) {

  public ExperimentGrid {
    require(name != null && name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"), "name",
        "must be set, letters, digits, '.', '_' or '-', got " + name);
    require(description != null && !description.isBlank(), "description", "must be set");
    require(reproduces != null, "reproduces", "must be set");
    require(scale != null, "scale", "must be synthvis or ytvis");
    require(base != null, "base", "must be set");
    axes = axes == null ? List.of() : List.copyOf(axes);
    mode = mode == null ? AxisMode.PRODUCT : mode;
    require(methods != null && !methods.isEmpty(), "methods", "must list at least one method");
    require(new HashSet<>(methods).size() == methods.size(), "methods", "lists a method twice");
    methods = List.copyOf(methods);
    require(data != null, "data", "must be set");
    require(splits != null && !splits.isEmpty(), "splits", "must list valid and/or test");
    require(new HashSet<>(splits).size() == splits.size(), "splits", "lists a split twice");
    splits = List.copyOf(splits);
    standIns = standIns == null ? List.of() : List.copyOf(standIns);
    require(scale != Scale.SYNTHVIS || data.synthvis() != null, "data",
        "scale synthvis needs data.synthvis");
    require(scale != Scale.YTVIS || data.ytvis() != null, "data", "scale ytvis needs data.ytvis");
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < axes.size(); i++) {
      Axis a = axes.get(i);
      require(keys.add(a.key()), "axes[" + i + "].key", "'" + a.key() + "' is varied twice");
      require(!a.isData() || data.synthvis() != null, "axes[" + i + "].key",
          "'" + a.key() + "' varies SynthVIS data, but data is not synthvis");
      if (mode == AxisMode.ZIP) {
        require(a.values().size() == axes.get(0).values().size(), "axes[" + i + "].values",
            "zip mode needs every axis to have " + axes.get(0).values().size() + " values, got " + a.values().size());
      }
    }
  }

  /** The run config every point starts from: a run config file or a preset, plus overrides. */
  public record Base(String config, String preset, List<String> set) {
    public Base {
      require((config == null) != (preset == null), "base", "needs exactly one of config (a run config file) or preset");
      set = set == null ? List.of() : List.copyOf(set);
    }
  }

  /** One varied key. A {@code synthvis.<field>} key varies the generated data, any other a config path. */
  public record Axis(String key, List<JsonNode> values) {
    public static final String DATA_PREFIX = "synthvis.";

    public Axis {
      require(key != null && !key.isBlank(), "axes[].key", "must be set");
      require(values != null && !values.isEmpty(), "axes[" + key + "].values", "must list at least one value");
      require(new HashSet<>(values).size() == values.size(), "axes[" + key + "].values", "lists a value twice");
      values = List.copyOf(values);
    }

    public boolean isData() {
      return key.startsWith(DATA_PREFIX);
    }

    /** A value as {@code --set} and params write it (YAML scalars plain, lists as flow YAML). */
    public static String text(JsonNode v) {
      return v.isValueNode() ? v.asText() : v.toString();
    }
  }

  /** How axes combine. */
  public enum AxisMode {
    PRODUCT("product"),
    ZIP("zip");

    private final String label;

    AxisMode(String label) {
      this.label = label;
    }

    @JsonValue
    public String label() {
      return label;
    }
  }

  /** The paper result a grid reproduces (the report sets our rows beside Tables 2-4). */
  public enum Reproduces {
    SMOKE("smoke"),
    TABLE_2("table2"),
    TABLE_3("table3"),
    TABLE_4("table4"),
    FIG_6("fig6"),
    REFINEMENT("refinement-ablation"),
    THRESHOLD_SWEEP("threshold-sweep"),
    ROBUSTNESS("robustness");

    private final String label;

    Reproduces(String label) {
      this.label = label;
    }

    @JsonValue
    public String label() {
      return label;
    }

    /** The published table to compare with, or null when the paper prints none for this result. */
    public PaperTables.PaperTable paperTable() {
      // by label, as `maskprop report` finds it from the parent run's grid.reproduces param
      return PaperTables.forResult(label);
    }
  }

  /** Exactly one of a SynthVIS spec (generated by the CLI's data provider) or a YouTube-VIS root. */
  public record GridData(SynthVisData synthvis, YtvisData ytvis) {
    public GridData {
      require((synthvis == null) != (ytvis == null), "data", "needs exactly one of synthvis or ytvis");
    }
  }

  /**
   * A SynthVIS dataset to generate: preset, train videos (valid/test get max(2, videos/4)), frames
   * per video, frame size HxW and seed (defaults: the demo's 16, 12, 96x128, 0).
   */
  public record SynthVisData(String preset, Integer videos, Integer frames, String size, Long seed) {
    /** SynthVIS difficulty presets (data-prep {@code SynthPreset}; a cli test keeps the two equal). */
    public static final List<String> PRESETS = List.of("easy", "occlusion", "blur", "crowded");

    public SynthVisData {
      require(preset != null && PRESETS.contains(preset), "data.synthvis.preset",
          "must be one of " + String.join(", ", PRESETS) + ", got " + preset);
      videos = videos == null ? 16 : videos;
      frames = frames == null ? 12 : frames;
      size = size == null ? "96x128" : size;
      seed = seed == null ? 0L : seed;
      require(videos >= 1, "data.synthvis.videos", "must be >= 1, got " + videos);
      require(frames >= 1, "data.synthvis.frames", "must be >= 1, got " + frames);
      require(size.matches("[1-9][0-9]*x[1-9][0-9]*"), "data.synthvis.size", "must be HxW, got " + size);
    }

    /** The same spec with one field changed (a {@code synthvis.<field>} axis value). */
    public SynthVisData with(String field, JsonNode v) {
      return switch (field) {
        case "preset" -> new SynthVisData(v.asText(), videos, frames, size, seed);
        case "videos" -> new SynthVisData(preset, integer(field, v), frames, size, seed);
        case "frames" -> new SynthVisData(preset, videos, integer(field, v), size, seed);
        case "size" -> new SynthVisData(preset, videos, frames, v.asText(), seed);
        case "seed" -> new SynthVisData(preset, videos, frames, size, (long) integer(field, v));
        default -> throw new IllegalArgumentException("grid key 'synthvis." + field
            + "': unknown SynthVIS field (known: preset, videos, frames, size, seed)");
      };
    }

    private static int integer(String field, JsonNode v) {
      require(v.canConvertToInt() && v.isIntegralNumber(), "synthvis." + field, "must be an integer, got " + v);
      return v.asInt();
    }

    /** A folder name for this dataset. */
    public String label() {
      return preset + "-v" + videos + "-f" + frames + "-" + size + "-s" + seed;
    }
  }

  /**
   * A prepared YouTube-VIS root ({@code maskprop prepare}): {@code <root>/<split>.json}; images in
   * {@code imageRoot} when given (a valid split carved from train reads {@code train/JPEGImages}),
   * else {@code <root>/<split>/JPEGImages}. Relative paths resolve against the working directory.
   */
  public record YtvisData(String root, String imageRoot) {
    public YtvisData {
      require(root != null && !root.isBlank(), "data.ytvis.root", "must be set");
    }
  }

  /** A grid read from a file: the file, its SHA-256 (logged on the parent run) and the grid. */
  public record Loaded(Path file, String sha256, ExperimentGrid grid) {
    /** The base run config file, resolved against the grid file's folder; null for a preset. */
    public Path baseConfigFile() {
      if (grid.base().config() == null) {
        return null;
      }
      Path p = Path.of(grid.base().config());
      Path dir = file.toAbsolutePath().getParent();
      return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
    }
  }

  /** Reads and checks a grid file. */
  public static Loaded load(Path file) {
    ObjectNode tree = ConfigTree.readYaml(file);
    // Key check first (names the unknown key and the known ones), then typed conversion.
    ConfigTree.merge(tree.objectNode(), tree, ExperimentGrid.class, file.toString(), "");
    JsonNode axes = tree.get("axes");
    if (axes != null && axes.isArray()) {
      for (int i = 0; i < axes.size(); i++) {
        if (axes.get(i).isObject()) {
          ConfigTree.merge(tree.objectNode(), axes.get(i), Axis.class, file.toString(), "axes[" + i + "]");
        }
      }
    }
    ExperimentGrid grid;
    try {
      grid = ConfigTree.convert(tree, ExperimentGrid.class, file.toString());
    } catch (InputException e) {
      // Jackson wraps our compact-constructor messages; keep only ours.
      throw new InputException(e.getMessage().replaceFirst("Cannot construct instance of `[^`]*`, problem: ", ""));
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InputException(file + ": cannot read: " + e.getMessage());
    }
    return new Loaded(file, sha256(bytes), grid);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void require(boolean ok, String key, String what) {
    if (!ok) {
      throw new IllegalArgumentException("grid key '" + key + "': " + what);
    }
  }
}
