package org.maskprop.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;
import org.maskprop.eval.EvalBenchmark;
import org.maskprop.eval.Metrics;
import org.maskprop.eval.YtvisEvaluator;
import org.maskprop.infer.FirstFrameCopyBaseline;
import org.maskprop.tracking.ExperimentInfo;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.Metric;
import org.maskprop.tracking.RunInfo;
import org.maskprop.tracking.RunStatus;
import org.maskprop.tracking.RunTags;
import org.maskprop.tracking.Tracker;

/**
 * The runner end to end on a small hand-made YouTube-VIS dataset (the experiments module has no
 * SynthVIS generator; the CLI test runs the smoke grid on real SynthVIS): the MLflow file store it
 * writes, the metrics against an independent evaluation, loss logging, failures.
 */
class ExperimentRunnerTest {

  /** Writes a small generated dataset as {@code <dir>/valid.json} and {@code test.json}, with empty frame files. */
  static final class BenchData implements DataProvider {
    final YtvisDataset gt = EvalBenchmark.generate(3, 4, 0, 7).gt();
    int calls;

    @Override
    public Path synthvis(ExperimentGrid.SynthVisData spec, Path dir) {
      calls++;
      try {
        for (String split : List.of("valid", "test")) {
          gt.write(dir.resolve(split + ".json"));
          for (YtvisDataset.Video v : gt.videos()) {
            for (String f : v.fileNames()) {
              Path p = dir.resolve(split).resolve("JPEGImages").resolve(f);
              Files.createDirectories(p.getParent());
              Files.write(p, new byte[0]);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return dir;
    }
  }

  private static final PrintWriter QUIET = new PrintWriter(new StringWriter(), true);

  @Test
  void smokeGridWritesParentChildrenParamsMetricsAndReport(@TempDir Path tmp) throws Exception {
    // The smoke grid with the two references in place of maskprop (no frames or model needed here;
    // the CLI test runs the real smoke grid).
    Path gridFile = Files.writeString(tmp.resolve("smoke.yaml"),
        Files.readString(ExperimentGridTest.GRIDS.resolve("smoke.yaml"))
            .replace("config: configs/cpu-tiny.yaml", "preset: cpu-tiny")
            .replace("methods: [maskprop]", "methods: [reference-first-frame-copy, reference-gt]"));
    BenchData data = new BenchData();
    ExperimentPlan plan = ExperimentPlan.expand(ExperimentGrid.load(gridFile));
    ExperimentRunner.Result result;
    try (FileStoreTracker tracker = new FileStoreTracker(tmp.resolve("mlruns"), Optional.of("a".repeat(40)))) {
      result = new ExperimentRunner(MethodRegistry.BUILT_IN, data, tracker, QUIET).run(plan, tmp.resolve("out"));
    }
    assertEquals(1, data.calls, "one dataset for both points (data does not vary)");

    FileStoreReader reader = new FileStoreReader(tmp.resolve("mlruns"));
    ExperimentInfo exp = reader.experimentByName("smoke").orElseThrow();
    List<RunInfo> runs = reader.runs(exp.experimentId());
    assertEquals(5, runs.size(), "parent + 2 points x 2 methods x 1 split");
    String parent = result.parentRunId();
    assertEquals(RunStatus.FINISHED, reader.run(parent).orElseThrow().status());
    Map<String, String> pp = reader.params(parent);
    assertEquals("smoke", pp.get("grid"));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(gridFile)));
    assertEquals(sha, pp.get("grid.sha256"));
    assertEquals("a".repeat(40), reader.tags(parent).get(RunTags.GIT_COMMIT));

    List<RunInfo> kids = reader.childRuns(parent);
    assertEquals(Set.of("p0-reference-first-frame-copy-valid", "p0-reference-gt-valid",
        "p1-reference-first-frame-copy-valid", "p1-reference-gt-valid"),
        new TreeSet<>(kids.stream().map(RunInfo::runName).toList()));
    YtvisDataset gt = data.gt;
    Metrics copy = YtvisEvaluator.evaluate(gt, FirstFrameCopyBaseline.predict(gt));
    for (RunInfo k : kids) {
      assertEquals(RunStatus.FINISHED, k.status());
      Map<String, String> p = reader.params(k.runId());
      String point = k.runName().substring(1, 2);
      assertEquals(point.equals("0") ? "0.3" : "0.5", p.get("infer.assignThreshold"), k.runName());
      assertEquals("R18", p.get("backbone.arch"));
      assertEquals("cpu-tiny", p.get("preset"));
      assertEquals("valid", p.get("split"));
      assertEquals(tmp.resolve("out/data/easy-v4-f6-48x64-s0").toString(), p.get("data.root"));
      assertEquals("[3,6,12]", p.get("propagation.dilations"));
      Map<String, Metric> m = reader.latestMetrics(k.runId());
      assertEquals(new TreeSet<>(List.of(Metrics.NAMES)), new TreeSet<>(m.keySet().stream()
          .filter(x -> !x.startsWith(PerCategoryAp.METRIC_PREFIX)).toList()), k.runName());
      String yaml = Files.readString(reader.artifactDir(k.runId()).resolve("config/" + k.runName() + ".yaml"));
      org.maskprop.config.MaskPropConfig logged = org.maskprop.config.MaskPropConfig.load(
          Files.writeString(tmp.resolve("c.yaml"), yaml), List.of());
      assertEquals(logged.hash(), p.get("config.sha256"), "the config artifact is the resolved config");
      assertEquals(Double.parseDouble(p.get("infer.assignThreshold")), logged.infer().assignThreshold());
      boolean isGt = k.runName().contains("reference-gt");
      assertEquals(isGt ? "reference-gt" : "reference-first-frame-copy", p.get("method"));
      assertEquals("true", reader.tags(k.runId()).get(ExperimentRunner.TAG_USES_GT));
      Metrics want = isGt ? YtvisEvaluator.evaluate(gt, FirstFrameCopyBaseline.groundTruthAsResults(gt)) : copy;
      for (String name : Metrics.NAMES) {
        assertEquals(want.asMap().get(name), m.get(name).value(), 1e-12, k.runName() + " " + name);
      }
      if (isGt) {
        assertEquals(1.0, m.get("AP").value(), 1e-12, "GT as results must score AP 1");
      }
    }
    assertTrue(copy.ap() < 1.0, "the first-frame copy must differ from GT on moving tracks");

    Path art = reader.artifactDir(parent).resolve("report");
    String table = Files.readString(art.resolve("table.md"));
    assertTrue(table.contains("reference-gt (reference, reads GT) / 0.3")
        && table.contains("reference-first-frame-copy (reference, reads GT) / 0.5"), table);
    assertTrue(table.contains("| 100.0 |"), table);
    assertTrue(Files.isRegularFile(art.resolve("table.html")));
    assertTrue(Files.readString(art.resolve("summary.md")).contains("reads GT"));
    assertTrue(Files.isRegularFile(tmp.resolve("out/results/p1-reference-gt-valid.json")));
    assertEquals(copy, Metrics.fromJson(Files.readString(tmp.resolve("out/metrics/p0-reference-first-frame-copy-valid.json")), "m"));
  }

  @Test
  void trainingLossesAreLoggedPerStepOnTheChildRun(@TempDir Path tmp) throws Exception {
    Path file = ExperimentGridTest.grid(tmp, "g.yaml", "");
    Files.writeString(file, Files.readString(file).replace("methods: [reference-gt]", "methods: [maskprop]")
        .replace("splits: [valid]", "splits: [valid, test]"));
    // A stand-in for the model: three "training steps", then the GT as its prediction.
    MethodRegistry registry = (method, grid) -> method.equals(Method.MASKPROP)
        ? ctx -> {
          for (int step = 1; step <= 3; step++) {
            ctx.losses().log(step, Map.of("loss_mask", 1.0 / step, "loss_total", 2.0 / step));
          }
          return FirstFrameCopyBaseline.groundTruthAsResults(ctx.gt());
        }
        : MethodRegistry.BUILT_IN.runnerFor(method, grid);
    ExperimentPlan plan = ExperimentPlan.expand(ExperimentGrid.load(file));
    ExperimentRunner.Result r;
    try (FileStoreTracker tracker = new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty())) {
      r = new ExperimentRunner(registry, new BenchData(), tracker, QUIET).run(plan, tmp.resolve("out"));
    }
    FileStoreReader reader = new FileStoreReader(tmp.resolve("mlruns"));
    List<RunInfo> kids = reader.childRuns(r.parentRunId());
    assertEquals(2, kids.size());
    for (RunInfo k : kids) {
      List<Metric> h = reader.metricHistory(k.runId(), "loss_total");
      assertEquals(List.of(1L, 2L, 3L), h.stream().map(Metric::step).toList());
      assertEquals(List.of(2.0, 1.0, 2.0 / 3), h.stream().map(Metric::value).toList());
      assertEquals(3, reader.metricHistory(k.runId(), "loss_mask").size());
      assertEquals(1.0, reader.latestMetrics(k.runId()).get("AP").value(), 1e-12);
    }
    assertTrue(r.tablesMarkdown().contains("maskprop / valid") && r.tablesMarkdown().contains("maskprop / test"),
        r.tablesMarkdown());
  }

