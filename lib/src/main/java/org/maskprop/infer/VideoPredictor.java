package org.maskprop.infer;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.maskprop.config.InferConfig;
import org.maskprop.data.CategoryIndex;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.YtvisResult;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.util.Progress;

/**
 * MaskProp inference on one video (Sec. 4.3): a {@link ClipTracker} yields the clip-level tracks of
 * every centre frame in order and a {@link VideoLevelAssigner} links them into video-level
 * instances (Eqs. 4 and 5), both streaming, so memory depends on {@code T'} and not on the video
 * length. Results leave as {@link YtvisResult}s (RLE masks at the video's own frame size).
 *
 * <p>Inference only: {@code training = false}, no gradient collector; native arrays live in a
 * manager opened on the parameter store's manager and closed before returning.
 */
public final class VideoPredictor {
  private VideoPredictor() {}

  /**
   * Per-video MaskProp inference over a dataset's frames for {@link InferenceRunner}: each video's
   * frames {@code imageRoot/file_names[f]}, resized so the shorter side is {@code minSize} (longer
   * side at most {@code maxSize}, as training sized them), classes mapped back to category ids.
   */
  public static InferenceRunner.VideoInference forDataset(
      ParameterStore ps,
      VideoMaskRcnn model,
      Path imageRoot,
      InferConfig config,
      int minSize,
      int maxSize,
      CategoryIndex categories,
      boolean showProgress) {
    return video -> {
      try (FrameSource frames = FrameSource.ofImages(imageRoot, video)) {
        FrameTransform t = FrameTransform.resizeShorter(video.height(), video.width(), minSize, maxSize, false);
        return predict(ps, model, frames, video.id(), config, t, categories::categoryId, showProgress);
      }
    };
  }

  /**
   * Frames at their own size, detector classes 1..K taken as category ids (true for YouTube-VIS
   * 2019 and SynthVIS, whose ids are 1..K), progress on stderr.
   */
  public static List<YtvisResult> predict(
      ParameterStore ps, VideoMaskRcnn model, FrameSource frames, int videoId, InferConfig config) {
    return predict(ps, model, frames, videoId, config,
        FrameTransform.identity(frames.height(), frames.width()), c -> c, true);
  }

  /**
   * @param transform frame geometry of the model input (e.g. {@link FrameTransform#resizeShorter}
   *     with the data config's test size); masks are emitted at the video's own size
   * @param categoryOf detector class index (1..K) to dataset category id
   * @param showProgress a progress bar over the video's frames on stderr
   */
  public static List<YtvisResult> predict(
      ParameterStore ps,
      VideoMaskRcnn model,
      FrameSource frames,
      int videoId,
      InferConfig config,
      FrameTransform transform,
      IntUnaryOperator categoryOf,
      boolean showProgress) {
    return predict(ps, model, frames, videoId, config, transform, categoryOf, showProgress,
        MaskPropagator.learned(model, ps));
  }

  /**
   * The same pipeline with another propagation step (a baseline such as {@code flow-propagation}):
   * clip length, thresholds and the video-level assigner stay MaskProp's.
   */
  public static List<YtvisResult> predict(
      ParameterStore ps,
      VideoMaskRcnn model,
      FrameSource frames,
      int videoId,
      InferConfig config,
      FrameTransform transform,
      IntUnaryOperator categoryOf,
      boolean showProgress,
      MaskPropagator propagator) {
    int n = frames.frameCount();
    String label = "video " + videoId;
    try (NDManager manager = ps.getManager().newSubManager();
        ClipTracker tracker =
            new ClipTracker(model, ps, manager, frames, transform, config, categoryOf, propagator);
        Progress progress = showProgress ? Progress.start(label, n) : Progress.silent(label, n)) {
      VideoLevelAssigner assigner = null;
      while (tracker.hasNext()) {
        int t = tracker.nextCentre();
        List<ClipTrack> tracks = tracker.next();
        if (assigner == null) { // the working resolution is known once a frame is detected
          assigner = VideoLevelAssigner.of(manager, config, videoId, n, tracker.gridHeight(),
              tracker.gridWidth(), frames.height(), frames.width());
        }
        assigner.add(t, tracks);
        progress.step();
      }
      return assigner == null ? List.of() : assigner.finish();
    }
  }
}
