package org.maskprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.cli.CliRun.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.eval.Metrics;
import org.maskprop.tracking.FileStoreReader;

/** The demo pipeline on a tiny set-up (cpu-tiny, a few iterations): every output, then step reuse. */
class DemoCommandTest {
  @TempDir Path tmp;

  private String[] args(Path out, Path mlruns, String... extra) {
    List<String> a = new ArrayList<>(List.of("demo", "--out", out.toString(), "--mlruns", mlruns.toString(),
        "--videos", "3", "--frames", "4", "--size", "48x64", "--model-preset", "cpu-tiny", "--methods", "maskprop"));
    for (String s : List.of("data.minSize=48", "data.maxSize=64", "train.scales=[48]",
        "rpn.anchorSizes=[8, 16, 32, 64, 128]", "backbone.fpnChannels=16", "train.iterations=3",
        "train.checkpointPeriod=3")) {
      a.add("--set");
      a.add(s);
    }
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void runsEveryStepThenReusesThem() throws Exception {
    Path out = tmp.resolve("demo");
    Path mlruns = tmp.resolve("mlruns");
    CliRun first = run(args(out, mlruns));
    assertEquals(0, first.code(), first.err());
    for (String f : List.of("data/valid.json", "model/last_checkpoint", "model/config.yaml",
        "results/maskprop.json", "metrics/maskprop.json", "report.md", "charts/map-by-method.png")) {
      assertTrue(Files.exists(out.resolve(f)), f + "\n" + first.out());
    }
    try (var s = Files.list(out.resolve("metrics"))) { // the eval command's files only
      assertEquals(List.of("maskprop.json"), s.map(p -> p.getFileName().toString()).toList());
    }
    Metrics m = Metrics.fromJson(Files.readString(out.resolve("metrics/maskprop.json")), "metrics");
    assertTrue(m.asMap().get("AP") >= 0, m.toJson());
    assertTrue(Files.readString(out.resolve("report.md")).contains("| maskprop |"));
    try (var s = Files.walk(out.resolve("overlay"))) {
      List<String> files = s.map(p -> out.relativize(p).toString()).toList();
      assertTrue(files.stream().anyMatch(p -> p.endsWith(".mp4")), "overlay mp4: " + files);
      assertTrue(files.stream().anyMatch(p -> p.endsWith(".png")), "overlay png: " + files);
    }
    assertTrue(new FileStoreReader(mlruns).experimentByName(DemoCommand.EXPERIMENT).isPresent());

    long modelTime = Files.getLastModifiedTime(out.resolve("model/last_checkpoint")).toMillis();
    CliRun second = run(args(out, mlruns));
    assertEquals(0, second.code(), second.err());
    assertTrue(second.out().contains("SynthVIS: reusing"), second.out());
    assertTrue(second.out().contains("training: reusing"), second.out());
    assertTrue(second.out().contains("maskprop: reusing"), second.out());
    assertEquals(modelTime, Files.getLastModifiedTime(out.resolve("model/last_checkpoint")).toMillis());

    CliRun fresh = run(args(out, mlruns, "--fresh"));
    assertEquals(0, fresh.code(), fresh.err());
    assertTrue(fresh.out().contains("[2/5] training cpu-tiny"), fresh.out());
  }
}
