package org.maskprop.eval;

import java.util.List;
import org.maskprop.data.YtvisResult;

/**
 * Dataset evaluator protocol (detectron2's {@code DatasetEvaluator}): {@link #reset()}, then
 * {@link #process} once per predicted video, then {@link #evaluate()}. Evaluators see data records
 * only (no model, no NDArray), so {@code eval} stays downstream of everything.
 */
public interface Evaluator {

  /** Forgets every processed prediction. */
  void reset();

  /**
   * Adds predicted tracks (usually those of one video). Their order is kept: among equal scores
   * the earlier one ranks first, as in the official evaluator's stable sort over the results file.
   */
  void process(List<YtvisResult> predictions);

  /** Metrics over everything processed since the last {@link #reset()}. */
  Metrics evaluate();
}
