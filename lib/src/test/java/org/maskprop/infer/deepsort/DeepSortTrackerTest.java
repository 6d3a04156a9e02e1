package org.maskprop.infer.deepsort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.Detection;

/** Synthetic videos of rectangles in a 100 x 200 frame with hand-picked embeddings. */
class DeepSortTrackerTest {
  private static final int H = 100;
  private static final int W = 200;
  private static final float[] RED = {1, 0, 0, 0};
  private static final float[] BLUE = {0, 1, 0, 0};
  private static final float[] GREEN = {0, 0, 1, 0};

  private static Rle rect(int x, int y, int w, int h) {
    byte[] m = new byte[H * W];
    for (int r = y; r < y + h; r++) {
      for (int c = x; c < x + w; c++) {
        m[r * W + c] = 1;
      }
    }
    return Rle.encode(m, H, W);
  }

  /** Embedding plus small seeded noise (cosine distance to the clean one well under 0.2). */
  private static AppearanceDetection det(
      Rle mask, int category, double score, float[] emb, Random rnd) {
    float[] e = emb.clone();
    for (int i = 0; i < e.length; i++) {
      e[i] += (float) (0.05 * rnd.nextGaussian());
    }
    return new AppearanceDetection(new Detection(mask, category, score), e);
  }

  @Test
  void crossingObjectsKeepTheirIdentities() {
    Random rnd = new Random(1);
    int frames = 21;
    DeepSortTracker tracker = new DeepSortTracker(DeepSortParams.defaults(), frames);
    Rle[] masksA = new Rle[frames];
    Rle[] masksB = new Rle[frames];
    int idA = -1;
    int idB = -1;
    for (int f = 0; f < frames; f++) {
      masksA[f] = rect(20 + 7 * f, 40, 20, 30); // left to right
      masksB[f] = rect(160 - 7 * f, 44, 20, 30); // right to left, overlapping A around f = 10
      // alternate the detection order so list position carries no identity
      List<AppearanceDetection> dets =
          f % 2 == 0
              ? List.of(det(masksA[f], 1, 0.9, RED, rnd), det(masksB[f], 2, 0.6, BLUE, rnd))
              : List.of(det(masksB[f], 2, 0.6, BLUE, rnd), det(masksA[f], 1, 0.9, RED, rnd));
      int[] ids = tracker.step(dets);
      int a = ids[f % 2 == 0 ? 0 : 1];
      int b = ids[f % 2 == 0 ? 1 : 0];
      if (f == 0) {
        idA = a;
        idB = b;
        assertNotEquals(idA, idB);
      }
      assertEquals(idA, a, "object A at frame " + f);
      assertEquals(idB, b, "object B at frame " + f);
    }
    List<YtvisResult> res = tracker.results(7);
    assertEquals(2, res.size());
    YtvisResult ra = res.get(0);
    YtvisResult rb = res.get(1);
    assertEquals(1, ra.categoryId());
    assertEquals(2, rb.categoryId());
    assertEquals(0.9, ra.score(), 1e-12);
    assertEquals(0.6, rb.score(), 1e-12);
    assertEquals(7, ra.videoId());
    for (int f = 0; f < frames; f++) {
      assertSame(masksA[f], ra.segmentations().get(f));
      assertSame(masksB[f], rb.segmentations().get(f));
    }
  }

  /**
   * Two objects meet and bounce back: the motion model alone expects them to pass through each
   * other and would swap the identities (checked with identical embeddings); the appearance cost
   * of the cascade keeps them, with the Mahalanobis gate still admitting the turned-back boxes.
   */
  @Test
  void bouncingObjectsNeedAppearance() {
    assertEquals(0, bounceSwaps(BLUE));
    assertTrue(bounceSwaps(RED) > 0, "with equal appearance motion alone swaps identities");
  }

  /** Number of frames in which the tracks of A (RED) and B ({@code embB}) are swapped. */
  private static int bounceSwaps(float[] embB) {
    Random rnd = new Random(7);
    int frames = 20;
    DeepSortTracker tracker = new DeepSortTracker(DeepSortParams.defaults(), frames);
    int swaps = 0;
    int idA = -1;
    int idB = -1;
    for (int f = 0; f < frames; f++) {
      int d = f <= 10 ? f : 20 - f; // approach until they coincide at frame 10, then back
      int[] ids = tracker.step(List.of(
          det(rect(60 + 2 * d, 40, 20, 30), 1, 0.9, RED, rnd),
          det(rect(100 - 2 * d, 40, 20, 30), 2, 0.9, embB, rnd)));
      if (f == 0) {
        idA = ids[0];
        idB = ids[1];
      } else if (ids[0] == idB || ids[1] == idA) {
        swaps++;
      }
    }
    return swaps;
  }

