package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java data whose storage belongs to PyTorch.
 *
 * <p>On the CPU, DJL's PyTorch engine wraps Java data with {@code torch::from_blob} over a direct
 * buffer that only the Java {@code NDArray} keeps alive (DJL 0.36.0 {@code JniUtils
 * .createNdFromByteBuffer}). When autograd saves such a tensor for the backward pass (an index of
 * {@code get}/{@code index_select}, a factor of {@code mul}) and the Java array is closed with its
 * scope before {@code backward}, the buffer is freed and backward reads whatever reuses the memory:
 * wrong gradients, or "index ... is out of bounds" from {@code torchBackward} (seen with the RPN's
 * sampled anchor indices). Every array made from Java data inside a forward pass that needs
 * gradients goes through here: a clone owns its storage, the wrapped original is closed at once.
 */
public final class TorchOwned {
  private TorchOwned() {}

  /** A torch-owned copy of {@code fromJava} in the same manager; {@code fromJava} is closed. */
  public static NDArray of(NDArray fromJava) {
    NDArray owned = fromJava.duplicate();
    fromJava.close();
    return owned;
  }

  public static NDArray create(NDManager manager, long[] data, Shape shape) {
    return of(manager.create(data, shape));
  }

  public static NDArray create(NDManager manager, long[] data) {
    return of(manager.create(data));
  }

  public static NDArray create(NDManager manager, float[] data, Shape shape) {
    return of(manager.create(data, shape));
  }

  /** A 0-d float32 array. */
  public static NDArray scalar(NDManager manager, float value) {
    return of(manager.create(value));
  }
}
