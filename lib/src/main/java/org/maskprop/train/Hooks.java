package org.maskprop.train;

import java.util.ArrayList;
import java.util.List;
import org.maskprop.config.TrainConfig;
import org.maskprop.tracking.Tracker;

/**
 * The standard hook order (STYLE.md E4). The step timer and the LR schedule live in the {@link
 * Trainer} itself (both are pure per-step values in {@link TrainContext}). Divergence is checked
 * before the checkpoint, as detectron2 does inside {@code run_step}, so a NaN step never becomes
 * {@code last_checkpoint}; eval hooks will go between checkpoint and tracking; tracking is last so it
 * sees everything the others computed.
 */
public final class Hooks {
  private Hooks() {}

  /**
   * divergence, checkpoint ({@code train.checkpointPeriod}), progress, then tracking when {@code
   * tracker} is not null.
   */
  public static List<TrainingHook> standard(TrainConfig config, Checkpointer checkpointer, Tracker tracker,
      String runId) {
    List<TrainingHook> hooks = new ArrayList<>();
    hooks.add(new DivergenceHook());
    hooks.add(new CheckpointHook(checkpointer, config.checkpointPeriod()));
    hooks.add(new ProgressHook());
    if (tracker != null) {
      hooks.add(new TrackingHook(tracker, runId));
    }
    return hooks;
  }
}
