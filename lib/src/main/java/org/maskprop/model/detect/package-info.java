/**
 * The per-frame detector (DESIGN.md section 3): {@link org.maskprop.model.detect.Rpn} (anchors per
 * FPN level, proposals, RPN losses), {@link org.maskprop.model.detect.CascadeRoiHeads} (1 stage =
 * Mask R-CNN, 2-3 stages = Cascade R-CNN; box heads, {@link org.maskprop.model.detect.MaskHead},
 * optional HTC-style {@link org.maskprop.model.detect.SemanticHead}). Semantics follow torchvision's
 * {@code rpn.py} / {@code roi_heads.py} and detectron2's {@code cascade_rcnn.py}; each stage returns
 * a typed record and its {@link org.maskprop.ops.LossTerms} (STYLE.md TV2), loss maths sits in
 * {@link org.maskprop.model.detect.RpnLosses}, {@link org.maskprop.model.detect.BoxLosses} and
 * {@link org.maskprop.model.detect.MaskLosses}. Children are named as torchvision's keys where a
 * torchvision counterpart exists ({@code head.conv.0.0}, {@code fc6}, {@code mask_fcn1}, ...).
 */
package org.maskprop.model.detect;
