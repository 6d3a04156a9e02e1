package org.maskprop.model.propagation;

import ai.djl.ndarray.NDArray;
import org.maskprop.ops.LossTerms;

/**
 * Output and losses of one propagation {@code t -> t'} against ground truth (STYLE TV2: a stage
 * returns both). {@code losses} holds {@link MaskPropagationHead#LOSS_PROP}, the inner term of Eq. 2
 * for this target frame; the caller sums it over the {@code t'} of the clip.
 *
 * @param propagated the propagated masks
 * @param losses {@code loss_prop}: scalar {@code (1/n) sum_i (1 - sIoU(M^i_{t->t'}, M^{GT,i}_{t'}))}
 */
public record PropagationOutput(PropagatedMasks propagated, LossTerms losses) {
  /** The Eq. 2 term. */
  public NDArray loss() {
    return losses.get(MaskPropagationHead.LOSS_PROP);
  }
}
