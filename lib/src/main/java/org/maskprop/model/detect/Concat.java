package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * Concatenation that keeps the autograd graph. DJL's {@code NDArrays.concat} returns {@code
 * duplicate()} of a single array, and on the PyTorch engine (0.36) that copy has no {@code grad_fn}:
 * a loss built from a one-element list would silently stop training the network.
 */
final class Concat {
  private Concat() {}

  static NDArray of(NDList parts, int axis) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("Concat: no arrays");
    }
    return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, axis);
  }
}
