package org.maskprop.cli;

import static org.maskprop.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.RunSpec;
import org.maskprop.tracking.RunStatus;

/** {@code maskprop report} on a file store written by the test. */
class ReportCommandTest {
  @TempDir Path dir;



  /** Experiment "clips": a parent with a loss curve, children varying infer.clipLength. */
  private Path store() {
    Path root = dir.resolve("mlruns");
    try (FileStoreTracker t = new FileStoreTracker(root, Optional.empty())) {
      String parent = t.startRun(RunSpec.of("clips", "fig6-grid"));
      for (int s = 0; s < 4; s++) {
        t.logMetric(parent, "loss_prop", 1.0 / (s + 1), s);
      }
      double[] ap = {0.301, 0.4449, 0.466};
      String[] len = {"13", "1", "7"};
      for (int i = 0; i < 3; i++) {
        String c = t.startRun(RunSpec.of("clips", "T" + len[i]).childOf(parent));
        t.logParams(c, new TreeMap<>(Map.of("infer.clipLength", len[i], "infer.maskThreshold", "0.5")));
        t.logMetrics(c, Map.of("AP", ap[i], "AP75", 0.5, "AR1", 0.25, "AR10", 0.75), 0);
        t.endRun(c, RunStatus.FINISHED);
      }
      t.endRun(parent, RunStatus.FINISHED);
    }
    return root;
  }

  @Test
  void reportsAnExperimentFromTheStore() throws Exception {
    Path root = store();
    Path out = dir.resolve("rep");
    CliRun r = run("report", "--experiment", "clips", "--mlruns", root.toString(), "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    String table = """
        | infer.clipLength | mAP | AP75 | AR1 | AR10 |
        |---|---:|---:|---:|---:|
        | 1 | 44.5 | 50.0 | 25.0 | 75.0 |
        | 7 | 46.6 | 50.0 | 25.0 | 75.0 |
        | 13 | 30.1 | 50.0 | 25.0 | 75.0 |
        """;
    assertTrue(r.out().contains(table), r.out());
    assertTrue(r.out().contains("Stand-in config values (not the paper's): infer.maskThreshold=0.5 \\[U\\]."), r.out());
    String md = Files.readString(out.resolve("table.md"));
    assertTrue(md.contains(table) && md.contains("![charts/clip-length.png](charts/clip-length.png)"), md);
    String html = Files.readString(out.resolve("table.html"));
    assertTrue(html.contains("<td>13</td><td class=\"num\">30.1</td>"), html);
    for (String png : List.of("clip-length.png", "AP-by-infer.clipLength.png")) {
      BufferedImage img = ImageIO.read(out.resolve("charts").resolve(png).toFile());
      assertNotNull(img, png);
      assertEquals(800, img.getWidth());
    }
    try (var files = Files.list(out.resolve("charts"))) {
      assertEquals(List.of(".png", ".svg"),
          files.map(f -> f.getFileName().toString())
              .filter(n -> n.startsWith("history-fig6-grid-"))
              .map(n -> n.substring(n.lastIndexOf('.')))
              .sorted()
              .toList(),
          "the parent's loss curve, as PNG and SVG");
    }
  }

  @Test
  void metricsAndRowsAreOptionsAndPaperTablesJoin() {
    Path root = store();
    CliRun r = run("report", "--experiment", "clips", "--mlruns", root.toString(), "--out", dir.resolve("o").toString(),
        "--metrics", "AP,AR10", "--paper", "3");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("| infer.clipLength | mAP | AR10 |"), r.out());
    assertTrue(r.out().contains("| paper \\[P\\], YouTube-VIS 2019 val | MaskProp | 46.6 | 51.2 |"), r.out());
    assertTrue(r.out().contains("| ours, experiment clips | 7 | 46.6 | n/a |"), r.out());
    assertTrue(r.out().contains("SynthVIS numbers are not comparable to YouTube-VIS"), r.out());
  }

  @Test
  void unknownExperimentListsTheKnownOnes() {
    Path root = store();
    CliRun r = run("report", "--experiment", "nope", "--mlruns", root.toString(), "--out", dir.resolve("o").toString());
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("no experiment 'nope'") && r.err().contains("known: Default, clips"), r.err());
    assertFalse(Files.exists(dir.resolve("o")));
  }

  @Test
  void emptyStoreAndBadOptionsAreExitTwo() {
    CliRun empty = run("report", "--experiment", "x", "--mlruns", dir.resolve("none").toString());
    assertEquals(2, empty.code());
    assertTrue(empty.err().contains("no MLflow experiments here"), empty.err());
    Path root = store();
    CliRun metric = run("report", "--experiment", "clips", "--mlruns", root.toString(), "--metrics", "AP,APX",
        "--out", dir.resolve("o").toString());
    assertEquals(2, metric.code());
    assertTrue(metric.err().contains("has metric APX"), metric.err());
    CliRun rows = run("report", "--experiment", "clips", "--mlruns", root.toString(), "--rows", "backbone",
        "--out", dir.resolve("o").toString());
    assertEquals(2, rows.code());
    assertTrue(rows.err().contains("param backbone"), rows.err());
    CliRun paper = run("report", "--experiment", "clips", "--mlruns", root.toString(), "--paper", "5");
    assertEquals(2, paper.code());
    assertEquals(1, paper.err().strip().lines().count(), paper.err());
  }
}
