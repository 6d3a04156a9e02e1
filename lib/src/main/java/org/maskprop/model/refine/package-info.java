/**
 * High-resolution mask refinement (Sec. 4.4, NOTES.md "Implementation details"): {@link
 * org.maskprop.model.refine.MaskRefiner} crops a square patch around each detected box centre from
 * the RGB frame and the instance's soft mask, runs residual blocks on the 4-channel patch and pastes
 * the refined mask back into the frame. Ablation switch: {@link
 * org.maskprop.model.refine.MaskRefiner#fromConfig} / {@link
 * org.maskprop.model.refine.MaskRefiner#refineOrKeep}.
 */
package org.maskprop.model.refine;
