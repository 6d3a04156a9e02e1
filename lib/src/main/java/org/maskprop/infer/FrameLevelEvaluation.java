package org.maskprop.infer;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maskprop.config.DataConfig;
import org.maskprop.data.CategoryIndex;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.eval.FrameLevel;
import org.maskprop.eval.Metrics;
import org.maskprop.train.TrainedModel;
import org.maskprop.util.Progress;

/**
 * The detector alone: frame-level mask AP of a trained model on a split ({@link FrameLevel}: each
 * frame a one-frame video), with the per-frame detections every tracking-by-detection method starts
 * from ({@link FrameDetector}). It tells how much of a video score the detector sets.
 */
public final class FrameLevelEvaluation {
  private FrameLevelEvaluation() {}

  /** One-frame results and their metrics; {@code metrics} is null when nothing was detected. */
  public record Outcome(List<YtvisResult> results, Metrics metrics, FrameLevel frames) {}

  /**
   * @param categories the model's classes 1..K in ascending category id order
   */
  public static Outcome run(TrainedModel model, YtvisDataset dataset, Path imageRoot, CategoryIndex categories,
      boolean showProgress) {
    FrameLevel fl = FrameLevel.of(dataset);
    DataConfig dc = model.config().data();
    List<YtvisResult> results = new ArrayList<>();
    long frames = dataset.videos().stream().mapToLong(YtvisDataset.Video::length).sum();
    try (NDManager manager = model.ps().getManager().newSubManager();
        Progress progress = showProgress ? Progress.start("frames", frames) : Progress.silent("frames", frames)) {
      for (int vi = 0; vi < dataset.videos().size(); vi++) {
        YtvisDataset.Video video = dataset.videos().get(vi);
        FrameTransform t = FrameTransform.resizeShorter(video.height(), video.width(), dc.minSize(), dc.maxSize(),
            false);
        try (FrameSource source = FrameSource.ofImages(imageRoot, video);
            FrameDetector detector = new FrameDetector(model.model(), model.ps(), manager, t,
                model.config().infer(), categories::categoryId, null)) {
          for (int f = 0; f < video.length(); f++) {
            for (DetectedInstance d : detector.detect(source.frame(f))) {
              results.add(fl.result(vi, f, d.detection().categoryId(), d.detection().score(), d.detection().mask()));
            }
            progress.step();
          }
        }
      }
    }
    return new Outcome(results, results.isEmpty() ? null : fl.evaluate(results), fl);
  }
}