  @Test
  void unknownMethodStopsTheGridBeforeAnyRun(@TempDir Path tmp) throws Exception {
    Path file = ExperimentGridTest.grid(tmp, "g.yaml", "");
    Files.writeString(file, Files.readString(file).replace("methods: [reference-gt]", "methods: [reference-gt, maskrcnn]"));
    ExperimentPlan plan = ExperimentPlan.expand(ExperimentGrid.load(file));
    BenchData data = new BenchData();
    try (FileStoreTracker tracker = new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty())) {
      InputException e = assertThrows(InputException.class,
          () -> new ExperimentRunner(MethodRegistry.BUILT_IN, data, tracker, QUIET).run(plan, tmp.resolve("out")));
      assertTrue(e.getMessage().startsWith("grid test-grid: method maskrcnn is not registered (known: "), e.getMessage());
    }
    assertEquals(0, data.calls);
    assertFalse(Files.exists(tmp.resolve("out")), "no output folder");
    FileStoreReader reader = new FileStoreReader(tmp.resolve("mlruns"));
    assertTrue(reader.experimentByName("test-grid").isEmpty(), "no experiment, no run");
  }

  @Test
  void aFailingMethodMarksChildAndParentFailed(@TempDir Path tmp) throws Exception {
    Path file = ExperimentGridTest.grid(tmp, "g.yaml", "");
    MethodRegistry registry = (method, grid) -> ctx -> {
      throw new IllegalStateException("boom");
    };
    ExperimentPlan plan = ExperimentPlan.expand(ExperimentGrid.load(file));
    try (FileStoreTracker tracker = new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty())) {
      assertThrows(IllegalStateException.class,
          () -> new ExperimentRunner(registry, new BenchData(), tracker, QUIET).run(plan, tmp.resolve("out")));
    }
    FileStoreReader reader = new FileStoreReader(tmp.resolve("mlruns"));
    List<RunInfo> runs = reader.runs(reader.experimentByName("test-grid").orElseThrow().experimentId());
    assertEquals(2, runs.size());
    assertTrue(runs.stream().allMatch(x -> x.status() == RunStatus.FAILED), runs.toString());
  }

  /** A tracker that is not a file store (as an MLflow server is): the table is built from the logged values. */
  record Delegating(Tracker t) implements Tracker {
    public String getOrCreateExperiment(String name) { return t.getOrCreateExperiment(name); }
    public String startRun(org.maskprop.tracking.RunSpec spec) { return t.startRun(spec); }
    public void logParam(String runId, String key, String value) { t.logParam(runId, key, value); }
    public void logMetric(String runId, Metric metric) { t.logMetric(runId, metric); }
    public void setTag(String runId, String key, String value) { t.setTag(runId, key, value); }
    public void logArtifact(String runId, Path file, String artifactPath) { t.logArtifact(runId, file, artifactPath); }
    public void logArtifacts(String runId, Path dir, String artifactPath) { t.logArtifacts(runId, dir, artifactPath); }
    public void endRun(String runId, RunStatus status, long endTime) { t.endRun(runId, status, endTime); }
    public org.maskprop.tracking.TrackingReport report() { return t.report(); }
    public void close() { t.close(); }
  }

  @Test
  void withAServerTrackerTheTableComesFromTheLoggedValues(@TempDir Path tmp) throws Exception {
    Path file = ExperimentGridTest.grid(tmp, "g.yaml", "");
    Files.writeString(file, Files.readString(file).replace("reproduces: smoke", "reproduces: table2")
        .replace("methods: [reference-gt]", "methods: [reference-gt, reference-first-frame-copy]"));
    ExperimentPlan plan = ExperimentPlan.expand(ExperimentGrid.load(file));
    ExperimentRunner.Result r;
    try (Tracker tracker = new Delegating(new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty()))) {
      r = new ExperimentRunner(MethodRegistry.BUILT_IN, new BenchData(), tracker, QUIET).run(plan, tmp.resolve("out"));
    }
    String md = Files.readString(r.reportDir().resolve("table.md"));
    assertTrue(md.contains("| reference-gt (reference, reads GT) | 100.0 | 100.0 |"), md);
    assertTrue(md.contains("MaskProp | 46.6 | 51.2 | 44.0 | 52.6"), "paper Table 2 beside ours: " + md);
    Path art = new FileStoreReader(tmp.resolve("mlruns")).artifactDir(r.parentRunId()).resolve("report");
    assertEquals(md, Files.readString(art.resolve("table.md")));
  }

  @Test
  void flattenGivesDottedKeysOfEveryLeaf() {
    var config = org.maskprop.config.Presets.get("cpu-tiny");
    Map<String, String> flat = config.flatten();
    assertEquals("13", flat.get("infer.clipLength"));
    assertEquals("0.5", flat.get("infer.assignThreshold"));
    assertEquals("false", flat.get("refine.enabled"));
    assertEquals("600", flat.get("rpn.preNmsTopN.train"));
    // Every leaf, and only leaves: the flattened keys resolve back through --set to the same config.
    List<String> sets = flat.entrySet().stream().filter(e -> !e.getKey().equals("preset"))
        .map(e -> e.getKey() + "=" + e.getValue()).toList();
    var back = org.maskprop.config.MaskPropConfig.fromPreset("cpu-synthetic", sets);
    assertEquals(ExperimentRunner.withData(config, Path.of(config.data().root()), null), new org.maskprop.config.MaskPropConfig(
        "cpu-tiny", back.seed(), back.data(), back.backbone(), back.rpn(), back.roiHeads(), back.propagation(),
        back.refine(), back.train(), back.infer(), back.track()));
  }
}
