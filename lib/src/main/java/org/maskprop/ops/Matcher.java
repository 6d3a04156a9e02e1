package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Assigns each prediction (anchor or proposal) to a ground-truth box (detectron2 {@code Matcher}).
 * Thresholds t_1 &lt; ... &lt; t_k split the best match quality q of a prediction into k + 1
 * intervals [-inf, t_1), [t_1, t_2), ..., [t_k, +inf), labelled {@code labels[0..k]}. E.g. the RPN
 * uses thresholds (0.3, 0.7) with labels (0, -1, 1); a Cascade R-CNN stage uses (u) with (0, 1).
 *
 * <p>With {@code allowLowQuality} (Faster R-CNN's RPN rule) every prediction that attains some
 * ground truth's highest quality is made positive even below the top threshold, so every ground
 * truth gets at least one positive; as in detectron2 this includes ties, and a ground truth whose
 * best quality is 0 marks every prediction with quality 0 to it.
 */
public final class Matcher {
  public static final int IGNORE = -1;
  public static final int NEGATIVE = 0;
  public static final int POSITIVE = 1;

  private final double[] thresholds;
  private final int[] labels;
  private final boolean allowLowQuality;

  public Matcher(double[] thresholds, int[] labels, boolean allowLowQuality) {
    if (labels.length != thresholds.length + 1) {
      throw new IllegalArgumentException("Matcher: " + thresholds.length + " thresholds need "
          + (thresholds.length + 1) + " labels, got " + labels.length);
    }
    for (int i = 1; i < thresholds.length; i++) {
      if (thresholds[i] < thresholds[i - 1]) {
        throw new IllegalArgumentException("Matcher: thresholds must increase, got " + Arrays.toString(thresholds));
      }
    }
    for (int l : labels) {
      if (l != IGNORE && l != NEGATIVE && l != POSITIVE) {
        throw new IllegalArgumentException("Matcher: labels must be -1, 0 or 1, got " + Arrays.toString(labels));
      }
    }
    this.thresholds = thresholds.clone();
    this.labels = labels.clone();
    this.allowLowQuality = allowLowQuality;
  }

  /**
   * @param quality {@code [M, N]} match quality (usually IoU) of M ground truths and N predictions
   * @return per prediction the best ground truth and its label; with no ground truth (M = 0) every
   *     prediction gets index 0 and {@code labels[0]}
   */
  public MatchResult match(NDArray quality) {
    Shape s = quality.getShape();
    if (s.dimension() != 2) {
      throw new IllegalArgumentException("Matcher: quality must be [M, N], got " + s);
    }
    long m = s.get(0);
    long n = s.get(1);
    NDManager manager = quality.getManager();
    if (m == 0 || n == 0) {
      return new MatchResult(manager.zeros(new Shape(n), DataType.INT64),
          manager.full(new Shape(n), labels[0], DataType.INT32));
    }
    try (NDManager scope = manager.newSubManager()) {
      scope.tempAttachAll(quality);
      NDArray q = quality.stopGradient();
      NDArray best = q.max(new int[] {0}); // [N]
      NDArray matched = q.argMax(0).toType(DataType.INT64, false);
      NDArray label = scope.full(new Shape(n), labels[labels.length - 1], DataType.INT32);
      // intervals from the top down, so that each prediction ends in the interval that holds it
      for (int i = thresholds.length - 1; i >= 0; i--) {
        NDArray below = best.lt(thresholds[i]);
        label = NDArrays.where(below, scope.full(new Shape(n), labels[i], DataType.INT32), label);
      }
      if (allowLowQuality) {
        NDArray bestPerGt = q.max(new int[] {1}, true); // [M, 1]
        NDArray attains = q.eq(bestPerGt).toType(DataType.INT32, false).sum(new int[] {0}).gt(0); // [N]
        label = NDArrays.where(attains, scope.full(new Shape(n), POSITIVE, DataType.INT32), label);
      }
      return new MatchResult(scope.ret(matched), scope.ret(label));
    }
  }
}
