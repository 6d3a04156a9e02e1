package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * Draws a fixed-size training batch of positives and negatives from {@link Matcher} labels
 * (detectron2 {@code subsample_labels}, torchvision {@code BalancedPositiveNegativeSampler}): up to
 * {@code batchSize * positiveFraction} positives, then negatives fill the rest of the batch, each
 * chosen uniformly without replacement. Ignored predictions are never drawn. The caller's random
 * generator makes it deterministic; no gradient flows through it.
 */
public final class BalancedSampler {
  private final int batchSize;
  private final double positiveFraction;

  public BalancedSampler(int batchSize, double positiveFraction) {
    if (batchSize <= 0 || !(positiveFraction >= 0 && positiveFraction <= 1)) {
      throw new IllegalArgumentException(
          "BalancedSampler needs batchSize > 0 and positiveFraction in [0, 1], got " + batchSize + ", " + positiveFraction);
    }
    this.batchSize = batchSize;
    this.positiveFraction = positiveFraction;
  }

  /** Chosen positive and negative indices (int64, in draw order). */
  public record Sample(NDArray positive, NDArray negative) {}

  /**
   * @param labels {@code [N]} with values {@link Matcher#IGNORE}, {@link Matcher#NEGATIVE}, {@link
   *     Matcher#POSITIVE}
   */
  public Sample sample(NDArray labels, RandomGenerator random) {
    int[] l;
    try (NDManager scope = labels.getManager().newSubManager()) {
      scope.tempAttachAll(labels);
      l = labels.toType(DataType.INT32, false).toIntArray();
    }
    int numPos = 0;
    int numNeg = 0;
    for (int v : l) {
      numPos += v == Matcher.POSITIVE ? 1 : 0;
      numNeg += v == Matcher.NEGATIVE ? 1 : 0;
    }
    long[] pos = new long[numPos];
    long[] neg = new long[numNeg];
    for (int i = 0, p = 0, q = 0; i < l.length; i++) {
      if (l[i] == Matcher.POSITIVE) {
        pos[p++] = i;
      } else if (l[i] == Matcher.NEGATIVE) {
        neg[q++] = i;
      }
    }
    int takePos = Math.min(numPos, (int) (batchSize * positiveFraction));
    int takeNeg = Math.min(numNeg, batchSize - takePos);
    NDManager m = labels.getManager();
    // torch-owned: the indices select logits, and autograd keeps them until backward (TorchOwned)
    return new Sample(TorchOwned.create(m, choose(pos, takePos, random), new Shape(takePos)),
        TorchOwned.create(m, choose(neg, takeNeg, random), new Shape(takeNeg)));
  }

  /** The first k of a partial Fisher-Yates shuffle: k distinct elements, uniformly. */
  private static long[] choose(long[] from, int k, RandomGenerator random) {
    long[] a = from.clone();
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(a.length - i);
      long t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return java.util.Arrays.copyOf(a, k);
  }
}