  @Test
  void confirmedAfterNInitHitsAndDeletedAfterMaxAgeMisses() {
    Random rnd = new Random(2);
    int maxAge = 5;
    DeepSortTracker tracker = new DeepSortTracker(DeepSortParams.defaults().withMaxAge(maxAge), 12);
    Rle m = rect(50, 30, 30, 40);
    for (int f = 0; f < 3; f++) {
      tracker.step(List.of(det(m, 3, 0.5, RED, rnd)));
      assertEquals(1, tracker.tracks().size());
      DeepSortTracker.TrackState expected =
          f < 2 ? DeepSortTracker.TrackState.TENTATIVE : DeepSortTracker.TrackState.CONFIRMED;
      assertEquals(expected, tracker.tracks().get(0).state(), "after frame " + f);
      assertEquals(f + 1, tracker.tracks().get(0).hits());
    }
    for (int miss = 1; miss <= maxAge; miss++) {
      tracker.step(List.of());
      assertEquals(1, tracker.tracks().size(), "after " + miss + " misses");
      assertEquals(DeepSortTracker.TrackState.CONFIRMED, tracker.tracks().get(0).state());
      assertEquals(miss, tracker.tracks().get(0).timeSinceUpdate());
    }
    tracker.step(List.of());
    assertTrue(tracker.tracks().isEmpty(), "deleted after more than maxAge misses");
    // same place and appearance again: a new track
    int[] ids = tracker.step(List.of(det(m, 3, 0.5, RED, rnd)));
    assertEquals(1, ids[0]);
    List<YtvisResult> res = tracker.results(0);
    assertEquals(1, res.size()); // the new track is tentative
    for (int f = 0; f < 12; f++) {
      if (f < 3) {
        assertSame(m, res.get(0).segmentations().get(f));
      } else {
        assertNull(res.get(0).segmentations().get(f));
      }
    }
  }

  @Test
  void tentativeTrackDiesOnFirstMissAndIsNotReported() {
    Random rnd = new Random(3);
    DeepSortTracker tracker = new DeepSortTracker(DeepSortParams.defaults(), 6);
    Rle m = rect(50, 30, 30, 40);
    int[] first = tracker.step(List.of(det(m, 3, 0.5, RED, rnd)));
    tracker.step(List.of(det(m, 3, 0.5, RED, rnd)));
    tracker.step(List.of());
    assertTrue(tracker.tracks().isEmpty());
    int[] again = tracker.step(List.of(det(m, 3, 0.5, RED, rnd)));
    assertNotEquals(first[0], again[0]);
    assertTrue(tracker.results(0).isEmpty());
  }

  @Test
  void objectMissingForFourFramesIsReidentifiedByAppearance() {
    Random rnd = new Random(4);
    int frames = 12;
    DeepSortTracker tracker = new DeepSortTracker(DeepSortParams.defaults(), frames);
    int id = -1;
    for (int f = 0; f < 6; f++) {
      int[] ids = tracker.step(List.of(det(rect(20 + 4 * f, 30, 20, 30), 1, 0.8, RED, rnd)));
      id = ids[0];
    }
    assertEquals(0, id);
    for (int f = 6; f < 10; f++) {
      tracker.step(List.of());
    }
    double[] predicted = tracker.tracks().get(0).box(); // prediction for frame 9
    int px = (int) Math.round(predicted[0] + 4); // one more step at ~4 px per frame
    // frame 10: a differently looking object exactly where the track is expected, ours a bit off
    Rle ours = rect(px + 5, 31, 20, 30);
    Rle other = rect(px, 30, 20, 30);
    int[] ids = tracker.step(
        List.of(det(other, 2, 0.7, GREEN, rnd), det(ours, 1, 0.8, RED, rnd)));
    assertEquals(id, ids[1], "reappearing object continues its track");
    assertNotEquals(id, ids[0], "look-alike position, other appearance: new track");
    ids = tracker.step(List.of(det(rect(px + 9, 31, 20, 30), 1, 0.8, RED, rnd)));
    assertEquals(id, ids[0]);
    YtvisResult r = tracker.results(0).get(0);
    for (int f = 6; f < 10; f++) {
      assertNull(r.segmentations().get(f));
    }
    assertSame(ours, r.segmentations().get(10));
  }

  @Test
  void sameAppearanceOutsideTheMotionGateStartsANewTrack() {
    Random rnd = new Random(5);
    DeepSortTracker tracker = new DeepSortTracker(DeepSortParams.defaults(), 8);
    for (int f = 0; f < 5; f++) {
      tracker.step(List.of(det(rect(20, 30, 20, 30), 1, 0.8, RED, rnd)));
    }
    tracker.step(List.of());
    int[] ids = tracker.step(List.of(det(rect(150, 30, 20, 30), 1, 0.8, RED, rnd)));
    assertEquals(1, ids[0]);
  }

  @Test
  void inconsistentEmbeddingOrMaskSizeIsRejected() {
    Random rnd = new Random(8);
    DeepSortTracker tracker = new DeepSortTracker(DeepSortParams.defaults(), 5);
    tracker.step(List.of(det(rect(10, 10, 20, 20), 1, 0.5, RED, rnd)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> tracker.step(List.of(det(rect(10, 10, 20, 20), 1, 0.5, new float[] {1, 0}, rnd))));
    assertTrue(e.getMessage().contains("frame 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> tracker.step(List.of(det(Rle.empty(50, 50), 1, 0.5, RED, rnd))));
    assertThrows(IllegalArgumentException.class,
        () -> new AppearanceDetection(new Detection(Rle.empty(H, W), 1, 0.5), new float[3]));
  }

  @Test
  void emptyMasksAreSkippedAndTrackHelperRunsAVideo() {
    Random rnd = new Random(6);
    List<List<AppearanceDetection>> video = new ArrayList<>();
    for (int f = 0; f < 4; f++) {
      video.add(List.of(det(Rle.empty(H, W), 1, 0.9, RED, rnd),
          det(rect(60, 20, 25, 25), 4, 0.4, BLUE, rnd)));
    }
    List<YtvisResult> res = DeepSortTracker.track(3, video, DeepSortParams.defaults());
    assertEquals(1, res.size());
    assertEquals(4, res.get(0).categoryId());
    assertEquals(0.4, res.get(0).score(), 1e-12);
    assertEquals(4, res.get(0).segmentations().size());
  }
}
