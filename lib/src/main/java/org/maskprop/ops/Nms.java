package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Greedy non-maximum suppression per class, with torchvision's rule ({@code batched_nms}): within
 * each class, boxes are visited by descending score (ties: lower index first); a visited box that
 * is not yet suppressed is kept and suppresses every later box of its class whose IoU with it is
 * strictly greater than the threshold. The kept indices come out by descending score.
 *
 * <p>The greedy pass is the algorithm itself, so it runs in Java over primitive arrays: one
 * vectorisable sweep per kept box over the later, still alive boxes of its class, IoU in float32
 * as torchvision's CPU kernel computes it. Instead of torchvision's coordinate-offset trick (shift
 * each class far apart so that one NMS never mixes classes) we partition by class, which gives the
 * same keep set without perturbing coordinates by large float offsets, and skips cross-class
 * pairs entirely. Boxes are copied to the host once (N x 16 bytes).
 */
public final class Nms {
  private Nms() {}

  /**
   * Per-class NMS on the engine's arrays.
   *
   * @param boxes {@code [N, 4]} XYXY
   * @param scores {@code [N]}
   * @param classes {@code [N]} integer class (or group) ids; null = one class
   * @return int64 {@code [K]} kept indices into the inputs, by descending score
   */
  public static NDArray batched(NDArray boxes, NDArray scores, NDArray classes, double iouThreshold) {
    return batched(boxes, scores, classes, iouThreshold, Float.NEGATIVE_INFINITY, -1);
  }

  /**
   * Per-class NMS after dropping boxes with {@code score <= scoreThreshold} (strict, as
   * torchvision's {@code box_score_thresh}), keeping at most {@code maxOutputs} (≤ 0: all) of the
   * highest-scoring survivors.
   */
  public static NDArray batched(
      NDArray boxes, NDArray scores, NDArray classes, double iouThreshold, float scoreThreshold, int maxOutputs) {
    Shape s = boxes.getShape();
    if (s.dimension() != 2 || s.get(1) != 4 || scores.getShape().dimension() != 1 || scores.size() != s.get(0)) {
      throw new IllegalArgumentException(
          "Nms: boxes must be [N, 4] and scores [N], got " + s + " and " + scores.getShape());
    }
    float[] b;
    float[] sc;
    int[] cls;
    try (NDManager scope = boxes.getManager().newSubManager()) { // conversions are temporaries
      scope.tempAttachAll(boxes, scores);
      if (classes != null) {
        scope.tempAttachAll(classes);
      }
      b = boxes.toType(DataType.FLOAT32, false).toFloatArray();
      sc = scores.toType(DataType.FLOAT32, false).toFloatArray();
      cls = classes == null ? null : classes.toType(DataType.INT32, false).toIntArray();
    }
    int[] kept = keep(b, sc, cls, iouThreshold, scoreThreshold, maxOutputs);
    long[] out = new long[kept.length];
    for (int i = 0; i < kept.length; i++) {
      out[i] = kept[i];
    }
    return boxes.getManager().create(out, new Shape(out.length)).toDevice(boxes.getDevice(), false);
  }

  /** {@link #keep(float[], float[], int[], double, float, int)} without score threshold or cap. */
  public static int[] keep(float[] boxes, float[] scores, int[] classes, double iouThreshold) {
    return keep(boxes, scores, classes, iouThreshold, Float.NEGATIVE_INFINITY, -1);
  }

  /**
   * Per-class greedy NMS on host arrays.
   *
   * @param boxes {@code 4 N} values, x1, y1, x2, y2 per box
   * @param classes {@code N} class ids, or null for a single class
   * @return kept indices by descending score (ties: lower index first)
   */
  public static int[] keep(
      float[] boxes, float[] scores, int[] classes, double iouThreshold, float scoreThreshold, int maxOutputs) {
    int n = scores.length;
    if (boxes.length != 4 * n || (classes != null && classes.length != n)) {
      throw new IllegalArgumentException("Nms: " + boxes.length / 4 + " boxes, " + n + " scores"
          + (classes == null ? "" : ", " + classes.length + " classes"));
    }
    int[] order = sortByScore(scores, scoreThreshold);
    int m = order.length;
    boolean[] kept = new boolean[m]; // by rank
    if (classes == null) {
      suppress(boxes, order, 0, m, iouThreshold, kept, 0);
    } else {
      // Stable partition of the ranks by class: key = (class, rank).
      long[] byClass = new long[m];
      for (int r = 0; r < m; r++) {
        byClass[r] = ((long) classes[order[r]] << 32) | r;
      }
      Arrays.sort(byClass);
      int[] ranks = new int[m];
      int[] members = new int[m];
      for (int r = 0; r < m; r++) {
        ranks[r] = (int) byClass[r];
        members[r] = order[ranks[r]];
      }
      boolean[] keptInGroup = new boolean[m];
      int start = 0;
      while (start < m) {
        int end = start + 1;
        while (end < m && (byClass[end] >> 32) == (byClass[start] >> 32)) {
          end++;
        }
        suppress(boxes, members, start, end, iouThreshold, keptInGroup, start);
        start = end;
      }
      for (int r = 0; r < m; r++) {
        kept[ranks[r]] = keptInGroup[r];
      }
    }
    int count = 0;
    for (boolean k : kept) {
      count += k ? 1 : 0;
    }
    int limit = maxOutputs > 0 ? Math.min(count, maxOutputs) : count;
    int[] out = new int[limit];
    for (int r = 0, o = 0; r < m && o < limit; r++) {
      if (kept[r]) {
        out[o++] = order[r];
      }
    }
    return out;
  }

