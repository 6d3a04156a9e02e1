package org.maskprop.model.propagation;

import ai.djl.ndarray.NDArray;

/**
 * Output and loss of one propagation {@code t -> t'} in training (STYLE TV2: a stage returns both).
 * The loss is the inner term of Eq. 2 for this target frame; the caller sums it over the {@code t'}
 * of the clip and reports it under {@link MaskPropagationHead#LOSS_PROP}.
 *
 * @param propagated the propagated masks
 * @param loss scalar {@code (1/n) sum_i (1 - sIoU(M^i_{t->t'}, M^{GT,i}_{t'}))}
 */
public record PropagationOutput(PropagatedMasks propagated, NDArray loss) {}
