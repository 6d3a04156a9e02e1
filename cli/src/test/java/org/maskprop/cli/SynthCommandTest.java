package org.maskprop.cli;

import static org.maskprop.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code maskprop synth}: exit codes and messages; a tiny run writes the layout. */
class SynthCommandTest {
  @TempDir Path tmp;



  @Test
  void badArgumentsExitWithTwoAndNameTheOption() {
    String dir = tmp.resolve("x").toString();
    CliRun size = run("synth", "--out", dir, "--size", "96by128");
    assertEquals(2, size.code());
    assertTrue(size.err().contains("--size"), size.err());
    CliRun videos = run("synth", "--out", dir, "--videos", "0");
    assertEquals(2, videos.code());
    assertTrue(videos.err().contains("--videos"), videos.err());
    CliRun preset = run("synth", "--out", dir, "--preset", "hard");
    assertEquals(2, preset.code());
    assertTrue(preset.err().contains("hard"), preset.err());
  }

  @Test
  void refusesToOverwriteForeignSplitFiles() throws Exception {
    Files.createDirectories(tmp.resolve("ytvis/valid"));
    CliRun r = run("synth", "--out", tmp.resolve("ytvis").toString(), "--videos", "1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("valid"), r.err());
  }

  @Test
  void tinyRunWritesEverySplitAndSaysWhenItReplaces() {
    String dir = tmp.resolve("synth").toString();
    String[] args = {
      "synth", "--out", dir, "--preset", "Occlusion", "--videos", "2", "--test-videos", "1",
      "--frames", "3", "--size", "24x32", "--seed", "5"
    };
    CliRun first = run(args);
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("SynthVIS occlusion"), first.out());
    for (String f :
        new String[] {
          "train.json", "valid.json", "test.json", "synthvis.json",
          "train/JPEGImages/00001/00002.jpg", "valid/JPEGImages/00001/00002.jpg",
          "test/JPEGImages/00000/00002.jpg"
        }) {
      assertTrue(Files.isRegularFile(tmp.resolve("synth").resolve(f)), f);
    }
    assertTrue(Files.notExists(tmp.resolve("synth/test/JPEGImages/00001")));
    CliRun second = run(args);
    assertEquals(0, second.code(), second.err());
    assertTrue(second.err().contains("replacing"), second.err());
  }
}
