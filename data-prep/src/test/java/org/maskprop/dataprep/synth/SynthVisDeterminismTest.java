package org.maskprop.dataprep.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;

/** Same spec, same bytes; the output-folder rule. */
class SynthVisDeterminismTest {
  @TempDir Path tmp;

  private static SynthVisSpec spec(int trainVideos, long seed, int threads) {
    return new SynthVisSpec(SynthPreset.OCCLUSION, trainVideos, 2, 2, 6, 40, 56, seed, threads);
  }

  @Test
  void sameSpecGivesByteIdenticalFilesWhateverTheThreadCount() throws IOException {
    SynthVis.generate(spec(3, 7, 2), tmp.resolve("a"), false);
    SynthVis.generate(spec(3, 7, 1), tmp.resolve("b"), false);
    Map<String, byte[]> a = files(tmp.resolve("a"));
    Map<String, byte[]> b = files(tmp.resolve("b"));
    // marker + 3 split JSONs + (3 + 2 + 2) videos x 6 frames
    assertEquals(1 + 3 + 7 * 6, a.size());
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name);
    }
    assertTrue(a.containsKey("train/JPEGImages/00002/00005.jpg"));
    assertTrue(a.containsKey("test/JPEGImages/00001/00000.jpg"));
  }

  @Test
  void differentSeedGivesDifferentData() throws IOException {
    SynthVis.generate(spec(2, 7, 2), tmp.resolve("a"), false);
    SynthVis.generate(spec(2, 8, 2), tmp.resolve("b"), false);
    Map<String, byte[]> a = files(tmp.resolve("a"));
    Map<String, byte[]> b = files(tmp.resolve("b"));
    for (String name :
        new String[] {"train.json", "valid.json", "train/JPEGImages/00000/00000.jpg"}) {
      assertFalse(Arrays.equals(a.get(name), b.get(name)), name);
    }
  }

  @Test
  void replacesAPreviousSynthVisOutputCompletely() throws IOException {
    Path out = tmp.resolve("out");
    SynthVis.Summary first = SynthVis.generate(spec(4, 3, 2), out, false);
    assertFalse(first.replacedPrevious());
    assertEquals(SynthVis.OutputState.PREVIOUS_SYNTHVIS, SynthVis.checkOutput(out));
    SynthVis.Summary second = SynthVis.generate(spec(2, 3, 2), out, false);
    assertTrue(second.replacedPrevious());
    SynthVis.generate(spec(2, 3, 2), tmp.resolve("fresh"), false);
    Map<String, byte[]> replaced = files(out);
    Map<String, byte[]> fresh = files(tmp.resolve("fresh"));
    assertEquals(fresh.keySet(), replaced.keySet()); // videos 00002, 00003 of train are gone
    for (String name : fresh.keySet()) {
      assertArrayEquals(fresh.get(name), replaced.get(name), name);
    }
  }

  @Test
  void splitsDoNotDependOnEachOthersSize() throws IOException {
    SynthVis.generate(spec(2, 5, 2), tmp.resolve("a"), false);
    SynthVis.generate(spec(3, 5, 2), tmp.resolve("b"), false);
    assertArrayEquals(
        Files.readAllBytes(tmp.resolve("a/valid.json")),
        Files.readAllBytes(tmp.resolve("b/valid.json")));
    assertArrayEquals(
        Files.readAllBytes(tmp.resolve("a/train/JPEGImages/00001/00003.jpg")),
        Files.readAllBytes(tmp.resolve("b/train/JPEGImages/00001/00003.jpg")));
  }

  @Test
  void refusesAFolderWithSplitFilesItDidNotWrite() throws IOException {
    Path out = tmp.resolve("ytvis");
    Files.createDirectories(out.resolve("train/JPEGImages/abc"));
    Files.writeString(out.resolve("train.json"), "{}");
    InputException e =
        assertThrows(InputException.class, () -> SynthVis.generate(spec(1, 1, 1), out, false));
    assertTrue(e.getMessage().contains("train.json"), e.getMessage());
    assertEquals("{}", Files.readString(out.resolve("train.json")));
    assertTrue(Files.isDirectory(out.resolve("train/JPEGImages/abc")));

    Path file = tmp.resolve("plain-file");
    Files.writeString(file, "x");
    assertThrows(InputException.class, () -> SynthVis.checkOutput(file));
  }

  @Test
  void badSpecsNameTheOption() {
    assertEquals(
        "--videos: must be between 1 and 100000, got 0",
        assertThrows(
                InputException.class,
                () -> SynthVisSpec.of(SynthPreset.EASY, 0, null, null, 12, "96x128", 0, 2))
            .getMessage());
    assertTrue(
        assertThrows(
                InputException.class,
                () -> SynthVisSpec.of(SynthPreset.EASY, 4, null, null, 12, "96*128", 0, 2))
            .getMessage()
            .startsWith("--size:"));
    assertTrue(
        assertThrows(
                InputException.class,
                () -> SynthVisSpec.of(SynthPreset.EASY, 4, null, null, 12, "8x128", 0, 2))
            .getMessage()
            .startsWith("--size (height):"));
    assertTrue(
        assertThrows(
                InputException.class,
                () -> SynthVisSpec.of(SynthPreset.EASY, 4, null, null, 0, "96x128", 0, 2))
            .getMessage()
            .startsWith("--frames:"));
    SynthVisSpec s = SynthVisSpec.of(SynthPreset.EASY, 16, null, 3, 12, "96x128", 0, 2);
    assertEquals(96, s.height());
    assertEquals(128, s.width());
    assertEquals(4, s.validVideos()); // max(2, 16 / 4)
    assertEquals(3, s.testVideos());
    assertEquals(2, SynthVisSpec.defaultHeldOut(5));
  }

  /** Every file under {@code root} by relative path (with '/'), in sorted order. */
  static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
