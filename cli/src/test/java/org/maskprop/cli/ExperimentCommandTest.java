package org.maskprop.cli;

import static org.maskprop.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.eval.Metrics;
import org.maskprop.experiments.ExperimentGrid;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.Metric;
import org.maskprop.tracking.RunInfo;

/** {@code maskprop experiment}: dry runs of the committed grids, errors, and the smoke grid on real SynthVIS. */
class ExperimentCommandTest {
  static final Path GRIDS = Path.of("..", "experiments").toAbsolutePath().normalize();



  @Test
  void dryRunPrintsPointsAndRunsAndRunsNothing(@TempDir Path dir) {
    CliRun r = run("experiment", GRIDS.resolve("table4.yaml").toString(), "--dry-run",
        "--out", dir.resolve("out").toString(), "--mlruns", dir.resolve("mlruns").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("4 point(s) x 1 method(s) x 1 split(s) = 4 run(s)"), r.out());
    assertTrue(r.out().contains("point 3: {backbone.arch=X101_64X4D}"), r.out());
    assertTrue(r.out().contains("run p1-maskprop-valid\n"), "maskprop runs: " + r.out());
    assertTrue(r.out().contains("dry run: nothing was run"), r.out());
    assertFalse(Files.exists(dir.resolve("out")) || Files.exists(dir.resolve("mlruns")));
  }

  @Test
  void unknownMethodsAndBadGridsExitTwoWithOneLine(@TempDir Path dir) throws Exception {
    Path unknown = Files.writeString(dir.resolve("unknown.yaml"), Files.readString(GRIDS.resolve("smoke.yaml"))
        .replace("config: configs/cpu-tiny.yaml", "preset: cpu-tiny")
        .replace("methods: [maskprop]", "methods: [maskprop, maskrcnn]"));
    CliRun r = run("experiment", unknown.toString(), "--out", dir.resolve("out").toString(),
        "--mlruns", dir.resolve("mlruns").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    String msg = r.err().trim();
    assertTrue(msg.startsWith("maskprop experiment: grid smoke: method maskrcnn is not registered (known: maskprop"), msg);
    assertFalse(msg.contains("\n"), msg);
    assertFalse(Files.exists(dir.resolve("mlruns")), "nothing tracked");
    assertFalse(Files.exists(dir.resolve("out")), "no data generated");

    Path bad = Files.writeString(dir.resolve("bad.yaml"), Files.readString(GRIDS.resolve("smoke.yaml"))
        .replace("config: configs/cpu-tiny.yaml", "preset: cpu-tiny")
        .replace("key: infer.assignThreshold", "key: infer.assignThreshhold"));
    CliRun b = run("experiment", bad.toString(), "--dry-run");
    assertEquals(2, b.code());
    assertTrue(b.err().trim().startsWith("maskprop experiment: " + bad + ": axes[0] key 'infer.assignThreshhold'"),
        b.err());
    assertFalse(b.err().trim().contains("\n"), b.err());
  }

  @Test
  void gridPresetNamesAreTheGeneratorsPresets() {
    assertEquals(new TreeSet<>(ExperimentGrid.SynthVisData.PRESETS),
        new TreeSet<>(Arrays.stream(SynthPreset.values()).map(SynthPreset::label).toList()));
  }

  @Test
  void smokeGridRunsOnSynthVisAndTracksEverything(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Path mlruns = dir.resolve("mlruns");
    CliRun r = run("experiment", GRIDS.resolve("smoke.yaml").toString(), "--out", out.toString(),
        "--mlruns", mlruns.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(Files.isRegularFile(out.resolve("data/easy-v4-f6-48x64-s0/valid.json")));
    FileStoreReader reader = new FileStoreReader(mlruns);
    String expId = reader.experimentByName("smoke").orElseThrow().experimentId();
    List<RunInfo> runs = reader.runs(expId);
    assertEquals(4, runs.size(), "parent, training child, 2 method children");
    RunInfo parent = runs.stream().filter(x -> reader.tags(x.runId()).get("mlflow.parentRunId") == null)
        .findFirst().orElseThrow();
    assertEquals("smoke", reader.params(parent.runId()).get("grid"));
    List<RunInfo> kids = reader.childRuns(parent.runId());
    assertEquals(3, kids.size(), "one training child + 2 points x maskprop: " + kids);
    List<RunInfo> train = kids.stream().filter(k -> k.runName().startsWith("train-")).toList();
    assertEquals(1, train.size(), "the two points share one detector: " + kids);
    String trainId = train.get(0).runId();
    assertEquals("train", reader.tags(trainId).get("maskprop.runKind"));
    assertEquals(30, reader.metricHistory(trainId, "total_loss").size(), "per-step losses of cpu-tiny's 30 iterations");
    for (RunInfo k : kids) {
      if (k.runId().equals(trainId)) {
        continue;
      }
      Map<String, Metric> m = reader.latestMetrics(k.runId());
      assertTrue(m.keySet().containsAll(List.of(Metrics.NAMES)), k.runName() + " " + m.keySet());
      Map<String, String> p = reader.params(k.runId());
      assertEquals("easy", p.get("synthvis.preset"));
      assertEquals("maskprop", p.get("method"));
      assertEquals(k.runName().startsWith("p0") ? "0.3" : "0.5", p.get("infer.assignThreshold"));
      assertEquals(trainId, reader.tags(k.runId()).get("maskprop.trainRunId"), k.runName());
      assertTrue(Files.isRegularFile(out.resolve("results/" + k.runName() + ".json")));
    }
    String table = Files.readString(reader.artifactDir(parent.runId()).resolve("report/table.md"));
    assertTrue(table.contains("| 0.3 |") && table.contains("| 0.5 |"), table);
    assertTrue(Files.isRegularFile(reader.artifactDir(parent.runId()).resolve("report/summary.md")));
    assertTrue(r.out().contains("grid smoke: 2 run(s)"), r.out());

    // The report command rebuilds the table from the store.
    CliRun rep = run("report", "--experiment", "smoke", "--mlruns", mlruns.toString(), "--out",
        dir.resolve("report").toString());
    assertEquals(0, rep.code(), rep.err());
    assertTrue(rep.out().contains("| 0.3 |") && rep.out().contains("| 0.5 |"), rep.out());
    assertTrue(Files.isRegularFile(dir.resolve("report/table.html")));
    assertTrue(Files.list(dir.resolve("report/charts")).anyMatch(f -> f.getFileName().toString().startsWith("history-train-")),
        "training curves chart");
  }
}