  /**
   * Indices with score &gt; threshold by descending score, ties by ascending index: sorts longs
   * whose high half is the score's bits made order-reversing and whose low half is the index.
   */
  static int[] sortByScore(float[] scores, float scoreThreshold) {
    long[] keys = new long[scores.length];
    int m = 0;
    for (int i = 0; i < scores.length; i++) {
      float s = scores[i];
      if (!(s > scoreThreshold)) {
        continue;
      }
      int bits = Float.floatToIntBits(s == 0f ? 0f : s); // -0 ties with +0, as in torch.sort
      int ordered = bits ^ ((bits >> 31) & 0x7fffffff); // signed order == float order
      keys[m++] = ((long) ~ordered << 32) | i; // ~ reverses the order without overflow
    }
    keys = Arrays.copyOf(keys, m);
    Arrays.sort(keys);
    int[] order = new int[m];
    for (int r = 0; r < m; r++) {
      order[r] = (int) keys[r];
    }
    return order;
  }

  /**
   * Greedy pass over {@code members[from..to)} (box indices, already by descending score); marks
   * {@code kept[offset + k]} for kept members. The still-alive boxes are kept packed in parallel
   * float arrays: each kept box first computes its IoU with all later alive boxes in a branch-free
   * loop (the JIT vectorises it), then the survivors are packed again.
   */
  private static void suppress(
      float[] boxes, int[] members, int from, int to, double iouThreshold, boolean[] kept, int offset) {
    int n = to - from;
    float[] x1 = new float[n];
    float[] y1 = new float[n];
    float[] x2 = new float[n];
    float[] y2 = new float[n];
    float[] area = new float[n];
    int[] id = new int[n];
    boolean[] gone = new boolean[n];
    for (int k = 0; k < n; k++) {
      int b = 4 * members[from + k];
      x1[k] = boxes[b];
      y1[k] = boxes[b + 1];
      x2[k] = boxes[b + 2];
      y2[k] = boxes[b + 3];
      area[k] = (x2[k] - x1[k]) * (y2[k] - y1[k]);
      id[k] = k;
    }
    float thr = floatBelow(iouThreshold);
    int len = n;
    int head = 0;
    while (head < len) {
      kept[offset + id[head]] = true;
      float ix1 = x1[head];
      float iy1 = y1[head];
      float ix2 = x2[head];
      float iy2 = y2[head];
      float iarea = area[head];
      int next = head + 1;
      for (int j = next; j < len; j++) {
        float w = Math.max(0f, Math.min(ix2, x2[j]) - Math.max(ix1, x1[j]));
        float h = Math.max(0f, Math.min(iy2, y2[j]) - Math.max(iy1, y1[j]));
        float inter = w * h;
        gone[j] = inter / (iarea + area[j] - inter) > thr; // float32, as torchvision's kernel
      }
      int first = next;
      while (first < len && !gone[first]) {
        first++;
      }
      int write = first;
      for (int j = first; j < len; j++) {
        if (!gone[j]) {
          x1[write] = x1[j];
          y1[write] = y1[j];
          x2[write] = x2[j];
          y2[write] = y2[j];
          area[write] = area[j];
          id[write] = id[j];
          write++;
        }
      }
      len = write;
      head = next;
    }
  }

  /**
   * The largest float not above {@code t}: for every float x, {@code x > t} (compared in double,
   * as torchvision's kernel compares with its double threshold) iff {@code x > floatBelow(t)}.
   */
  static float floatBelow(double t) {
    float f = (float) t;
    return (double) f > t ? Math.nextDown(f) : f;
  }
}
