package org.maskprop.train;

import java.util.Map;

/**
 * A callback of the {@link Trainer} loop (detectron2's {@code HookBase}, STYLE.md E3): {@code
 * beforeTrain}, then per iteration {@code beforeStep} / step / {@code afterStep}, and {@code
 * afterTrain} in a {@code finally}. {@code beforeStep} must be cheap. A hook with state that must
 * survive a resume returns it from {@link #state()}; the checkpoint stores it under {@link #name()}.
 */
public interface TrainingHook {
  default void beforeTrain(TrainContext ctx) {}

  default void beforeStep(TrainContext ctx) {}

  default void afterStep(TrainContext ctx) {}

  default void afterTrain(TrainContext ctx) {}

  /** State saved in checkpoints (empty: nothing to save). */
  default Map<String, String> state() {
    return Map.of();
  }

  /** Restores what {@link #state()} returned; called on resume before {@code beforeTrain}. */
  default void restore(Map<String, String> state) {}

  /** The key of this hook's state in a checkpoint; unique among a trainer's hooks. */
  default String name() {
    return getClass().getSimpleName();
  }
}
