package org.maskprop.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.maskprop.tracking.Tracker;

/**
 * Logs every step to a {@link Tracker} (each loss term, {@code total_loss}, {@code lr}, {@code
 * grad_norm}, {@code step_time}) with the 1-based iteration count as the step. Runs last (STYLE.md
 * E4) and never aborts training (DESIGN.md section 7): a tracker error is counted, reported once on
 * stderr, and the run goes on.
 */
public final class TrackingHook implements TrainingHook {
  private final Tracker tracker;
  private final String runId;
  private int failures;

  public TrackingHook(Tracker tracker, String runId) {
    this.tracker = tracker;
    this.runId = runId;
  }

  @Override
  public void afterStep(TrainContext ctx) {
    Map<String, Double> m = new LinkedHashMap<>();
    ctx.losses().forEach((k, v) -> m.put(k, v.doubleValue()));
    m.put("total_loss", (double) ctx.totalLoss());
    m.put("lr", ctx.lr());
    m.put("grad_norm", (double) ctx.gradNorm());
    m.put("step_time", ctx.stepSeconds());
    try {
      tracker.logMetrics(runId, m, ctx.iteration() + 1);
    } catch (RuntimeException e) {
      if (failures++ == 0) {
        System.err.println("tracking: cannot log metrics of iteration " + (ctx.iteration() + 1)
            + " (training goes on): " + e.getMessage());
      }
    }
  }

  /** How many steps could not be logged. */
  public int failures() {
    return failures;
  }
}
