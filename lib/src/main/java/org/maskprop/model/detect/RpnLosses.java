package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;

/**
 * Loss maths of the RPN and the box heads over plain arrays (TV2: free functions, checkable by
 * hand).
 */
public final class RpnLosses {
  private RpnLosses() {}

  /** torchvision's smooth-L1 beta for RPN and Fast R-CNN box regression. */
  public static final double BOX_BETA = 1.0 / 9;

  /**
   * Elementwise binary cross-entropy with logits, {@code max(x, 0) - x y + log(1 + exp(-|x|))}
   * (numerically stable form).
   */
  public static NDArray bceWithLogits(NDArray logits, NDArray targets) {
    NDArray t = targets.toType(logits.getDataType(), false);
    return logits.maximum(0f).sub(logits.mul(t)).add(logits.abs().neg().exp().add(1).log());
  }

  /** Elementwise smooth L1 (Huber / beta): {@code 0.5 d^2 / beta} if {@code |d| < beta}, else {@code |d| - 0.5 beta}. */
  public static NDArray smoothL1(NDArray input, NDArray target, double beta) {
    NDArray d = input.sub(target).abs();
    if (beta < 1e-5) {
      return d;
    }
    NDArray quadratic = d.square().mul(0.5 / beta);
    NDArray linear = d.sub(0.5 * beta);
    return ai.djl.ndarray.NDArrays.where(d.lt(beta), quadratic, linear);
  }

  /**
   * RPN objectness loss: mean binary cross-entropy over the sampled anchors.
   *
   * @param logits {@code [S]} objectness logits of the sampled anchors
   * @param labels {@code [S]} 1 for positive, 0 for negative
   */
  public static NDArray objectness(NDArray logits, NDArray labels) {
    return bceWithLogits(logits, labels).mean();
  }

  /**
   * RPN box loss: smooth L1 (beta 1/9) summed over the positive anchors, divided by the number of
   * sampled anchors {@code sampled} (torchvision {@code RegionProposalNetwork.compute_loss}).
   *
   * @param deltas {@code [P, 4]} predicted deltas of the positives
   * @param targets {@code [P, 4]} encoded targets of the positives
   */
  public static NDArray boxRegression(NDArray deltas, NDArray targets, long sampled) {
    return smoothL1(deltas, targets, BOX_BETA).sum().div(Math.max(sampled, 1));
  }
}
