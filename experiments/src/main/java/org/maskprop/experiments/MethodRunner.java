package org.maskprop.experiments;

import java.util.List;
import java.util.Map;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

/**
 * Runs one method at one grid point on one split: trains if the method trains (reporting losses
 * through {@link LossLog}), predicts the split's videos and returns the tracks in the official
 * results format. Scoring is the runner's job ({@code YtvisEvaluator}), so every method is scored
 * by the same code.
 */
public interface MethodRunner {

  List<YtvisResult> run(MethodContext context);

  /**
   * What a method gets.
   *
   * @param config the point's resolved config ({@code data.root} is the prepared data root)
   * @param method the method to run
   * @param split the split to predict
   * @param gt the split's dataset; only {@link Method#usesGroundTruth()} references may read its
   *     annotations, methods read its videos (ids, sizes, frame files)
   * @param losses per-step training losses go here (logged as metrics of the child run)
   */
  record MethodContext(MaskPropConfig config, Method method, Split split, YtvisDataset gt, LossLog losses) {}

  /** Per-step training losses of the child run (a loss dict after each step). */
  @FunctionalInterface
  interface LossLog {
    void log(long step, Map<String, ? extends Number> losses);
  }
}
