package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NmsTest {

  /** torchvision.ops.batched_nms on 300 boxes, 3 classes, duplicates and tied scores (fixture). */
  @Test
  void matchesTorchvisionBatchedNms() {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> fx = Fixtures.load(m, "nms");
      for (int iou : new int[] {3, 5, 7}) {
        NDArray keep = Nms.batched(fx.get("boxes"), fx.get("scores"), fx.get("idxs"), iou / 10.0);
        assertEquals(DataType.INT64, keep.getDataType());
        assertArrayEquals(fx.get("keep_" + iou).toType(DataType.INT64, false).toLongArray(), keep.toLongArray(),
            "iou " + iou / 10.0);
      }
    }
  }

  /** Same keep list as a plain greedy reference on 1000 random cases (coarse grid: ties, duplicates). */
  @Test
  void matchesReferenceOnRandomBoxes() {
    for (int seed = 0; seed < 1000; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      int n = seed % 50 == 0 ? 0 : rnd.nextInt(1, 120);
      float[] boxes = new float[4 * n];
      float[] scores = new float[n];
      int[] classes = new int[n];
      int numClasses = 1 + rnd.nextInt(3);
      boolean coarse = seed % 2 == 0;
      for (int i = 0; i < n; i++) {
        if (i > 0 && rnd.nextInt(10) == 0) { // exact duplicate of an earlier box
          System.arraycopy(boxes, 4 * rnd.nextInt(i), boxes, 4 * i, 4);
        } else {
          float x = coarse ? rnd.nextInt(20) : (float) rnd.nextDouble(0, 50);
          float y = coarse ? rnd.nextInt(20) : (float) rnd.nextDouble(0, 50);
          float w = coarse ? rnd.nextInt(0, 10) : (float) rnd.nextDouble(0, 20);
          float h = coarse ? rnd.nextInt(0, 10) : (float) rnd.nextDouble(0, 20);
          boxes[4 * i] = x;
          boxes[4 * i + 1] = y;
          boxes[4 * i + 2] = x + w;
          boxes[4 * i + 3] = y + h;
        }
        scores[i] = coarse ? rnd.nextInt(8) / 8f : (float) rnd.nextDouble();
        classes[i] = rnd.nextInt(numClasses) * 7 - 3; // arbitrary (also negative) ids
      }
      double iou = new double[] {0.0, 0.3, 0.5, 0.7, 1.0 / 3, 0.5f}[seed % 6];
      int[] expected = reference(boxes, scores, classes, iou);
      assertArrayEquals(expected, Nms.keep(boxes, scores, classes, iou), "seed " + seed);
      if (numClasses == 1) {
        assertArrayEquals(expected, Nms.keep(boxes, scores, null, iou), "seed " + seed + " (no classes)");
      }
    }
  }

  /** IoU exactly at the threshold does not suppress (strict >); just above does. */
  @Test
  void thresholdIsStrict() {
    float[] boxes = {0, 0, 2, 1, 0, 0, 1, 1}; // IoU = 1 / 2
    float[] scores = {0.9f, 0.8f};
    assertArrayEquals(new int[] {0, 1}, Nms.keep(boxes, scores, null, 0.5));
    assertArrayEquals(new int[] {0}, Nms.keep(boxes, scores, null, 0.4999));
    // different classes never suppress each other
    assertArrayEquals(new int[] {0, 1}, Nms.keep(boxes, scores, new int[] {1, 2}, 0.1));
  }

  /** Ties: the lower index wins and comes first. */
  @Test
  void tiesPreferLowerIndex() {
    float[] boxes = {0, 0, 10, 10, 0, 0, 10, 10, 50, 50, 60, 60, 0, 0, 10, 10};
    float[] scores = {0.5f, 0.5f, 0.5f, 0.7f};
    assertArrayEquals(new int[] {3, 2}, Nms.keep(boxes, scores, null, 0.5));
    float[] tied = {0.5f, 0.5f, 0.5f, 0.5f};
    assertArrayEquals(new int[] {0, 2}, Nms.keep(boxes, tied, null, 0.5));
  }

  @Test
  void scoreThresholdAndCap() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray boxes = m.create(new float[] {0, 0, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 0, 0, 10, 11},
          new Shape(4, 4));
      NDArray scores = m.create(new float[] {0.9f, 0.05f, 0.6f, 0.8f});
      assertArrayEquals(new long[] {0, 2, 1}, Nms.batched(boxes, scores, null, 0.5).toLongArray());
      assertArrayEquals(new long[] {0, 2}, Nms.batched(boxes, scores, null, 0.5, 0.05f, -1).toLongArray());
      assertArrayEquals(new long[] {0}, Nms.batched(boxes, scores, null, 0.5, 0f, 1).toLongArray());
      NDArray empty = Nms.batched(m.zeros(new Shape(0, 4)), m.zeros(new Shape(0)), null, 0.5);
      assertEquals(new Shape(0), empty.getShape());
    }
  }

  @Test
  void floatBelowAgreesWithDoubleComparison() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (int k = 0; k < 10000; k++) {
      double t = k < 5 ? new double[] {0.7, 0.5, 0.3, 1.0 / 3, 0.1}[k] : rnd.nextDouble();
      float f = Nms.floatBelow(t);
      for (float x : new float[] {(float) t, Math.nextUp((float) t), Math.nextDown((float) t), f, Math.nextUp(f)}) {
        assertEquals(x > t, x > f, "t=" + t + " x=" + x);
      }
    }
  }

  /** Plain greedy NMS: the textbook loop, IoU in float32, strict comparison in double. */
  private static int[] reference(float[] boxes, float[] scores, int[] classes, double iou) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a]) : Integer.compare(a, b));
    boolean[] suppressed = new boolean[n];
    List<Integer> keep = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      int i = order[a];
      if (suppressed[i]) {
        continue;
      }
      keep.add(i);
      for (int b = a + 1; b < n; b++) {
        int j = order[b];
        if (classes[i] != classes[j]) {
          continue;
        }
        float w = Math.max(0, Math.min(boxes[4 * i + 2], boxes[4 * j + 2]) - Math.max(boxes[4 * i], boxes[4 * j]));
        float h = Math.max(0, Math.min(boxes[4 * i + 3], boxes[4 * j + 3]) - Math.max(boxes[4 * i + 1], boxes[4 * j + 1]));
        float inter = w * h;
        float ai = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
        float aj = (boxes[4 * j + 2] - boxes[4 * j]) * (boxes[4 * j + 3] - boxes[4 * j + 1]);
        if (inter / (ai + aj - inter) > iou) {
          suppressed[j] = true;
        }
      }
    }
    assertTrue(keep.size() <= n);
    return keep.stream().mapToInt(Integer::intValue).toArray();
  }
}
