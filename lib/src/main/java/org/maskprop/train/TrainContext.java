package org.maskprop.train;

import java.util.Map;

/**
 * What hooks see of the loop (read-only; STYLE.md E3: hooks get a context, not the trainer).
 *
 * @param iteration the current iteration (0-based); in {@code afterStep} the one just done
 * @param maxIteration the number of iterations of the run (the last one is {@code maxIteration - 1})
 * @param startIteration the first iteration of this process (after a resume: stored iteration + 1)
 * @param losses the loss terms of the last step, copied out as floats (empty before the first step)
 * @param totalLoss their total as backpropagated (NaN before the first step)
 * @param lr the learning rate of {@code iteration}
 * @param gradNorm the global gradient norm of the last step before clipping
 * @param stepSeconds wall time of the last step (batch loading included)
 * @param state the trained state, for checkpoint hooks
 */
public record TrainContext(
    long iteration,
    long maxIteration,
    long startIteration,
    Map<String, Float> losses,
    float totalLoss,
    double lr,
    float gradNorm,
    double stepSeconds,
    TrainState state) {
  public TrainContext {
    losses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(losses)); // model's order
  }

  /** True in {@code afterStep} of the run's last iteration. */
  public boolean isLastIteration() {
    return iteration == maxIteration - 1;
  }
}
