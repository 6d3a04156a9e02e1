package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Fast R-CNN losses (torchvision {@code fastrcnn_loss}) over plain arrays. */
public final class BoxLosses {
  private BoxLosses() {}

  /**
   * {@code [..., depth]} one-hot encoding of integer labels in the given float type (DJL's PyTorch
   * engine does not implement {@code NDArray.oneHot}).
   */
  public static NDArray oneHot(NDArray labels, int depth, DataType type) {
    NDArray range = labels.getManager().arange(0, depth, 1, DataType.INT64);
    return labels.toType(DataType.INT64, false).expandDims(-1).eq(range).toType(type, false);
  }

  /**
   * Classification: mean cross-entropy of {@code classLogits} {@code [N, K + 1]} against {@code
   * gtClasses} {@code [N]} (0 = background).
   */
  public static NDArray classification(NDArray classLogits, NDArray gtClasses) {
    long k1 = classLogits.getShape().get(1);
    NDArray oneHot = oneHot(gtClasses, (int) k1, classLogits.getDataType());
    return classLogits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
  }

  /**
   * Box regression: smooth L1 (beta 1/9) between the deltas of each foreground RoI's GT class (or
   * the single agnostic set) and its targets, summed over the foreground and divided by the number of
   * RoIs N (not of foreground RoIs), as torchvision.
   *
   * @param deltas {@code [N, 4]} (agnostic) or {@code [N, 4 (K + 1)]}
   * @param gtClasses {@code [N]}, 0 = background (contributes nothing)
   * @param targets {@code [N, 4]} encoded GT boxes (any value where background)
   */
  public static NDArray boxRegression(NDArray deltas, NDArray gtClasses, NDArray targets) {
    long n = deltas.getShape().get(0);
    long k4 = deltas.getShape().get(1);
    NDArray d = deltas;
    if (k4 != 4) { // pick the 4 deltas of the GT class
      NDArray oneHot = oneHot(gtClasses, (int) (k4 / 4), deltas.getDataType());
      d = deltas.reshape(n, k4 / 4, 4).mul(oneHot.expandDims(2)).sum(new int[] {1}); // [N, 4]
    }
    NDArray fg = gtClasses.gt(0).toType(deltas.getDataType(), false).expandDims(1); // [N, 1]
    NDArray t = targets.mul(fg); // background targets may be anything (even NaN-free garbage)
    return RpnLosses.smoothL1(d.mul(fg), t, RpnLosses.BOX_BETA).sum().div(Math.max(n, 1));
  }
}
