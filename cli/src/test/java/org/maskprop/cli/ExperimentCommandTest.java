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
    assertTrue(r.out().contains("3 point(s) x 1 method(s) x 1 split(s) = 3 run(s)"), r.out());
    assertTrue(r.out().contains("point 2: {backbone.arch=X101_64X4D}"), r.out());
    assertTrue(r.out().contains("run p1-maskprop-valid  [cannot run: not built yet]"), r.out());
    assertTrue(r.out().contains("dry run: nothing was run"), r.out());
    assertFalse(Files.exists(dir.resolve("out")) || Files.exists(dir.resolve("mlruns")));
  }

  @Test
  void unbuiltMethodsAndBadGridsExitTwoWithOneLine(@TempDir Path dir) throws Exception {
    CliRun r = run("experiment", GRIDS.resolve("table2.yaml").toString(), "--out", dir.resolve("out").toString(),
        "--mlruns", dir.resolve("mlruns").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    String msg = r.err().trim();
    assertTrue(msg.startsWith("maskprop experiment: grid table2: method maskprop is not built yet"), msg);
    assertFalse(msg.contains("\n"), msg);
    assertFalse(Files.exists(dir.resolve("mlruns")), "nothing tracked");

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
    assertEquals(5, runs.size());
    RunInfo parent = runs.stream().filter(x -> reader.tags(x.runId()).get("mlflow.parentRunId") == null)
        .findFirst().orElseThrow();
    assertEquals("smoke", reader.params(parent.runId()).get("grid"));
    List<RunInfo> kids = reader.childRuns(parent.runId());
    assertEquals(4, kids.size());
    for (RunInfo k : kids) {
      Map<String, Metric> m = reader.latestMetrics(k.runId());
      assertEquals(new TreeSet<>(List.of(Metrics.NAMES)), m.keySet(), k.runName());
      assertEquals("easy", reader.params(k.runId()).get("synthvis.preset"));
      if (k.runName().contains("reference-gt")) {
        assertEquals(1.0, m.get("AP").value(), 1e-12, k.runName());
      }
    }
    assertTrue(Files.readString(reader.artifactDir(parent.runId()).resolve("report/table.md"))
        .contains("reference-gt / 0.5"));
    assertTrue(r.out().contains("grid smoke: 4 run(s)"), r.out());
  }
}
