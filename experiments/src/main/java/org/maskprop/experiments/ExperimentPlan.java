package org.maskprop.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskprop.InputException;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.experiments.ExperimentGrid.Axis;
import org.maskprop.experiments.ExperimentGrid.AxisMode;
import org.maskprop.experiments.ExperimentGrid.Base;
import org.maskprop.experiments.ExperimentGrid.Loaded;
import org.maskprop.experiments.ExperimentGrid.SynthVisData;

/**
 * A grid expanded into points and child runs. Expanding resolves every point's config through the
 * {@code --set} rules of {@code ConfigTree}, so an axis key that is not a config path, or a value
 * the config rejects, is an error naming the grid file and the axis before anything runs.
 *
 * @param loaded the grid and its file
 * @param points points in order (product: the first axis varies slowest)
 * @param runs one per (point, method, split), in that nesting order
 */
public record ExperimentPlan(Loaded loaded, List<GridPoint> points, List<PlannedRun> runs) {

  public ExperimentPlan {
    points = List.copyOf(points);
    runs = List.copyOf(runs);
  }

  public ExperimentGrid grid() {
    return loaded.grid();
  }

  /** Expands a loaded grid. */
  public static ExperimentPlan expand(Loaded loaded) {
    ExperimentGrid g = loaded.grid();
    String file = loaded.file().toString();
    resolve(loaded, List.of(), file + ": base");
    // Each axis value alone first, so that an error names the axis and value that caused it.
    for (int i = 0; i < g.axes().size(); i++) {
      Axis a = g.axes().get(i);
      for (JsonNode v : a.values()) {
        String where = file + ": axes[" + i + "] key '" + a.key() + "' value " + Axis.text(v);
        if (a.isData()) {
          synthvis(g.data().synthvis(), Map.of(a.key(), v), where);
        } else {
          resolve(loaded, List.of(set(a, v)), where);
        }
      }
    }
    List<GridPoint> points = new ArrayList<>();
    for (List<JsonNode> combo : combinations(g)) {
      Map<String, String> values = new LinkedHashMap<>();
      Map<String, JsonNode> dataValues = new LinkedHashMap<>();
      List<String> sets = new ArrayList<>();
      for (int i = 0; i < combo.size(); i++) {
        Axis a = g.axes().get(i);
        values.put(a.key(), Axis.text(combo.get(i)));
        if (a.isData()) {
          dataValues.put(a.key(), combo.get(i));
        } else {
          sets.add(set(a, combo.get(i)));
        }
      }
      String where = file + ": point " + points.size() + " " + values;
      MaskPropConfig config = resolve(loaded, sets, where);
      SynthVisData data = g.data().synthvis() == null ? null : synthvis(g.data().synthvis(), dataValues, where);
      points.add(new GridPoint(points.size(), values, config, data, label(values)));
    }
    List<PlannedRun> runs = new ArrayList<>();
    for (GridPoint p : points) {
      for (Method m : g.methods()) {
        for (Split s : g.splits()) {
          runs.add(new PlannedRun(p, m, s));
        }
      }
    }
    return new ExperimentPlan(loaded, points, runs);
  }

  /**
   * Checks that every method can run (the registry throws, with the known names, for a method that
   * is not registered), before any run or data folder exists.
   */
  public void validate(MethodRegistry registry) {
    for (Method m : grid().methods()) {
      registry.runnerFor(m, grid().name());
    }
  }

  /**
   * How many detectors a run of this plan trains ({@link TrainedDetectors}): distinct training keys
   * over the points, with the point's SynthVIS data (its folder is part of {@code data.root}); 0
   * when only references run.
   */
  public int detectorTrainings() {
    if (grid().methods().stream().allMatch(Method::usesGroundTruth)) {
      return 0;
    }
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (GridPoint p : points) {
      keys.add(TrainedDetectors.trainingKey(p.config()) + "|" + (p.synthvis() == null ? "" : p.synthvis().label()));
    }
    return keys.size();
  }

  /** Appended to a reference's row label. */
  public static final String REFERENCE_MARK = "(reference, reads GT)";

  /** The row label of a run in the result table: method, point label and split, as far as they vary. */
  public String rowLabel(PlannedRun run) {
    List<String> parts = new ArrayList<>();
    if (grid().methods().size() > 1 || run.point().label().isEmpty()) {
      // a reference reads GT: its row says so in every table, next to the paper's rows too
      parts.add(run.method().label() + (run.method().usesGroundTruth() ? " " + REFERENCE_MARK : ""));
    }
    if (!run.point().label().isEmpty()) {
      parts.add(run.point().label());
    }
    if (grid().splits().size() > 1) {
      parts.add(run.split().label());
    }
    return String.join(" / ", parts);
  }

