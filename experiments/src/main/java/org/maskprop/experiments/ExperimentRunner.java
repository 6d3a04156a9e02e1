package org.maskprop.experiments;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskprop.config.DataConfig;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.data.YtvisResults;
import org.maskprop.eval.Metrics;
import org.maskprop.eval.YtvisEvaluator;
import org.maskprop.experiments.ExperimentGrid.SynthVisData;
import org.maskprop.experiments.ExperimentGrid.YtvisData;
import org.maskprop.report.ExperimentReport;
import org.maskprop.report.ReportRun;
import org.maskprop.report.ResultTable;
import org.maskprop.report.ResultTables;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.MlflowNames;
import org.maskprop.tracking.RunInfo;
import org.maskprop.tracking.RunSpec;
import org.maskprop.tracking.RunStatus;
import org.maskprop.tracking.Tracker;
import org.maskprop.util.AtomicFiles;

/**
 * Runs an expanded grid: one parent MLflow run for the grid (experiment = grid name) with one child
 * run per (point, method, split). A child logs the resolved config flattened to dotted params,
 * the method, split and row label, and the 12 metrics of {@link Metrics#asMap()} under the eval
 * command's names plus the AP of each category ({@link PerCategoryAp}). Video methods share the
 * grid run's {@link TrainedDetectors}: each training is a child run of its own ({@code
 * train-<key>}) with the per-step losses. The result table (org.maskprop.report) goes to {@code
 * out/report/} and is logged as an artifact of the parent.
 *
 * <p>Output folder: {@code data/} (generated SynthVIS), {@code train/<key>/} (TrainRun folders),
 * {@code configs/<run>.yaml} (resolved config), {@code results/<run>.json} (official format), {@code
 * metrics/<run>.json} (the three also child artifacts), {@code report/} (table.md, table.html,
 * charts, summary.md).
 */
public final class ExperimentRunner {
  /** Param and tag keys this runner writes besides the config's dotted keys. */
  public static final String PARAM_GRID = "grid";
  public static final String PARAM_METHOD = "method";
  public static final String PARAM_SPLIT = "split";
  public static final String PARAM_ROW = "row";
  public static final String PARAM_POINT = "point";
  public static final String TAG_STAND_INS = "maskprop.standIns";
  public static final String TAG_SCALE = "maskprop.scale";
  public static final String TAG_USES_GT = "maskprop.referenceUsesGt";
  /** Tag of a method run that returned no results (scored 0). */
  public static final String TAG_EMPTY_RESULTS = "maskprop.emptyResults";

  /**
   * What a run of the grid produced.
   *
   * @param parentRunId the parent MLflow run
   * @param metrics child run name -> metrics, in run order
   * @param tablesMarkdown the result table(s) as Markdown
   * @param reportDir where the report files are
   */
  public record Result(String parentRunId, Map<String, Metrics> metrics, String tablesMarkdown, Path reportDir) {}

  private final MethodRegistry registry;
  private final DataProvider data;
  private final Tracker tracker;
  private final PrintWriter log;

  public ExperimentRunner(MethodRegistry registry, DataProvider data, Tracker tracker, PrintWriter log) {
    this.registry = registry;
    this.data = data;
    this.tracker = tracker;
    this.log = log;
  }

  /** Validates every method, then runs the plan into {@code out}. */
  public Result run(ExperimentPlan plan, Path out) {
    plan.validate(registry);
    ExperimentGrid g = plan.grid();
    String experiment = g.name();
    Map<String, String> parentTags = new LinkedHashMap<>();
    parentTags.put(TAG_SCALE, g.scale().note());
    parentTags.put(TAG_STAND_INS, standInsTag(g));
    String parent = tracker.startRun(new RunSpec(experiment, g.name(), null, parentTags));
    try (TrainedDetectors detectors = new TrainedDetectors(out.resolve("train"), tracker, experiment, parent, log)) {
      tracker.logParams(parent, gridParams(plan));
      Map<String, Metrics> metrics = new LinkedHashMap<>();
      Map<String, YtvisDataset> datasets = new HashMap<>();
      Map<SynthVisData, Path> roots = new HashMap<>();
      List<ReportRun> memory = new ArrayList<>();
      int n = 0;
      for (PlannedRun run : plan.runs()) {
        n++;
        log.printf("[%d/%d] %s (%s)%n", n, plan.runs().size(), run.runName(), plan.rowLabel(run));
        Path root = g.data().ytvis() != null ? Path.of(g.data().ytvis().root()).toAbsolutePath().normalize()
            : roots.computeIfAbsent(run.point().synthvis(),
                s -> data.synthvis(s, out.resolve("data").resolve(s.label())));
        YtvisData y = g.data().ytvis();
        Path imageRoot = y != null && y.imageRoot() != null ? Path.of(y.imageRoot())
            : root.resolve(run.split().label()).resolve("JPEGImages");
        YtvisDataset gt = datasets.computeIfAbsent(root + "|" + run.split(),
            k -> YtvisDataset.read(root.resolve(run.split().label() + ".json"), imageRoot));
        MaskPropConfig config = withData(run.point().config(), root, y != null ? y.imageRoot() : null);
        Metrics m = runOne(plan, run, config, gt, imageRoot, detectors, parent, out, memory);
        metrics.put(run.runName(), m);
        log.printf("      AP %.3f  AP75 %.3f  AR1 %.3f  AR10 %.3f%n", m.ap(), m.ap75(), m.ar1(), m.ar10());
        log.flush();
      }
      log.printf("%d detector training(s) in this grid run%n", detectors.trainings());
      Path reportDir = out.resolve("report");
      String tables = report(plan, parent, memory, reportDir);
      tracker.logArtifacts(parent, reportDir, "report");
      tracker.endRun(parent, RunStatus.FINISHED);
      return new Result(parent, metrics, tables, reportDir);
    } catch (RuntimeException e) {
      tracker.endRun(parent, RunStatus.FAILED);
      throw e;
    }
  }

