package org.maskprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.cli.CliRun.run;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;

class FrameApCommandTest {
  @TempDir Path tmp;

  @Test
  void scoresEveryFrameOfTheSplitWithTheRunsOwnConfig() {
    Path data = tmp.resolve("data");
    SynthVis.generate(SynthVisSpec.of(SynthPreset.EASY, 2, 2, 2, 3, "48x64", 5, 1), data, false);
    Path runDir = tmp.resolve("run");
    CliRun train = run(TrainCommandTest.args(data, runDir, tmp.resolve("mlruns"), 2));
    assertEquals(0, train.code(), train.err());

    CliRun ap = run("frame-ap", "--checkpoint", runDir.toString(), "--data", data.toString(), "--split", "valid",
        "--set", "infer.scoreThreshold=0.0");
    assertEquals(0, ap.code(), ap.err());
    assertTrue(ap.out().contains("frame-ap: 6 frames"), ap.out()); // 2 valid videos x 3 frames

    CliRun missing = run("frame-ap", "--checkpoint", runDir.toString(), "--data", data.toString(), "--split", "nope");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("nope.json: no such file"), missing.err());
  }
}
