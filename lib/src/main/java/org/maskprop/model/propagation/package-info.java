/**
 * The mask propagation branch (Sec. 4.2 of the paper): {@link
 * org.maskprop.model.propagation.MaskPropagationHead} warps the instance features of frame t to frame
 * t' with deformable convolutions whose offsets come from the feature difference of the pair, and
 * returns {@link org.maskprop.model.propagation.PropagatedMasks} (plus the Eq. 2 loss in training,
 * {@link org.maskprop.model.propagation.PropagationOutput}). {@link
 * org.maskprop.model.propagation.GridMasks} moves masks between frame pixels and the P3 grid.
 */
package org.maskprop.model.propagation;
