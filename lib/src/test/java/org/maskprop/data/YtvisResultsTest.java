package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskprop.InputException;

class YtvisResultsTest {
  @TempDir Path dir;
  YtvisDataset gt;

  @BeforeEach
  void gt() throws Exception {
    Path p = dir.resolve("gt.json");
    YtvisDatasetTest.M.writeValue(p.toFile(), YtvisDatasetTest.base());
    gt = YtvisDataset.read(p);
  }

  /** Video 1 is 2x3 with 2 frames; video 2 is 4x4 with 3 frames. */
  Path results(String json) throws Exception {
    Path p = dir.resolve("results.json");
    Files.writeString(p, json);
    return p;
  }

  String errorOf(String json, boolean lenient) throws Exception {
    Path p = results(json);
    InputException e = assertThrows(InputException.class, () -> YtvisResults.read(p, gt, lenient));
    assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
    return e.getMessage();
  }

  static final String OK = """
      [{"video_id": 1, "category_id": 1, "score": 0.9,
        "segmentations": [{"size": [2, 3], "counts": "231"}, null]},
       {"video_id": 2, "category_id": 2, "score": 0.25,
        "segmentations": [null, null, {"size": [4, 4], "counts": [0, 16]}]}]
      """;

  @Test
  void readsAndRoundTrips() throws Exception {
    List<YtvisResult> r = YtvisResults.read(results(OK), gt, false);
    assertEquals(2, r.size());
    assertEquals(0.9, r.get(0).score());
    assertArrayEquals(new byte[] {0, 1, 1, 0, 1, 0}, r.get(0).segmentations().get(0).decode());
    assertNull(r.get(0).segmentations().get(1));
    assertEquals(16, r.get(1).segmentations().get(2).area());
    Path a = dir.resolve("a.json");
    Path b = dir.resolve("b.json");
    YtvisResults.write(a, r);
    List<YtvisResult> again = YtvisResults.read(a, gt, false);
    assertEquals(r, again);
    YtvisResults.write(b, again);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    assertTrue(Files.readString(a).contains("{\"size\":[4,4],\"counts\":\"0`0\"}"), Files.readString(a));
  }

  @Test
  void unknownVideoOrCategory() throws Exception {
    String m = errorOf("[{\"video_id\": 3, \"category_id\": 1, \"score\": 1, \"segmentations\": []}]", true);
    assertTrue(m.contains("results[0] (video 3), field video_id: unknown video 3"), m);
    m = errorOf("[{\"video_id\": 1, \"category_id\": 5, \"score\": 1, \"segmentations\": [null, null]}]", false);
    assertTrue(m.contains("results[0] (video 1), field category_id: unknown category 5"), m);
  }

  @Test
  void listLengthStrictAndLenient() throws Exception {
    String longer = "[{\"video_id\": 1, \"category_id\": 1, \"score\": 1,"
        + " \"segmentations\": [null, null, {\"size\": [2, 3], \"counts\": \"6\"}]}]";
    String m = errorOf(longer, false);
    assertTrue(m.contains("results[0] (video 1), field segmentations: 3 entries but the video has 2 frames"), m);
    // lenient: kept unchanged, as the official loadRes does (the evaluator zips)
    List<YtvisResult> r = YtvisResults.read(results(longer), gt, true);
    assertEquals(3, r.get(0).segmentations().size());
    String shorter = "[{\"video_id\": 2, \"category_id\": 2, \"score\": 1, \"segmentations\": [null]}]";
    m = errorOf(shorter, false);
    assertTrue(m.contains("results[0] (video 2), field segmentations: 1 entries but the video has 3 frames"), m);
    assertEquals(1, YtvisResults.read(results(shorter), gt, true).get(0).segmentations().size());
  }

  @Test
  void emptyListAndOtherErrors() throws Exception {
    String m = errorOf("[]", true);
    assertTrue(m.endsWith("contains no results; the official evaluator crashes on an empty list"), m);
    m = errorOf("[{\"video_id\": 1, \"category_id\": 1, \"score\": 1,"
        + " \"segmentations\": [null, {\"size\": [3, 2], \"counts\": \"6\"}]}]", false);
    assertTrue(m.contains("results[0] (video 1), frame 1, field segmentations[1].size: [3, 2] disagrees with the video's 2x3"), m);
    m = errorOf("[{\"video_id\": 1, \"category_id\": 1, \"segmentations\": [null, null]}]", false);
    assertTrue(m.contains("results[0] (video 1), field score: missing required field"), m);
    m = errorOf("[{\"video_id\": 1, \"category_id\": 1, \"score\": 1,"
        + " \"segmentations\": [null, {\"size\": [2, 3], \"counts\": \"7\"}]}]", false);
    assertTrue(m.contains("frame 1, field segmentations[1].counts"), m);
    m = errorOf("{\"video_id\": 1}", false);
    assertTrue(m.contains("a results file must be a JSON array"), m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"small-random", "medium-random", "crowd-random"})
  void readsSharedExamples(String example) throws Exception {
    Path base = Path.of(getClass().getResource("/ytvis-eval-examples/" + example).toURI());
    YtvisDataset g = YtvisDataset.read(base.resolve("gt.json"));
    List<YtvisResult> r = YtvisResults.read(base.resolve("results.json"), g, false);
    assertTrue(r.size() >= 16);
    Path out = dir.resolve("copy.json");
    YtvisResults.write(out, r);
    assertEquals(r, YtvisResults.read(out, g, false));
  }