  /** What a dry run prints: the grid, its points and the runs that would be made. */
  public String describe(MethodRegistry registry) {
    ExperimentGrid g = grid();
    StringBuilder sb = new StringBuilder();
    sb.append("grid ").append(g.name()).append(" (").append(loaded.file()).append(", sha256 ")
        .append(loaded.sha256(), 0, 12).append("): reproduces ").append(g.reproduces().label())
        .append(", scale ").append(g.scale().label()).append('\n');
    sb.append("  ").append(g.scale().note()).append('\n');
    Base b = g.base();
    sb.append("base: ").append(b.config() != null ? "config " + loaded.baseConfigFile() : "preset " + b.preset());
    if (!b.set().isEmpty()) {
      sb.append(" --set ").append(String.join(" --set ", b.set()));
    }
    sb.append('\n');
    sb.append("data: ").append(g.data().synthvis() != null ? "SynthVIS " + g.data().synthvis().label()
        : "YouTube-VIS root " + g.data().ytvis().root()).append('\n');
    for (String s : g.standIns()) {
      sb.append("stand-in: ").append(s).append('\n');
    }
    sb.append(points.size()).append(" point(s) x ").append(g.methods().size()).append(" method(s) x ")
        .append(g.splits().size()).append(" split(s) = ").append(runs.size()).append(" run(s)\n");
    int trainings = detectorTrainings();
    if (trainings > 0) {
      sb.append(trainings).append(" detector training(s): one per training config, shared by every video method"
          + " and by points that differ only in infer.*\n");
    }
    for (GridPoint p : points) {
      sb.append("point ").append(p.index()).append(": ")
          .append(p.values().isEmpty() ? "(base)" : p.values().toString())
          .append(p.synthvis() != null ? " data " + p.synthvis().label() : "").append('\n');
      for (PlannedRun r : runs) {
        if (r.point() != p) {
          continue;
        }
        sb.append("  run ").append(r.runName());
        String missing = missing(registry, r.method());
        if (missing != null) {
          sb.append("  [cannot run: ").append(missing).append(']');
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  private String missing(MethodRegistry registry, Method m) {
    try {
      registry.runnerFor(m, grid().name());
      return null;
    } catch (InputException e) {
      return "not registered; known: " + String.join(", ", Method.knownNames());
    }
  }

  private static String set(Axis a, JsonNode v) {
    return a.key() + "=" + Axis.text(v);
  }

  /** Base config plus {@code sets}; errors are prefixed with {@code where}. */
  static MaskPropConfig resolve(Loaded loaded, List<String> sets, String where) {
    Base b = loaded.grid().base();
    List<String> all = new ArrayList<>(b.set());
    all.addAll(sets);
    try {
      return b.config() != null ? MaskPropConfig.load(loaded.baseConfigFile(), all)
          : MaskPropConfig.fromPreset(b.preset(), all);
    } catch (InputException e) {
      throw new InputException(where + ": " + e.getMessage());
    }
  }

  private static SynthVisData synthvis(SynthVisData base, Map<String, JsonNode> values, String where) {
    SynthVisData d = base;
    try {
      for (Map.Entry<String, JsonNode> e : values.entrySet()) {
        d = d.with(e.getKey().substring(Axis.DATA_PREFIX.length()), e.getValue());
      }
    } catch (IllegalArgumentException e) {
      throw new InputException(where + ": " + e.getMessage());
    }
    return d;
  }

  private static List<List<JsonNode>> combinations(ExperimentGrid g) {
    List<Axis> axes = g.axes();
    List<List<JsonNode>> out = new ArrayList<>();
    if (axes.isEmpty()) {
      out.add(List.of());
      return out;
    }
    if (g.mode() == AxisMode.ZIP) {
      for (int j = 0; j < axes.get(0).values().size(); j++) {
        List<JsonNode> combo = new ArrayList<>();
        for (Axis a : axes) {
          combo.add(a.values().get(j));
        }
        out.add(combo);
      }
      return out;
    }
    int[] idx = new int[axes.size()];
    while (true) {
      List<JsonNode> combo = new ArrayList<>();
      for (int i = 0; i < axes.size(); i++) {
        combo.add(axes.get(i).values().get(idx[i]));
      }
      out.add(combo);
      int k = axes.size() - 1; // last axis varies fastest
      while (k >= 0 && ++idx[k] == axes.get(k).values().size()) {
        idx[k] = 0;
        k--;
      }
      if (k < 0) {
        return out;
      }
    }
  }

  /** One axis: its value; several: {@code shortKey=value, ...} (short key = last path segment). */
  private static String label(Map<String, String> values) {
    if (values.size() == 1) {
      return values.values().iterator().next();
    }
    List<String> parts = new ArrayList<>();
    values.forEach((k, v) -> parts.add(k.substring(k.lastIndexOf('.') + 1) + "=" + v));
    return String.join(", ", parts);
  }
}
