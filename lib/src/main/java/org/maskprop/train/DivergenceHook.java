package org.maskprop.train;

import java.util.Map;

/**
 * Stops training when the total loss or a term is NaN or infinite (DJL's {@code
 * DivergenceCheckTrainingListener}), naming the iteration and the term.
 */
public final class DivergenceHook implements TrainingHook {
  @Override
  public void afterStep(TrainContext ctx) {
    for (Map.Entry<String, Float> e : ctx.losses().entrySet()) {
      if (!Float.isFinite(e.getValue())) {
        throw new TrainingDivergedException(
            "iteration " + ctx.iteration() + ": loss " + e.getKey() + " is " + e.getValue());
      }
    }
    if (!Float.isFinite(ctx.totalLoss())) {
      throw new TrainingDivergedException("iteration " + ctx.iteration() + ": total loss is " + ctx.totalLoss());
    }
  }
}