  /** {@code n} valid entries alternating videos 1 and 2, entry {@code i} with score i / n. */
  static String many(int n, int badAt, int malformedAt) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(",\n");
      }
      if (i == malformedAt) {
        sb.append("{\"video_id\": 1,, }");
        continue;
      }
      String counts = i == badAt ? "2~1" : "231";
      sb.append(i % 2 == 0
          ? "{\"video_id\": 1, \"category_id\": 1, \"score\": " + (double) i / n
              + ", \"segmentations\": [{\"size\": [2, 3], \"counts\": \"" + counts + "\"}, null]}"
          : "{\"video_id\": 2, \"category_id\": 2, \"score\": " + (double) i / n
              + ", \"segmentations\": [null, {\"size\": [4, 4], \"counts\": [0, 16]}, null]}");
    }
    return sb.append("]").toString();
  }

  /** Long files are converted on worker threads: order kept, first error in file order wins. */
  @Test
  void longFilesKeepOrderAndFirstError() throws Exception {
    List<YtvisResult> r = YtvisResults.read(results(many(500, -1, -1)), gt, false);
    assertEquals(500, r.size());
    for (int i = 0; i < 500; i++) {
      assertEquals((double) i / 500, r.get(i).score());
      assertEquals(i % 2 == 0 ? 1 : 2, r.get(i).videoId());
    }
    assertEquals(Rle.fromCounts(new int[] {2, 3, 1}, 2, 3), r.get(498).segmentations().get(0));
    assertEquals(16, r.get(499).segmentations().get(1).area());
    String m = errorOf(many(500, 130, 400), false);
    assertTrue(m.contains("results[130] (video 1), frame 0, field segmentations[0].counts: RLE counts "
        + "string has invalid character '~' at offset 1"), m);
    m = errorOf(many(500, 450, 400), false);
    assertTrue(m.contains("malformed JSON at line 401"), m);
    // an error shortly before malformed JSON, in the batch being read, and in a short file
    m = errorOf(many(500, 390, 400), false);
    assertTrue(m.contains("results[390] (video 1), frame 0, field segmentations[0].counts"), m);
    m = errorOf(many(20, 4, 10), false);
    assertTrue(m.contains("results[4] (video 1), frame 0, field segmentations[0].counts"), m);
  }

  /** The streaming fast path and the tree path read plain files identically. */
  @Test
  void fastAndTreePathsAgree() throws Exception {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
    List<YtvisResult> list = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int video = 1 + rng.nextInt(2);
      int h = video == 1 ? 2 : 4;
      int w = video == 1 ? 3 : 4;
      List<Rle> masks = new java.util.ArrayList<>();
      for (int f = 0; f < (video == 1 ? 2 : 3); f++) {
        byte[] m = new byte[h * w];
        for (int k = 0; k < m.length; k++) {
          m[k] = (byte) (rng.nextInt(3) == 0 ? 1 : 0);
        }
        masks.add(rng.nextInt(5) == 0 ? null : Rle.encode(m, h, w));
      }
      list.add(new YtvisResult(video, 1 + rng.nextInt(2), rng.nextInt(10) == 0 ? -0.0 : rng.nextDouble(), masks));
    }
    Path p = dir.resolve("many.json");
    YtvisResults.write(p, list);
    List<YtvisResult> fast = YtvisResults.readFast(p, gt, false);
    assertEquals(list, fast);
    assertEquals(YtvisResults.readTrees(p, gt, false), fast);
    // JSON ints as scores, other key orders and extra keys are still plain input
    Path q = results("""
        [{"segmentations": [{"counts": "231", "x": [1, {"y": 2}], "size": [2, 3]}, null],
          "score": 1, "extra": {"a": [1]}, "category_id": 2, "video_id": 1},
         {"video_id": 2, "category_id": 1, "score": 1e-3, "segmentations": [null, null, null]}]
        """);
    List<YtvisResult> f2 = YtvisResults.readFast(q, gt, false);
    assertEquals(YtvisResults.readTrees(q, gt, false), f2);
    assertEquals(1.0, f2.get(0).score());
    // anything unusual is left to the tree path
    assertNull(YtvisResults.readFast(results(OK), gt, false)); // integer-list counts
    assertNull(YtvisResults.readFast(results(
        "[{\"video_id\": 1, \"video_id\": 1, \"category_id\": 1, \"score\": 0.5, "
            + "\"segmentations\": [null, null]}]"), gt, false));
  }
}
