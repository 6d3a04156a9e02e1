package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.RoiAlign;

/** Mask R-CNN mask loss (torchvision {@code maskrcnn_loss}, {@code project_masks_on_boxes}). */
public final class MaskLosses {
  private MaskLosses() {}

  /**
   * Mean per-pixel binary cross-entropy between the logits of each RoI's GT class and its target.
   * With no RoI, {@code logits.sum() * 0}: a zero that keeps the graph connected (TV5).
   *
   * @param logits {@code [P, K + 1, M, M]}
   * @param gtClasses {@code [P]} in 1..K
   * @param targets {@code [P, M, M]} in [0, 1]
   */
  public static NDArray mask(NDArray logits, NDArray gtClasses, NDArray targets) {
    if (logits.getShape().get(0) == 0) {
      return logits.sum().mul(0);
    }
    NDArray picked = pickClass(logits, gtClasses); // [P, M, M]
    return RpnLosses.bceWithLogits(picked, targets).mean();
  }

  /** {@code [P, M, M]}: channel {@code classes[p]} of {@code logits[p]} ({@code [P, K + 1, M, M]}). */
  public static NDArray pickClass(NDArray logits, NDArray classes) {
    Shape s = logits.getShape();
    NDArray oneHot = BoxLosses.oneHot(classes, (int) s.get(1), logits.getDataType());
    return logits.mul(oneHot.reshape(s.get(0), s.get(1), 1, 1)).sum(new int[] {1});
  }

  /**
   * Mask targets: GT instance {@code matched[p]} cropped to {@code boxes[p]} and resampled to {@code
   * M x M} by RoIAlign on the {@code [G, 1, H, W]} masks (scale 1, adaptive sampling, not aligned), as
   * torchvision's {@code project_masks_on_boxes}.
   *
   * @param gtMasks {@code [G, H, W]} 0/1
   * @return {@code [P, M, M]} float in [0, 1], no gradient
   */
  public static NDArray projectMasks(NDArray gtMasks, NDArray matched, Boxes boxes, int resolution) {
    NDManager m = boxes.tensor().getManager();
    long p = boxes.size();
    if (p == 0) {
      return m.zeros(new Shape(0, resolution, resolution));
    }
    try (NDManager scope = m.newSubManager()) {
      scope.tempAttachAll(gtMasks, matched, boxes.tensor());
      Shape gs = gtMasks.getShape();
      NDArray masks = gtMasks.toType(DataType.FLOAT32, false).reshape(gs.get(0), 1, gs.get(1), gs.get(2));
      NDArray rois = matched.toType(DataType.FLOAT32, false).reshape(p, 1)
          .concat(boxes.tensor().stopGradient().toType(DataType.FLOAT32, false), 1); // [P, 5]
      NDArray out = new RoiAlign(resolution, resolution, 0, false).forward(masks, rois, 1.0);
      return scope.ret(out.reshape(p, resolution, resolution));
    }
  }

  static NDArray rows(NDArray a, long from, long to) {
    return a.get(new NDIndex(from + ":" + to));
  }

  static NDList split(NDArray a, List<Long> counts) {
    NDList out = new NDList();
    long at = 0;
    for (long c : counts) {
      out.add(rows(a, at, at + c));
      at += c;
    }
    return out;
  }
}
