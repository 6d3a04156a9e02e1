package org.maskprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.cli.CliRun.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;
import org.maskprop.train.Checkpointer;
import org.maskprop.train.TrainRun;

/**
 * {@code maskprop train}: cpu-tiny on a generated 3-video SynthVIS for 4 iterations, a resume to 6
 * that continues at 5, and the input errors (exit 2).
 */
class TrainCommandTest {
  @TempDir Path tmp;

  /** cpu-tiny shrunk to 48 x 64 frames (anchors and budgets to match), logging off. */
  static List<String> tiny(Path data, int iterations) {
    return List.of("--set", "data.root=" + data, "--set", "data.minSize=48", "--set", "data.maxSize=64",
        "--set", "train.scales=[48]", "--set", "rpn.anchorSizes=[8, 16, 32, 64, 128]",
        "--set", "rpn.preNmsTopN.train=100", "--set", "rpn.postNmsTopN.train=30",
        "--set", "rpn.batchSizePerImage=64", "--set", "roiHeads.batchSizePerImage=32",
        "--set", "backbone.fpnChannels=16", "--set", "train.checkpointPeriod=2",
        "--set", "train.iterations=" + iterations);
  }

  static String[] args(Path data, Path runDir, Path mlruns, int iterations, String... extra) {
    List<String> a = new ArrayList<>(List.of("train", "--preset", "cpu-tiny", "--out", runDir.toString(),
        "--mlruns", mlruns.toString()));
    a.addAll(tiny(data, iterations));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  /** The "timestamp value step" lines of one metric of the only run of experiment maskprop-train. */
  static List<String> metricLines(Path mlruns, String runId, String metric) throws Exception {
    try (Stream<Path> files = Files.walk(mlruns)) {
      Path f = files.filter(p -> p.endsWith(Path.of(runId, "metrics", metric))).findFirst().orElseThrow();
      return Files.readAllLines(f);
    }
  }

  @Test
  void trainsWritesTheRunFolderAndResumesWhereItStopped() throws Exception {
    Path data = tmp.resolve("data");
    SynthVis.generate(SynthVisSpec.of(SynthPreset.EASY, 3, 2, 2, 4, "48x64", 3, 1), data, false);
    Path runDir = tmp.resolve("run");
    Path mlruns = tmp.resolve("mlruns");

    CliRun first = run(args(data, runDir, mlruns, 4));
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("iterations 1..4"), first.out());
    for (String f : List.of("config.yaml", "last_checkpoint", "model_final.ckpt", "model_0000001.ckpt")) {
      assertTrue(Files.isRegularFile(runDir.resolve(f)), f);
    }
    assertEquals("model_final.ckpt", Files.readString(runDir.resolve(Checkpointer.POINTER)).trim());
    List<String> sets = new ArrayList<>();
    List<String> t = tiny(data, 4);
    for (int i = 1; i < t.size(); i += 2) {
      sets.add(t.get(i));
    }
    assertEquals(MaskPropConfig.fromPreset("cpu-tiny", sets).toYaml(), Files.readString(runDir.resolve("config.yaml")));
    String run1 = Files.readString(runDir.resolve(TrainRun.RUN_ID_FILE)).trim();
    List<String> loss1 = metricLines(mlruns, run1, "total_loss");
    assertEquals(List.of("1", "2", "3", "4"), loss1.stream().map(l -> l.split(" ")[2]).toList());

    // without --resume the folder is not overwritten
    CliRun again = run(args(data, runDir, mlruns, 4));
    assertEquals(2, again.code());
    assertTrue(again.err().contains("--resume"), again.err());

    CliRun resumed = run(args(data, runDir, mlruns, 6, "--resume"));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("iterations 5..6"), resumed.out());
    String run2 = Files.readString(runDir.resolve(TrainRun.RUN_ID_FILE)).trim();
    assertFalse(run1.equals(run2));
    List<String> loss2 = metricLines(mlruns, run2, "total_loss");
    assertEquals(List.of("5", "6"), loss2.stream().map(l -> l.split(" ")[2]).toList());
    assertTrue(Files.readString(runDir.resolve("config.yaml")).contains("iterations: 6"));
  }

  @Test
  void divergenceExitsWithThree() {
    Path data = tmp.resolve("data");
    SynthVis.generate(SynthVisSpec.of(SynthPreset.EASY, 2, 2, 2, 3, "48x64", 3, 1), data, false);
    CliRun r = run(args(data, tmp.resolve("run"), tmp.resolve("mlruns"), 3, "--set", "train.baseLr=1e30",
        "--set", "train.warmupIterations=0", "--set", "train.gradClipNorm=1e30"));
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains("diverged"), r.err());
  }

  @Test
  void missingDataRootIsAnInputErrorNamingThePathAndTheSynthCommand() {
    Path missing = tmp.resolve("nowhere");
    CliRun r = run(args(missing, tmp.resolve("run"), tmp.resolve("mlruns"), 2));
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(missing.resolve("train.json").toString()), r.err());
    assertTrue(r.err().contains("maskprop synth --out " + missing), r.err());
    assertFalse(Files.exists(tmp.resolve("run")));
  }

  @Test
  void configFileIsReadWithSetsOnTop() throws Exception {
    Path cfg = tmp.resolve("run.yaml");
    Files.writeString(cfg, "preset: cpu-tiny\ndata:\n  root: " + tmp.resolve("from-file") + "\n");
    CliRun fromFile = run("train", "--config", cfg.toString(), "--out", tmp.resolve("r").toString());
    assertEquals(2, fromFile.code());
    assertTrue(fromFile.err().contains(tmp.resolve("from-file").resolve("train.json").toString()), fromFile.err());
    CliRun overridden = run("train", "--config", cfg.toString(), "--set", "data.root=" + tmp.resolve("from-set"),
        "--out", tmp.resolve("r").toString());
    assertEquals(2, overridden.code());
    assertTrue(overridden.err().contains(tmp.resolve("from-set").resolve("train.json").toString()), overridden.err());
  }

  @Test
  void unknownSetKeyAndMissingSourceExitWithTwo() {
    CliRun key = run("train", "--preset", "cpu-tiny", "--set", "train.iterationz=3", "--out", tmp.resolve("r").toString());
    assertEquals(2, key.code());
    assertTrue(key.err().contains("iterationz"), key.err());
    CliRun none = run("train", "--out", tmp.resolve("r").toString());
    assertEquals(2, none.code());
    CliRun both = run("train", "--preset", "cpu-tiny", "--config", "x.yaml", "--out", tmp.resolve("r").toString());
    assertEquals(2, both.code());
    CliRun preset = run("train", "--preset", "gpu-huge", "--out", tmp.resolve("r").toString());
    assertEquals(2, preset.code());
    assertTrue(preset.err().contains("gpu-huge"), preset.err());
  }
}
