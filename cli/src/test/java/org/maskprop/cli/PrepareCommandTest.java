package org.maskprop.cli;

import static org.maskprop.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;

/** {@code maskprop prepare}: help, exit codes, a tiny YouTube-VIS-layout import and stats. */
class PrepareCommandTest {
  @TempDir static Path tmp;
  static Path root;


  /** The project's command line, with {@code prepare} added if MaskPropCli does not list it yet. */

  /** A tiny SynthVIS dataset: a YouTube-VIS 2019 layout with GT in train. */
  @BeforeAll
  static void synthRoot() {
    root = tmp.resolve("synth");
    SynthVis.generate(SynthVisSpec.of(SynthPreset.EASY, 6, 2, 2, 3, "24x32", 1, 1), root, false);
  }

  @Test
  void helpForEverySubcommand() {
    for (String sub : new String[] {"", "ytvis", "custom", "stats"}) {
      CliRun r = sub.isEmpty() ? run("prepare", "--help") : run("prepare", sub, "--help");
      assertEquals(0, r.code(), sub);
      assertTrue(r.out().contains("Usage: maskprop prepare" + (sub.isEmpty() ? "" : " " + sub)),
          r.out());
    }
  }

  @Test
  void ytvisSplitsAndStatsReadsTheResult() throws Exception {
    Path out = tmp.resolve("split");
    CliRun r = run("prepare", "ytvis", "--root", root.toString(), "--out", out.toString(),
        "--valid-fraction", "0.34", "--seed", "3");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("YouTube-VIS 2019 at"), r.out());
    assertTrue(r.out().contains("train     4 videos"), r.out());
    assertTrue(r.out().contains("valid     2 videos"), r.out());
    assertTrue(r.out().contains("not comparable to the paper's"), r.out());
    assertTrue(Files.isRegularFile(out.resolve("valid.json")));

    Path md = tmp.resolve("stats.md");
    CliRun s = run("prepare", "stats", "--json", out.resolve("train.json").toString(),
        "--json", out.resolve("valid.json").toString(),
        "--image-root", out.resolve("train/JPEGImages").toString(),
        "--image-root", out.resolve("valid/JPEGImages").toString(), "--out", md.toString());
    assertEquals(0, s.code(), s.err());
    assertTrue(Files.readString(md).contains("| statistic | train | valid |\n"));
    assertTrue(Files.readString(md).contains("| videos | 4 | 2 |\n"), Files.readString(md));
  }

  @Test
  void statsColumnsAreNamedAfterTheSplit() {
    java.util.Map<String, Object> taken = new java.util.HashMap<>();
    assertEquals("valid", PrepareCommand.Stats.columnName(Path.of("/d/valid.json"), taken));
    assertEquals("train", PrepareCommand.Stats.columnName(Path.of("/y21/train/instances.json"), taken));
    taken.put("valid", 1);
    assertEquals("valid#2", PrepareCommand.Stats.columnName(Path.of("/e/valid.json"), taken));
  }

  @Test
  void badInputExitsWithTwo() throws Exception {
    CliRun version = run("prepare", "ytvis", "--root", root.toString(), "--out",
        tmp.resolve("x").toString(), "--version", "2020");
    assertEquals(2, version.code());
    assertTrue(version.err().contains("expected 2019 or 2021"), version.err());
    CliRun fraction = run("prepare", "ytvis", "--root", root.toString(), "--out",
        tmp.resolve("x").toString(), "--valid-fraction", "1.5");
    assertEquals(2, fraction.code());
    assertTrue(fraction.err().contains("--valid-fraction 1.5"), fraction.err());
    CliRun custom = run("prepare", "custom", "--in", tmp.resolve("nothing").toString(), "--out",
        tmp.resolve("y").toString());
    assertEquals(2, custom.code());
    assertTrue(custom.err().contains("categories.csv: file not found"), custom.err());

    // a missing frame: the report, then one line, exit 2; the table is still printed by stats
    Path broken = tmp.resolve("broken");
    SynthVis.generate(SynthVisSpec.of(SynthPreset.EASY, 3, 2, 2, 3, "24x32", 1, 1), broken, false);
    Files.delete(broken.resolve("train/JPEGImages/00001/00002.jpg"));
    CliRun y = run("prepare", "ytvis", "--root", broken.toString(), "--out", tmp.resolve("z").toString());
    assertEquals(2, y.code());
    assertTrue(y.err().contains("1 of 3 frame files missing"), y.err());
    assertTrue(y.err().strip().lines().reduce((a, b) -> b).orElseThrow()
        .startsWith("maskprop ytvis: "), y.err());
    CliRun s = run("prepare", "stats", "--json", broken.resolve("train.json").toString(),
        "--image-root", broken.resolve("train/JPEGImages").toString());
    assertEquals(2, s.code());
    assertTrue(s.out().contains("instances per video: mean"), s.out());
    assertTrue(s.err().contains("1 x missing-frames"), s.err());
  }
}
