package org.maskprop.model.propagation;

import ai.djl.ndarray.NDArray;

/**
 * Masks of the {@code n} instances of frame {@code t} propagated to frame {@code t'} (Sec. 4.2), with
 * the two factors they are made of, kept for diagnostics and tests.
 *
 * @param masks {@code [n, H, W]} propagated mask probabilities {@code M^i_{t->t'}} at frame resolution
 * @param gridMasks {@code [n, h, w]} the same at the feature grid (P3), before upsampling
 * @param instanceProbabilities {@code [n, h, w]} softmax over the instances (plus the background slot,
 *     left out here), before the attention map
 * @param attention {@code [1, h, w]} instance-agnostic attention {@code sigmoid(conv1x1(f_t'))}
 */
public record PropagatedMasks(NDArray masks, NDArray gridMasks, NDArray instanceProbabilities, NDArray attention) {
  /** Number of propagated instances. */
  public long size() {
    return masks.getShape().get(0);
  }
}
