package org.maskprop.infer;

import java.util.ArrayList;
import java.util.List;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.eval.Evaluator;
import org.maskprop.eval.Metrics;

/**
 * Inference over a dataset with evaluation (detectron2's {@code inference_on_dataset}, STYLE.md E5):
 * reset the evaluator, predict and process each video in dataset order, evaluate; the wall time of
 * the videos after the first {@code warmupVideos} is reported (warm-up pays for native code loading
 * and allocator growth, which a throughput number should leave out).
 */
public final class InferenceRunner {
  private InferenceRunner() {}

  /** The predictions of one video (for MaskProp: {@link VideoPredictor#forDataset}). */
  @FunctionalInterface
  public interface VideoInference {
    List<YtvisResult> predict(YtvisDataset.Video video);
  }

  /**
   * @param results all predictions, video by video in dataset order
   * @param metrics the evaluator's metrics over them
   * @param timedVideos videos after the warm-up
   * @param timedFrames their frames
   * @param timedSeconds their wall time (prediction only, evaluator calls excluded)
   */
  public record Report(
      List<YtvisResult> results, Metrics metrics, int timedVideos, long timedFrames, double timedSeconds) {
    public Report {
      results = List.copyOf(results);
    }

    /** Frames per second after the warm-up, NaN when nothing was timed. */
    public double framesPerSecond() {
      return timedFrames == 0 || timedSeconds <= 0 ? Double.NaN : timedFrames / timedSeconds;
    }
  }

  /** Predicts every video of {@code dataset} and evaluates the predictions. */
  public static Report run(VideoInference inference, YtvisDataset dataset, Evaluator evaluator, int warmupVideos) {
    if (warmupVideos < 0) {
      throw new IllegalArgumentException("warmupVideos must be >= 0, got " + warmupVideos);
    }
    evaluator.reset();
    List<YtvisResult> all = new ArrayList<>();
    int timedVideos = 0;
    long timedFrames = 0;
    long timedNanos = 0;
    int index = 0;
    for (YtvisDataset.Video video : dataset.videos()) {
      long start = System.nanoTime();
      List<YtvisResult> results = inference.predict(video);
      long nanos = System.nanoTime() - start;
      for (YtvisResult r : results) {
        if (r.videoId() != video.id()) {
          throw new IllegalStateException(
              "prediction for video " + r.videoId() + " returned while predicting video " + video.id());
        }
      }
      if (index++ >= warmupVideos) {
        timedVideos++;
        timedFrames += video.length();
        timedNanos += nanos;
      }
      evaluator.process(results);
      all.addAll(results);
    }
    return new Report(all, evaluator.evaluate(), timedVideos, timedFrames, timedNanos / 1e9);
  }
}