  private Metrics runOne(ExperimentPlan plan, PlannedRun run, MaskPropConfig config, YtvisDataset gt,
      Path imageRoot, TrainedDetectors detectors, String parent, Path out, List<ReportRun> memory) {
    ExperimentGrid g = plan.grid();
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TAG_SCALE, g.scale().label());
    tags.put(TAG_STAND_INS, standInsTag(g));
    tags.put(TAG_USES_GT, String.valueOf(run.method().usesGroundTruth()));
    RunSpec spec = new RunSpec(g.name(), run.runName(), null, tags).childOf(parent);
    long start = System.currentTimeMillis();
    String child = tracker.startRun(spec);
    try {
      Map<String, String> params = childParams(plan, run, config);
      tracker.logParams(child, params);
      Path configFile = out.resolve("configs").resolve(run.runName() + ".yaml");
      AtomicFiles.writeString(configFile, config.toYaml());
      tracker.logArtifact(child, configFile, "config");
      MethodRunner runner = registry.runnerFor(run.method(), g.name());
      MethodRunner.MethodContext ctx = new MethodRunner.MethodContext(config, run.method(), run.split(), gt,
          imageRoot, detectors, (step, losses) -> tracker.logMetrics(child, losses, step),
          (key, value) -> tracker.setTag(child, key, value));
      List<YtvisResult> results = runner.run(ctx);
      Path resultsFile = out.resolve("results").resolve(run.runName() + ".json");
      YtvisResults.write(resultsFile, results);
      Metrics m;
      Map<String, Double> perCategory;
      if (results.isEmpty()) {
        // Nothing detected: the official evaluator fails on an empty file; what it would score is 0.
        log.printf("      %s: no results (nothing detected); scored 0%n", run.runName());
        tracker.setTag(child, TAG_EMPTY_RESULTS, "true");
        m = Metrics.of(new double[Metrics.NAMES.length]);
        perCategory = Map.of();
      } else {
        // Score what was written, through the same reader as `maskprop eval`.
        List<YtvisResult> read = YtvisResults.read(resultsFile, gt, false);
        m = YtvisEvaluator.evaluate(gt, read);
        perCategory = PerCategoryAp.of(gt, read);
      }
      Path metricsFile = out.resolve("metrics").resolve(run.runName() + ".json");
      AtomicFiles.writeString(metricsFile, m.toJson());
      tracker.logArtifact(child, resultsFile, "results");
      tracker.logArtifact(child, metricsFile, "metrics");
      tracker.logMetrics(child, m.asMap(), 0);
      Map<String, Double> catMetrics = new LinkedHashMap<>();
      perCategory.forEach((name, ap) -> catMetrics.put(PerCategoryAp.metricKey(name), ap));
      tracker.logMetrics(child, catMetrics, 0);
      tracker.endRun(child, RunStatus.FINISHED);
      memory.add(new ReportRun(new RunInfo(child, "", run.runName(), "", RunStatus.FINISHED, start,
          System.currentTimeMillis(), "", "active"), params, tags, m.asMap()));
      return m;
    } catch (RuntimeException e) {
      tracker.endRun(child, RunStatus.FAILED);
      throw e;
    }
  }

  /** The point's config with {@code data.root} (and image root) set to where the data really is. */
  static MaskPropConfig withData(MaskPropConfig c, Path root, String imageRoot) {
    DataConfig d = c.data();
    DataConfig nd = new DataConfig(root.toString(), d.trainSplit(), d.validSplit(),
        imageRoot != null ? imageRoot : d.imageRoot(), d.numClasses(), d.minSize(), d.maxSize());
    return new MaskPropConfig(c.preset(), c.seed(), nd, c.backbone(), c.rpn(), c.roiHeads(), c.propagation(),
        c.refine(), c.train(), c.infer(), c.track());
  }

  private static Map<String, String> childParams(ExperimentPlan plan, PlannedRun run, MaskPropConfig config) {
    Map<String, String> p = new LinkedHashMap<>(config.flatten());
    p.put("config.sha256", config.hash());
    p.put(PARAM_GRID, plan.grid().name());
    p.put(PARAM_POINT, String.valueOf(run.point().index()));
    p.put(PARAM_ROW, plan.rowLabel(run));
    p.put(PARAM_METHOD, run.method().label());
    p.put(PARAM_SPLIT, run.split().label());
    p.put("scale", plan.grid().scale().label());
    SynthVisData s = run.point().synthvis();
    if (s != null) {
      p.put("synthvis.preset", s.preset());
      p.put("synthvis.videos", String.valueOf(s.videos()));
      p.put("synthvis.frames", String.valueOf(s.frames()));
      p.put("synthvis.size", s.size());
      p.put("synthvis.seed", String.valueOf(s.seed()));
    }
    return p;
  }

  private static Map<String, String> gridParams(ExperimentPlan plan) {
    ExperimentGrid g = plan.grid();
    Map<String, String> p = new LinkedHashMap<>();
    p.put(PARAM_GRID, g.name());
    p.put("grid.file", plan.loaded().file().toString());
    p.put("grid.sha256", plan.loaded().sha256());
    p.put("grid.reproduces", g.reproduces().label());
    p.put("scale", g.scale().label());
    p.put("grid.base", g.base().config() != null ? g.base().config() : "preset " + g.base().preset());
    p.put("grid.axes", String.join(", ", g.axes().stream().map(ExperimentGrid.Axis::key).toList()));
    p.put("grid.mode", g.mode().label());
    p.put("grid.methods", String.join(", ", g.methods().stream().map(Method::label).toList()));
    p.put("grid.splits", String.join(", ", g.splits().stream().map(Split::label).toList()));
    p.put("grid.points", String.valueOf(plan.points().size()));
    p.put("grid.runs", String.valueOf(plan.runs().size()));
    p.put("grid.data", g.data().synthvis() != null ? "synthvis " + g.data().synthvis().label()
        : "ytvis " + g.data().ytvis().root());
    return p;
  }

  private static String standInsTag(ExperimentGrid g) {
    String s = g.standIns().isEmpty() ? "none beyond the config's StandIns keys" : String.join("; ", g.standIns());
    return s.length() > MlflowNames.MAX_TAG_VALUE_LENGTH ? s.substring(0, MlflowNames.MAX_TAG_VALUE_LENGTH) : s;
  }

  /**
   * The result table: rebuilt from the file store when the tracker is one (as {@code maskprop
   * report} would), else from the values just logged; plus summary.md with the grid's notes.
   */
  private String report(ExperimentPlan plan, String parent, List<ReportRun> memory, Path dir) {
    ExperimentGrid g = plan.grid();
    String tables;
    if (tracker instanceof FileStoreTracker fs) {
      ExperimentReport.Options opt = new ExperimentReport.Options(g.name(), PARAM_ROW,
          ResultTables.DEFAULT_METRICS, parent, false, g.reproduces().paperTable());
      tables = ExperimentReport.write(fs.reader(), opt, dir).tablesMarkdown();
    } else {
      ResultTable t = ResultTables.fromRuns("Experiment " + g.name(), memory, PARAM_ROW, ResultTables.DEFAULT_METRICS);
      StringBuilder sb = new StringBuilder(t.toMarkdown()).append('\n');
      if (g.reproduces().paperTable() != null) {
        sb.append(ResultTables.paperComparison(t, g.reproduces().paperTable(), "ours, grid " + g.name()).toMarkdown());
      }
      tables = sb.toString();
      AtomicFiles.writeString(dir.resolve("table.md"), tables);
    }
    StringBuilder md = new StringBuilder();
    md.append("# Grid ").append(g.name()).append("\n\n").append(g.description().strip()).append("\n\n");
    md.append("- Reproduces: ").append(g.reproduces().label()).append('\n');
    md.append("- Scale: ").append(g.scale().note()).append('\n');
    md.append("- Grid file: ").append(plan.loaded().file()).append(" (sha256 ").append(plan.loaded().sha256())
        .append(")\n");
    md.append("- Parent run: ").append(parent).append('\n');
    for (String s : g.standIns()) {
      md.append("- Stand-in: ").append(s).append('\n');
    }
    for (Method m : g.methods()) {
      if (m.usesGroundTruth()) {
        md.append("- ").append(m.label()).append(" reads GT: a reference, not a method row of the paper\n");
      }
    }
    md.append('\n').append(tables);
    AtomicFiles.writeString(dir.resolve("summary.md"), md.toString());
    return tables;
  }
}
