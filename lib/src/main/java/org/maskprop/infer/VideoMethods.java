package org.maskprop.infer;

import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.maskprop.InputException;
import org.maskprop.config.InferConfig;
import org.maskprop.config.TrackConfig;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.deepsort.DeepSortParams;
import org.maskprop.infer.flow.FlowPropagator;
import org.maskprop.infer.masktrack.MaskTrackMatcher;
import org.maskprop.model.VideoMaskRcnn;

/**
 * The registry of {@link VideoMethod}s by name. {@code maskprop} is the paper's method; each
 * baseline registers here under the name {@code predict --method} takes.
 */
public final class VideoMethods {
  private VideoMethods() {}

  private static final Map<String, VideoMethod> METHODS = new LinkedHashMap<>();

  static {
    register(named("maskprop", VideoPredictor::predict));
    register(TrackingByDetection.iouLinking());
    register(TrackingByDetection.deepSort(DeepSortParams.defaults()));
    register(named(FlowPropagator.NAME, FlowPropagator::predict)); // stand-in for the paper's FlowNet2 baseline
    register(TrackingByDetection.maskTrack(VideoMaskRcnn::embed, VideoMethods::maskTrackLinker));
  }

  /**
   * MaskTrack R-CNN's matcher as a linker, with MaskTrack's cue weights (score 1, box IoU 2,
   * category 10: {@link TrackConfig#paper}); a {@link VideoMethod} sees only the inference config.
   */
  private static DetectionLinker maskTrackLinker(int videoId, int numFrames, InferConfig config) {
    MaskTrackMatcher matcher = new MaskTrackMatcher(TrackConfig.paper(true), numFrames, videoId);
    return new DetectionLinker() {
      @Override
      public void add(int frame, List<DetectedInstance> detections) {
        matcher.addFrame(frame, detections.stream().map(d -> new MaskTrackMatcher.Candidate(d.detection(),
            new double[] {d.box()[0], d.box()[1], d.box()[2], d.box()[3]}, d.embedding())).toList());
      }

      @Override
      public List<YtvisResult> finish() {
        return matcher.finish();
      }
    };
  }

  private static void register(VideoMethod method) {
    METHODS.put(method.name(), method);
  }

  /** Names in registration order, MaskProp first. */
  public static List<String> names() {
    return List.copyOf(METHODS.keySet());
  }

  /** The method called {@code name}; an unknown name is bad input (the message lists the known ones). */
  public static VideoMethod byName(String name) {
    VideoMethod m = METHODS.get(name);
    if (m == null) {
      throw new InputException("--method " + name + ": unknown method (known: " + String.join(", ", names()) + ")");
    }
    return m;
  }

  /** A method from a name and a predict function of {@link VideoMethod}'s shape. */
  public static VideoMethod named(String name, Predict predict) {
    return new VideoMethod() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<YtvisResult> predict(
          ParameterStore ps,
          VideoMaskRcnn model,
          FrameSource frames,
          int videoId,
          InferConfig config,
          FrameTransform transform,
          IntUnaryOperator categoryOf,
          boolean showProgress) {
        return predict.predict(ps, model, frames, videoId, config, transform, categoryOf, showProgress);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  /** {@link VideoMethod#predict}'s shape, for method references. */
  @FunctionalInterface
  public interface Predict {
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
}
