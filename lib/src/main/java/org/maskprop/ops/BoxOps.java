package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;

/** Pairwise box geometry on the engine (detectron2 {@code pairwise_iou}, torchvision {@code box_iou}). */
public final class BoxOps {
  private BoxOps() {}

  /**
   * IoU of every pair: {@code [N, M]} with entry (i, j) = |a_i ∩ b_j| / |a_i ∪ b_j|. Pairs with
   * zero union (two empty boxes) give 0, not NaN.
   */
  public static NDArray pairwiseIou(Boxes a, Boxes b) {
    try (NDManager scope = a.tensor().getManager().newSubManager()) {
      attach(scope, a, b);
      NDArray inter = pairwiseIntersection(a, b); // [N, M]
      NDArray union = a.area().expandDims(1).add(b.area().expandDims(0)).sub(inter);
      NDArray positive = union.gt(0);
      return scope.ret(NDArrays.where(positive, inter.div(union.maximum(1e-12f)), inter.zerosLike()));
    }
  }

  /** {@code [N, M]} intersection areas. */
  public static NDArray pairwiseIntersection(Boxes a, Boxes b) {
    try (NDManager scope = a.tensor().getManager().newSubManager()) {
      attach(scope, a, b);
      NDArray ta = a.tensor().expandDims(1); // [N, 1, 4]
      NDArray tb = b.tensor().expandDims(0); // [1, M, 4]
      NDArray lt = ta.get(":, :, 0:2").maximum(tb.get(":, :, 0:2")); // [N, M, 2]
      NDArray rb = ta.get(":, :, 2:4").minimum(tb.get(":, :, 2:4"));
      NDArray wh = rb.sub(lt).maximum(0f);
      return scope.ret(wh.get(":, :, 0").mul(wh.get(":, :, 1")));
    }
  }

  /**
   * Temporarily attaches both tensors to {@code scope}. The same tensor twice (IoU of a set with
   * itself) is attached once: a second temp-attach would record {@code scope} as its home and the
   * tensor would be released with it.
   */
  private static void attach(NDManager scope, Boxes a, Boxes b) {
    scope.tempAttachAll(a.tensor());
    if (b.tensor() != a.tensor()) {
      scope.tempAttachAll(b.tensor());
    }
  }
}
