package org.maskprop.infer;

import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.maskprop.config.InferConfig;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.YtvisResult;
import org.maskprop.model.VideoMaskRcnn;

/**
 * One way of turning a video into video-level instances with the same trained detector: MaskProp
 * itself (Sec. 4.3) and the baselines of Tables 2 and 3. {@link VideoMethods} names them; {@code
 * predict --method}, the demo and the experiment grids all go through this contract, so every method
 * sees the same frames, the same detector and the same category mapping.
 */
public interface VideoMethod {

  /** The name used on the command line and in result files, e.g. {@code maskprop}, {@code iou-linking}. */
  String name();

  /**
   * Predicts one video.
   *
   * @param ps parameter store of the model (inference: {@code training = false})
   * @param model the trained network
   * @param frames the video, read in order
   * @param videoId id written into every result
   * @param config inference settings (clip length, thresholds)
   * @param transform frame geometry of the model input; masks are emitted at the video's own size
   * @param categoryOf detector class index (1..K) to dataset category id
   * @param showProgress a progress bar over the video's frames on stderr
   * @return one result per video-level instance and category, RLE masks at the frame size
   */
  List<YtvisResult> predict(
      ParameterStore ps,
      VideoMaskRcnn model,
      FrameSource frames,
      int videoId,
      InferConfig config,
      FrameTransform transform,
      IntUnaryOperator categoryOf,
      boolean showProgress);
}
