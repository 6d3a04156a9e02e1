package org.maskprop.ops;

import ai.djl.ndarray.NDArray;

/**
 * Soft IoU of soft masks (Eq. 3 of the paper), smoothed so that two empty masks score 1:
 * {@code sIoU(A, B) = (sum_p A(p)B(p) + eps) / (sum_p (A(p) + B(p) - A(p)B(p)) + eps)}, eps = 1 by
 * default [U in NOTES.md]. Differentiable in both arguments; used as the propagation loss (Eq. 2) and
 * as the track matching score (Eq. 4).
 */
public final class SoftIou {
  /** Default smoothing, {@code eps = 1}. */
  public static final double DEFAULT_EPS = 1.0;

  private final double eps;

  /** Soft IoU with smoothing {@code eps >= 0} in numerator and denominator. */
  public SoftIou(double eps) {
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("SoftIou: eps must be >= 0, got " + eps);
    }
    this.eps = eps;
  }

  /** Soft IoU with {@link #DEFAULT_EPS}. */
  public SoftIou() {
    this(DEFAULT_EPS);
  }

  public double eps() {
    return eps;
  }

  /**
   * Per-instance soft IoU (Eq. 3).
   *
   * @param a {@code [N, ...]} predicted soft masks in [0, 1]
   * @param b {@code [N, ...]} targets in [0, 1], same shape
   * @return {@code [N]}
   */
  public NDArray perInstance(NDArray a, NDArray b) {
    if (!a.getShape().equals(b.getShape()) || a.getShape().dimension() < 1) {
      throw new IllegalArgumentException("SoftIou: shapes " + a.getShape() + " and " + b.getShape() + " differ");
    }
    long n = a.getShape().get(0);
    NDArray af = a.reshape(n, -1); // [N, P]
    NDArray bf = b.reshape(n, -1);
    NDArray inter = af.mul(bf).sum(new int[] {1}); // [N]
    NDArray union = af.sum(new int[] {1}).add(bf.sum(new int[] {1})).sub(inter);
    return inter.add(eps).div(union.add(eps));
  }

  /**
   * Propagation loss of one target frame (Eq. 2, inner part): {@code (1/n) sum_i (1 - sIoU_i)} over
   * the {@code n} instances; the caller sums it over the target frames of the clip. With no
   * instances it returns a zero that stays connected to {@code a}'s graph.
   *
   * @param a {@code [N, H, W]} propagated soft masks
   * @param b {@code [N, H, W]} ground-truth masks
   * @return scalar
   */
  public NDArray loss(NDArray a, NDArray b) {
    if (a.getShape().get(0) == 0) {
      return a.sum().mul(0);
    }
    return perInstance(a, b).neg().add(1).mean();
  }
}
