package org.maskprop.infer.deepsort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.data.Rle;
import org.maskprop.infer.Detection;

/**
 * Track ids against the reference implementation (nwojke/deep_sort {@code Tracker} with the
 * cosine metric, max_cosine_distance 0.2, budget 100, max_iou_distance 0.7, max_age 30, n_init 3;
 * numpy 1.24 / scipy 1.10), run on the same scripted 40-frame scene: two crossing objects, a
 * 4-frame and a 3-frame miss, a tentative track that dies, a one-frame look-alike clutter box.
 * Reference ids start at 1; the fixture stores them minus 1, in detection order per frame.
 */
class DeepSortReferenceTest {
  private static final int[][] REFERENCE_IDS = {
      {0, 1},
      {0, 1},
      {0},
      {0, 2},
      {0, 2},
      {0, 2, 3},
      {0, 2, 3},
      {0, 2, 3, 4},
      {0, 2, 3},
      {0, 2, 3},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {2, 3, 5},
      {2, 3, 5},
      {2, 3, 5},
      {2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3},
      {0, 2, 3},
      {0, 2, 3},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 3, 5},
      {0, 2, 5},
      {0, 2, 5},
      {0, 2, 5},
      {0, 2, 5},
      {0, 2, 5},
      {0, 5},
      {0, 5},
      {0, 5},
      {0, 5}
  };

  /** (object, [x, y, w, h]) per frame, the same script the reference ran. */
  private static List<int[]> objects(int f) {
    List<int[]> out = new ArrayList<>();
    if (f <= 39 && !(f >= 15 && f <= 18)) {
      out.add(new int[] {0, 10 + 5 * f, 50, 30, 40});
    }
    if (f >= 3 && f <= 35) {
      out.add(new int[] {1, 300 - 4 * f, 60, 30, 40});
    }
    if (f == 0 || f == 1 || (f >= 5 && f <= 30)) {
      out.add(new int[] {2, 200, 200, 40, 40});
    }
    if (f >= 10 && f <= 39 && f != 20 && f != 21 && f != 22) {
      out.add(new int[] {3, 50 + 2 * f, 150 + f, 25, 50});
    }
    if (f == 7) {
      out.add(new int[] {0, 100, 250, 20, 20}); // looks like object 0, far from it
    }
    return out;
  }

  private static Rle rect(int x, int y, int w, int h) {
    int height = 300;
    int width = 400;
    byte[] m = new byte[height * width];
    for (int r = y; r < y + h; r++) {
      for (int c = x; c < x + w; c++) {
        m[r * width + c] = 1;
      }
    }
    return Rle.encode(m, height, width);
  }

  @Test
  void trackIdsMatchTheReference() {
    DeepSortTracker tracker = new DeepSortTracker(DeepSortParams.defaults(), 40);
    for (int f = 0; f < 40; f++) {
      List<AppearanceDetection> dets = new ArrayList<>();
      for (int[] o : objects(f)) {
        float[] e = new float[6];
        e[o[0]] = 1;
        e[5] = (float) (0.1 * Math.sin(f + o[0]));
        dets.add(new AppearanceDetection(
            new Detection(rect(o[1], o[2], o[3], o[4]), 1, 0.9), e));
      }
      assertArrayEquals(REFERENCE_IDS[f], tracker.step(dets), "frame " + f);
    }
  }
}
