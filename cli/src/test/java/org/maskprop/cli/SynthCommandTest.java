package org.maskprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code maskprop synth}: exit codes and messages; a tiny run writes the layout. */
class SynthCommandTest {
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = MaskPropCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void badArgumentsExitWithTwoAndNameTheOption() {
    String dir = tmp.resolve("x").toString();
    Run size = run("synth", "--out", dir, "--size", "96by128");
    assertEquals(2, size.code());
    assertTrue(size.err().contains("--size"), size.err());
    Run videos = run("synth", "--out", dir, "--videos", "0");
    assertEquals(2, videos.code());
    assertTrue(videos.err().contains("--videos"), videos.err());
    Run preset = run("synth", "--out", dir, "--preset", "hard");
    assertEquals(2, preset.code());
    assertTrue(preset.err().contains("hard"), preset.err());
  }

  @Test
  void refusesToOverwriteForeignSplitFiles() throws Exception {
    Files.createDirectories(tmp.resolve("ytvis/valid"));
    Run r = run("synth", "--out", tmp.resolve("ytvis").toString(), "--videos", "1");
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
    Run first = run(args);
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
    Run second = run(args);
    assertEquals(0, second.code(), second.err());
    assertTrue(second.err().contains("replacing"), second.err());
  }
}
