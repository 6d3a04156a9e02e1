package org.maskprop.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;

class VideoLevelAssignerTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /** A track centred at t whose mask at frame f is {@code maskAt.apply(f)}. */
  static ClipTrack track(
      int t, int k, int numFrames, int h, int w, IntFunction<float[]> maskAt, CategoryScore... s) {
    int first = Math.max(0, t - k);
    int last = Math.min(numFrames - 1, t + k);
    float[][] masks = new float[last - first + 1][];
    for (int f = first; f <= last; f++) {
      masks[f - first] = maskAt.apply(f);
    }
    return new ClipTrack(t, first, h, w, masks, List.of(s), new float[] {0, 0, 1, 1});
  }

  static float[] m(float... v) {
    return v;
  }

  static VideoLevelAssigner assigner(int numFrames, int h, int w, int clipLength, double thr) {
    return new VideoLevelAssigner(manager, 7, numFrames, h, w, h, w, clipLength, thr, 0.5, 1.0);
  }

  /** Row-major binary mask of a {@code h x w} frame with the rectangle rows r0..r1, cols c0..c1. */
  static Rle box(int h, int w, int r0, int r1, int c0, int c1) {
    byte[] b = new byte[h * w];
    for (int r = r0; r <= r1; r++) {
      for (int c = c0; c <= c1; c++) {
        b[r * w + c] = 1;
      }
    }
    return Rle.encode(b, h, w);
  }

  static float[] rect(int h, int w, int r0, int r1, int c0, int c1) {
    float[] f = new float[h * w];
    for (int r = r0; r <= r1; r++) {
      for (int c = c0; c <= c1; c++) {
        f[r * w + c] = 1;
      }
    }
    return f;
  }

  @Test
  void eq4ByHandOn2x2WithK1() {
    // a centred at 1 covers [0, 2]; b centred at 2 covers [1, 3]; O = [1, 2].
    float[] ones = m(1, 1, 1, 1);
    ClipTrack a =
        track(1, 1, 4, 2, 2, f -> f == 1 ? m(1, 0.5f, 0, 0) : f == 2 ? m(0, 0, 1, 1) : ones);
    ClipTrack b =
        track(2, 1, 4, 2, 2, f -> f == 1 ? m(1, 0, 0, 0) : f == 2 ? m(0, 0, 0.5f, 0) : ones);
    // frame 1: I = 1, U = 1.5 + 1 - 1 = 1.5, sIoU = 2 / 2.5 = 0.8
    // frame 2: I = 0.5, U = 2 + 0.5 - 0.5 = 2, sIoU = 1.5 / 3 = 0.5
    double[][] y = VideoLevelAssigner.matchingScores(manager, List.of(a), List.of(b), 1.0, 0.5).scores();
    assertEquals(0.65, y[0][0], 1e-6);
    // symmetric
    double[][] yt = VideoLevelAssigner.matchingScores(manager, List.of(b), List.of(a), 1.0, 0.5).scores();
    assertEquals(0.65, yt[0][0], 1e-6);
  }

  @Test
  void eq4LeavesOutFramesWhereBothAreEmpty() {
    float[] ones = m(1, 1, 1, 1);
    float[] faint = m(0.2f, 0, 0, 0); // max < 0.5: empty
    ClipTrack a = track(1, 1, 4, 2, 2, f -> f == 1 ? m(1, 0.5f, 0, 0) : f == 2 ? faint : ones);
    ClipTrack b = track(2, 1, 4, 2, 2, f -> f == 1 ? m(1, 0, 0, 0) : f == 2 ? faint : ones);
    // frame 2 would add sIoU (0.04 + 1) / (0.36 + 1) = 0.7647 if counted; only frame 1 (0.8) counts
    double[][] y = VideoLevelAssigner.matchingScores(manager, List.of(a), List.of(b), 1.0, 0.5).scores();
    assertEquals(0.8, y[0][0], 1e-6);
    // one empty, one not: counted (sIoU = (0 + 1) / (2 + 1))
    ClipTrack c = track(2, 1, 4, 2, 2, f -> f == 1 ? m(1, 0, 0, 0) : m(0, 0, 1, 1));
    ClipTrack d = track(1, 1, 4, 2, 2, f -> f == 1 ? m(1, 0, 0, 0) : faint);
    y = VideoLevelAssigner.matchingScores(manager, List.of(d), List.of(c), 1.0, 0.5).scores();
    assertEquals((1.0 + (0 + 1.0) / (2.2 + 1.0)) / 2, y[0][0], 1e-6);
    // all overlapping frames empty in both: 0, not 1
    ClipTrack e = track(1, 1, 4, 2, 2, f -> faint);
    ClipTrack g = track(2, 1, 4, 2, 2, f -> faint);
    VideoLevelAssigner.Matching none =
        VideoLevelAssigner.matchingScores(manager, List.of(e), List.of(g), 1.0, 0.5);
    assertEquals(0.0, none.scores()[0][0]);
    assertEquals(0, none.frames()[0][0]);
  }

  @Test
  void eq5AveragesOverTheEarlierTracksOfAnIdByHand() {
    // earlier tracks 0..3 with IDs 0, 0, 1, 0; pair (0, 3) has no informative frame
    double[][] y = {{0.9, 0.6, 0.3, 0.0}, {0.1, 0.2, 0.8, 0.6}};
    int[][] frames = {{2, 1, 3, 0}, {2, 1, 3, 1}};
    double[][] s =
        VideoLevelAssigner.identityScores(
            new VideoLevelAssigner.Matching(y, frames), new int[] {0, 0, 1, 0}, 3);
    assertEquals(0.75, s[0][0], 1e-12); // (0.9 + 0.6) / 2, the uninformative pair left out
    assertEquals(0.3, s[0][1], 1e-12);
    assertTrue(Double.isNaN(s[0][2])); // ID 2 has no earlier track here
    assertEquals(0.3, s[1][0], 1e-12); // (0.1 + 0.2 + 0.6) / 3
    assertEquals(0.8, s[1][1], 1e-12);
  }

  /**
   * ID 0 holds tracks A (centre 0) and B (centre 1); C (centre 2) has y(C,A) = 2/3 and y(C,B) =
   * (2/3 + 2/5) / 2 = 8/15, so s(C, 0) = 0.6 (max would be 0.667, the latest track 0.533).
   */
  private static int[] eq5Scenario(double threshold) {
    float[] p01 = m(1, 1, 0, 0);
    float[] p0 = m(1, 0, 0, 0);
    float[] all = m(1, 1, 1, 1);
    VideoLevelAssigner as = assigner(4, 2, 2, 3, threshold);
    int[] ida = as.add(0, List.of(track(0, 1, 4, 2, 2, f -> p01)));
    int[] idb = as.add(1, List.of(track(1, 1, 4, 2, 2, f -> f == 2 ? all : p01)));
    int[] idc = as.add(2, List.of(track(2, 1, 4, 2, 2, f -> p0)));
    return new int[] {ida[0], idb[0], idc[0]};
  }

  @Test
  void eq5EndToEndJoinsAboveAndOpensNewIdBelowThreshold() {
    assertArrayEquals(new int[] {0, 0, 0}, eq5Scenario(0.58));
    assertArrayEquals(new int[] {0, 0, 1}, eq5Scenario(0.62));
  }

  @Test
  void scoreExactlyAtThresholdOpensNewId() {
    // y = (1 + 1) / (3 + 1) = 0.5 in both frames; "exceeds" is strict
    VideoLevelAssigner as = assigner(2, 2, 2, 3, 0.5);
    as.add(0, List.of(track(0, 1, 2, 2, 2, f -> m(1, 1, 0, 0))));
    assertArrayEquals(new int[] {1}, as.add(1, List.of(track(1, 1, 2, 2, 2, f -> m(1, 0, 1, 0)))));
    VideoLevelAssigner lower = assigner(2, 2, 2, 3, 0.49);
    lower.add(0, List.of(track(0, 1, 2, 2, 2, f -> m(1, 1, 0, 0))));
    assertArrayEquals(new int[] {0}, lower.add(1, List.of(track(1, 1, 2, 2, 2, f -> m(1, 0, 1, 0)))));
  }

  @Test
  void crossingObjectsKeepTheirIds() {
    int n = 11;
    int h = 2;
    int w = 12;
    int k = 2;
    // object 1 moves right (cols f..f+1), object 2 left (cols 10-f..11-f); they coincide at f = 5
    IntFunction<float[]> right = f -> rect(h, w, 0, 1, f, f + 1);
    IntFunction<float[]> left = f -> rect(h, w, 0, 1, 10 - f, 11 - f);
    VideoLevelAssigner as = assigner(n, h, w, 2 * k + 1, 0.5);
    for (int t = 0; t < n; t++) {
      ClipTrack r = track(t, k, n, h, w, right, new CategoryScore(3, 0.9));
      ClipTrack l = track(t, k, n, h, w, left, new CategoryScore(3, 0.8));
      // the order within a frame alternates, so it cannot carry the identity
      int[] ids = t % 2 == 0 ? as.add(t, List.of(r, l)) : as.add(t, List.of(l, r));
      int idR = t % 2 == 0 ? ids[0] : ids[1];
      int idL = t % 2 == 0 ? ids[1] : ids[0];
      assertEquals(0, idR, "frame " + t);
      assertEquals(1, idL, "frame " + t);
    }
    List<YtvisResult> res = as.finish();
    assertEquals(2, res.size());
    for (int f = 0; f < n; f++) {
      assertEquals(box(h, w, 0, 1, f, f + 1), res.get(0).segmentations().get(f));
      assertEquals(box(h, w, 0, 1, 10 - f, 11 - f), res.get(1).segmentations().get(f));
    }
    assertEquals(3, res.get(0).categoryId());
    assertEquals(0.9, res.get(0).score(), 1e-9);
    assertEquals(0.8, res.get(1).score(), 1e-9);
    assertEquals(7, res.get(0).videoId());
  }

  @Test
  void objectMissingForFewerThanKFramesKeepsItsId() {
    int n = 13;
    int k = 3;
    // visible in 0..4 and 7..12; the propagated mask is empty where it is hidden
    IntFunction<float[]> obj = f -> f == 5 || f == 6 ? new float[4] : m(1, 1, 0, 0);
    VideoLevelAssigner as = assigner(n, 2, 2, 2 * k + 1, 0.5);
    List<Integer> ids = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      List<ClipTrack> tracks =
          t == 5 || t == 6 ? List.of() : List.of(track(t, k, n, 2, 2, obj, new CategoryScore(1, 1)));
      for (int id : as.add(t, tracks)) {
        ids.add(id);
      }
    }
    assertEquals(11, ids.size());
    assertTrue(ids.stream().allMatch(i -> i == 0), ids.toString());
    List<YtvisResult> res = as.finish();
    assertEquals(1, res.size());
    assertNull(res.get(0).segmentations().get(5));
    assertNull(res.get(0).segmentations().get(6));
    assertEquals(box(2, 2, 0, 0, 0, 1), res.get(0).segmentations().get(7));
  }

  @Test
  void objectMissingLongerThan2kFramesGetsANewId() {
    int n = 14;
    int k = 3;
    IntFunction<float[]> obj = f -> f >= 5 && f <= 12 ? new float[4] : m(1, 1, 0, 0);
    VideoLevelAssigner as = assigner(n, 2, 2, 2 * k + 1, 0.5);
    for (int t = 0; t < 5; t++) {
      assertArrayEquals(new int[] {0}, as.add(t, List.of(track(t, k, n, 2, 2, obj))));
    }
    // centre 13 is 9 > 2k frames after centre 4: no held track overlaps it
    assertArrayEquals(new int[] {1}, as.add(13, List.of(track(13, k, n, 2, 2, obj))));
  }

  @Test
  void twoInstancesOfOneFrameNeverShareAnId() {
    // A' and B' both match ID 0 (y = 1 and 5/6 > 0.5); per-track argmax would merge them.
    int n = 2;
    IntFunction<float[]> a = f -> rect(1, 6, 0, 0, 0, 3); // 4 pixels
    IntFunction<float[]> b = f -> rect(1, 6, 0, 0, 0, 4); // 5 pixels: sIoU(a, b) = 5/6
    VideoLevelAssigner as = assigner(n, 1, 6, 3, 0.5);
    assertArrayEquals(new int[] {0}, as.add(0, List.of(track(0, 1, n, 1, 6, a, new CategoryScore(2, 1)))));
    int[] ids =
        as.add(
            1,
            List.of(
                track(1, 1, n, 1, 6, b, new CategoryScore(2, 1)),
                track(1, 1, n, 1, 6, a, new CategoryScore(2, 1))));
    // the better match (a, y = 1) keeps ID 0 although listed second; b opens ID 1
    assertArrayEquals(new int[] {1, 0}, ids);
    List<YtvisResult> res = as.finish();
    assertEquals(2, res.size());
    assertNotEquals(res.get(0).segmentations(), res.get(1).segmentations());
  }

  @Test
  void finalMasksAreBinarisedMeansAndScoresAreMeansPerCategory() {
    // k = 1, 3 frames: frame 1 is covered by centres 0, 1, 2, all given ID 0 (threshold 0.3).
    float[] ones = m(1, 1, 1, 1);
    float[] m1 = m(0.9f, 0.2f, 0.6f, 0.0f);
    float[] m2 = m(0.6f, 0.5f, 0.3f, 0.0f);
    float[] m3 = m(0.6f, 0.7f, 0.7f, 0.3f);
    VideoLevelAssigner as = assigner(3, 2, 2, 3, 0.3);
    assertArrayEquals(
        new int[] {0},
        as.add(0, List.of(track(0, 1, 3, 2, 2, f -> f == 1 ? m1 : ones, new CategoryScore(1, 0.9)))));
    assertArrayEquals(
        new int[] {0},
        as.add(
            1,
            List.of(
                track(1, 1, 3, 2, 2, f -> f == 1 ? m2 : ones,
                    new CategoryScore(1, 0.6), new CategoryScore(2, 0.3)))));
    assertArrayEquals(
        new int[] {0},
        as.add(2, List.of(track(2, 1, 3, 2, 2, f -> f == 1 ? m3 : ones, new CategoryScore(2, 0.9)))));
    List<YtvisResult> res = as.finish();
    // means at frame 1: [0.7, 0.4667, 0.5333, 0.1] -> [1, 0, 1, 0] (majority of binarised masks
    // would give [1, 1, 1, 0])
    Rle expected1 = Rle.encode(new byte[] {1, 0, 1, 0}, 2, 2);
    Rle full = Rle.encode(new byte[] {1, 1, 1, 1}, 2, 2);
    assertEquals(2, res.size());
    assertEquals(1, res.get(0).categoryId());
    assertEquals(1.5 / 3, res.get(0).score(), 1e-9);
    assertEquals(2, res.get(1).categoryId());
    assertEquals(1.2 / 3, res.get(1).score(), 1e-9);
    for (YtvisResult r : res) {
      assertEquals(List.of(full, expected1, full), r.segmentations());
    }
  }

  @Test
  void interpolationMatrixMatchesHalfPixelBilinear() {
    // 2 -> 4: sample points 0 (clamped), 0.25, 0.75, 1.25 (clamped to the last pixel)
    assertArrayEquals(
        new float[] {1, 0, 0.75f, 0.25f, 0.25f, 0.75f, 0, 1},
        VideoLevelAssigner.interpolation(2, 4));
    // 4 -> 2: sample points 0.5 and 2.5
    assertArrayEquals(
        new float[] {0.5f, 0.5f, 0, 0, 0, 0, 0.5f, 0.5f}, VideoLevelAssigner.interpolation(4, 2));
    // 5 -> 3 applied to [0, 1, 2, 3, 4]: torch interpolate(bilinear, align_corners=False) gives
    // [0.3333, 2.0, 3.6667] (Debian python3-torch 1.13)
    float[] w = VideoLevelAssigner.interpolation(5, 3);
    float[] expected = {1f / 3, 2f, 11f / 3};
    for (int o = 0; o < 3; o++) {
      double v = 0;
      for (int i = 0; i < 5; i++) {
        v += w[o * 5 + i] * i;
      }
      assertEquals(expected[o], v, 1e-5);
    }
  }

  @Test
  void finalMasksAreResizedToTheOutputSize() {
    // working 2x2 [[1, 0], [0, 0]] -> 4x4: value wr[r] * wc[c] with w = [1, .75, .25, 0]
    VideoLevelAssigner as = new VideoLevelAssigner(manager, 1, 1, 2, 2, 4, 4, 13, 0.5, 0.5, 1.0);
    as.add(0, List.of(track(0, 6, 1, 2, 2, f -> m(1, 0, 0, 0), new CategoryScore(1, 1))));
    List<YtvisResult> res = as.finish();
    assertEquals(box(4, 4, 0, 1, 0, 1), res.get(0).segmentations().get(0));
  }

  @Test
  void longStreamHoldsABoundedNumberOfTracks() {
    int n = 2000;
    int k = 6;
    int h = 2;
    int w = 4;
    IntFunction<float[]> left = f -> rect(h, w, 0, 1, 0, 1);
    IntFunction<float[]> right = f -> rect(h, w, 0, 1, 2, 3);
    VideoLevelAssigner as = assigner(n, h, w, 2 * k + 1, 0.5);
    int bound = (2 * k + 1) * 2;
    for (int t = 0; t < n; t++) {
      as.add(
          t,
          List.of(
              track(t, k, n, h, w, left, new CategoryScore(1, 0.5)),
              track(t, k, n, h, w, right, new CategoryScore(2, 0.5))));
      assertTrue(as.retainedTrackCount() <= bound, "frame " + t + ": " + as.retainedTrackCount());
      assertTrue(as.retainedMaskFrames() <= bound * (2 * k + 1));
      assertEquals(Math.max(0, t - k + 1), as.emittedFrames());
      assertEquals(0, manager.getManagedArrays().size(), "native arrays left after frame " + t);
    }
    assertEquals(bound, as.maxRetainedTrackCount());
    assertEquals(2, as.identityCount());
    List<YtvisResult> res = as.finish();
    assertEquals(2, res.size());
    assertEquals(n, res.get(0).segmentations().size());
    assertTrue(res.get(0).segmentations().stream().allMatch(box(h, w, 0, 1, 0, 1)::equals));
    assertTrue(res.get(1).segmentations().stream().allMatch(box(h, w, 0, 1, 2, 3)::equals));
  }

  @Test
  void rejectsTracksOutOfOrderOrOfTheWrongClip() {
    VideoLevelAssigner as = assigner(5, 2, 2, 3, 0.5);
    as.add(2, List.of(track(2, 1, 5, 2, 2, f -> m(1, 0, 0, 0))));
    assertThrows(IllegalArgumentException.class, () -> as.add(2, List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> as.add(3, List.of(track(3, 2, 5, 2, 2, f -> m(1, 0, 0, 0))))); // clip of k = 2
    assertThrows(
        IllegalArgumentException.class,
        () -> as.add(3, List.of(track(3, 1, 5, 1, 4, f -> m(1, 0, 0, 0))))); // wrong size
  }
}
