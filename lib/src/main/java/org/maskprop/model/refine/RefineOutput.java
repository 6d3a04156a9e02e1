package org.maskprop.model.refine;

import ai.djl.ndarray.NDArray;

/**
 * What {@link MaskRefiner} returns for one frame (STYLE.md TV2: output plus loss).
 *
 * @param masks {@code [n, H, W]} mask probabilities at frame resolution: the refined patch inside
 *     each crop box, the input mask outside it
 * @param patchLogits {@code [n, P, P]} refined mask logits on the patches; null when refinement is
 *     disabled
 * @param cropBoxes {@code [n, 4]} xyxy square crop boxes in frame pixels; null when disabled
 * @param loss scalar per-pixel BCE against the GT crop (key {@link MaskRefiner#LOSS_REFINE}); null
 *     when not training, when no GT was given, or when refinement is disabled
 */
public record RefineOutput(NDArray masks, NDArray patchLogits, NDArray cropBoxes, NDArray loss) {
  /** The masks as they came in: what the ablation without refinement uses. */
  public static RefineOutput unrefined(NDArray masks) {
    return new RefineOutput(masks, null, null, null);
  }

  public boolean hasLoss() {
    return loss != null;
  }
}
