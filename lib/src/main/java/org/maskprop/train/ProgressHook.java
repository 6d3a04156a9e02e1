package org.maskprop.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.stream.Collectors;
import org.maskprop.util.Progress;

/**
 * A {@link Progress} bar over the run's remaining iterations, plus one line of loss terms, learning
 * rate and throughput at every tenth of the run (and the last iteration), so logs show the curve.
 */
public final class ProgressHook implements TrainingHook {
  private final PrintStream out;
  private final boolean enabled;
  private Progress progress;
  private long every;
  private long startNanos;

  /** Writes to stderr unless {@code MASKPROP_PROGRESS=0}. */
  public ProgressHook() {
    this(System.err, !"0".equals(System.getenv("MASKPROP_PROGRESS")));
  }

  public ProgressHook(PrintStream out, boolean enabled) {
    this.out = out;
    this.enabled = enabled;
  }

  @Override
  public void beforeTrain(TrainContext ctx) {
    long total = ctx.maxIteration() - ctx.startIteration();
    progress = enabled ? Progress.start("train", total) : Progress.silent("train", total);
    every = Math.max(1, total / 10);
    startNanos = System.nanoTime();
  }

  @Override
  public void afterStep(TrainContext ctx) {
    progress.step();
    long done = ctx.iteration() + 1 - ctx.startIteration();
    if (enabled && (done % every == 0 || ctx.isLastIteration())) {
      out.println(line(ctx, done / ((System.nanoTime() - startNanos) / 1e9)));
    }
  }

  /** {@code iter 10/100 loss 1.2345 (loss_a 0.1000, ...) lr 0.0080 3.21 it/s}. */
  static String line(TrainContext ctx, double itPerSecond) {
    String terms = ctx.losses().entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.4f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "iter %d/%d loss %.4f (%s) lr %.6g %.2f it/s",
        ctx.iteration() + 1, ctx.maxIteration(), ctx.totalLoss(), terms, ctx.lr(), itPerSecond);
  }

  @Override
  public void afterTrain(TrainContext ctx) {
    if (progress != null) {
      progress.close();
    }
  }

}
