package org.maskprop.train;

/**
 * Saves a checkpoint after every {@code period}-th iteration and {@code model_final.ckpt} after the
 * last one (fvcore's {@code PeriodicCheckpointer}: the file after iteration {@code i} is written when
 * {@code (i + 1) % period == 0}).
 */
public final class CheckpointHook implements TrainingHook {
  private final Checkpointer checkpointer;
  private final int period;

  /** @param period iterations between checkpoints (<= 0: only the final one) */
  public CheckpointHook(Checkpointer checkpointer, int period) {
    this.checkpointer = checkpointer;
    this.period = period;
  }

  @Override
  public void afterStep(TrainContext ctx) {
    if (ctx.isLastIteration()) {
      checkpointer.save(ctx.state(), ctx.iteration(), true);
    } else if (period > 0 && (ctx.iteration() + 1) % period == 0) {
      checkpointer.save(ctx.state(), ctx.iteration(), false);
    }
  }
}
