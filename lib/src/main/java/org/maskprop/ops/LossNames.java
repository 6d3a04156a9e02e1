package org.maskprop.ops;

/**
 * Every loss name of the model, in one place (STYLE.md: key names are constants in one class). The
 * detector's names follow torchvision ({@code loss_objectness}, {@code loss_rpn_box_reg}, {@code
 * loss_mask}) and detectron2's cascade suffix {@code _stage{k}} (k from 0).
 */
public final class LossNames {
  private LossNames() {}

  /** RPN objectness, binary cross-entropy over the sampled anchors. */
  public static final String RPN_OBJECTNESS = "loss_objectness";

  /** RPN box regression, smooth L1 over positive anchors / sampled anchors. */
  public static final String RPN_BOX_REG = "loss_rpn_box_reg";

  /** Mask head, per-pixel binary cross-entropy on the GT class channel. */
  public static final String MASK = "loss_mask";

  /** HTC-style semantic segmentation head, already multiplied by its weight. */
  public static final String SEMANTIC = "loss_semantic";

  /**
   * Mask propagation (Eq. 2): {@code (1/n) sum_i (1 - sIoU(M^i_{t->t'}, M^{GT,i}_{t'}))} for one frame
   * pair; the assembled model multiplies it by {@code propagation.lossWeight}.
   */
  public static final String PROP = "loss_prop";

  /** High-resolution mask refinement (Sec. 4.4): per-pixel BCE on the refined patches. */
  public static final String REFINE = "loss_refine";

  /**
   * MaskTrack R-CNN's tracking head: cross-entropy of each positive RoI of frame t' over a new-instance
   * slot and the GT instances of frame t ({@code model.track.TrackHead}); the assembled model
   * multiplies it by {@code track.lossWeight}.
   */
  public static final String TRACK = "loss_track";

  /** Box classification of cascade stage {@code k} (0-based), already multiplied by the stage weight. */
  public static String cls(int stage) {
    return "loss_cls_stage" + stage;
  }

  /** Box regression of cascade stage {@code k} (0-based), already multiplied by the stage weight. */
  public static String box(int stage) {
    return "loss_box_stage" + stage;
  }
}
