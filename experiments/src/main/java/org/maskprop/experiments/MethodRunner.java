package org.maskprop.experiments;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

/**
 * Runs one method at one grid point on one split: gets the point's trained detector (trained once
 * per grid run and training config, {@link TrainedDetectors}), predicts the split's videos and
 * returns the tracks in the official results format. Scoring is the runner's job ({@code
 * YtvisEvaluator}), so every method is scored by the same code.
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
   * @param imageRoot the split's frame folder ({@code file_names} resolve against it)
   * @param detectors the grid run's trained detectors, shared by every method and point whose
   *     training config is the same
   * @param losses per-step losses of a method that trains by itself (logged on its child run)
   * @param tags tags for the method's child run (e.g. which training run its detector came from)
   */
  record MethodContext(MaskPropConfig config, Method method, Split split, YtvisDataset gt, Path imageRoot,
      TrainedDetectors detectors, LossLog losses, RunTagger tags) {}

  /** Per-step training losses of the child run (a loss dict after each step). */
  @FunctionalInterface
  interface LossLog {
    void log(long step, Map<String, ? extends Number> losses);
  }

  /** Tags of the method's child run. */
  @FunctionalInterface
  interface RunTagger {
    void tag(String key, String value);
  }
}
