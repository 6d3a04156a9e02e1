package org.maskprop.train;

import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.maskprop.ops.LossTerms;

/**
 * What {@link Trainer} needs from a model: its parameters (the {@link Block}) and a training forward
 * that returns its losses unweighted or already weighted (STYLE.md TV2). {@code VideoMaskRcnn} fits
 * with {@code B = PairBatch}; the tests use a toy conv net.
 *
 * @param <B> the batch type of one iteration
 */
public interface TrainableModel<B> {

  /** The initialized block whose parameters are trained and checkpointed. */
  Block block();

  /** Losses of one batch with {@code training = true}; called inside a gradient collector. */
  LossTerms forwardTrain(ParameterStore ps, B batch);
}
