package org.maskprop.infer;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.maskprop.config.InferConfig;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.deepsort.AppearanceDetection;
import org.maskprop.infer.deepsort.DeepSortParams;
import org.maskprop.infer.deepsort.DeepSortTracker;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.util.Progress;

/**
 * The tracking-by-detection baselines of Tables 2 and 3 as {@link VideoMethod}s: the trained
 * detector runs on every frame alone ({@link FrameDetector}: same model, same score and mask
 * thresholds, same category mapping as MaskProp) and a {@link DetectionLinker} associates the
 * detections across frames; nothing is propagated.
 *
 * <ul>
 *   <li>{@link #iouLinking()}, {@code iou-linking}: greedy mask IoU between consecutive frames
 *       ({@link IouLinker}); a link needs IoU strictly above {@code infer.assignThreshold}, the
 *       threshold MaskProp's Eq. 5 uses to join an ID (both 0.5 by default), so one config field
 *       tunes the "same instance" decision of both methods.
 *   <li>{@link #deepSort(DeepSortParams)}, {@code deepsort}: {@link DeepSortTracker} (Kalman
 *       filter on the mask's box, Hungarian matching of gated appearance then IoU costs,
 *       tentative/confirmed/deleted tracks); appearance is the cosine distance of the detections'
 *       RoI features ({@link DetectedInstance#appearance()}). A detection whose descriptor is all
 *       zeros has no direction to compare and is skipped, like an empty mask.
 *   <li>{@link #maskTrack}: MaskTrack R-CNN's matcher on the tracking head's embeddings, given as
 *       an {@link Embedder} and a linker factory (both live with the tracking head).
 * </ul>
 *
 * <p>Memory: one frame's tensors at a time ({@link FrameDetector}); what a linker keeps is Java
 * data (RLE masks, boxes, descriptors).
 */
public final class TrackingByDetection implements VideoMethod {
  private final String name;
  private final DetectionLinker.Factory linkers;
  private final Embedder embedder;

  /**
   * @param name the method's name in {@link VideoMethods}
   * @param linkers the association step, one linker per video
   * @param embedder per-box embeddings the linker reads ({@link DetectedInstance#embedding()}), or
   *     null
   */
  public TrackingByDetection(String name, DetectionLinker.Factory linkers, Embedder embedder) {
    this.name = name;
    this.linkers = linkers;
    this.embedder = embedder;
  }

  /** Per-frame detection and greedy mask-IoU linking of consecutive frames. */
  public static TrackingByDetection iouLinking() {
    return new TrackingByDetection("iou-linking", TrackingByDetection::iouLinker, null);
  }

  /** Per-frame detection and DeepSORT with RoI-feature appearance. */
  public static TrackingByDetection deepSort(DeepSortParams params) {
    return new TrackingByDetection("deepsort", (videoId, numFrames, config) -> deepSortLinker(params, videoId,
        numFrames), null);
  }

  /**
   * Per-frame detection with the tracking head's embeddings and MaskTrack R-CNN's matcher.
   *
   * @param embedder the tracking head ({@code VideoMaskRcnn::embed})
   * @param matcher a linker over {@link DetectedInstance#embedding()}, box, score, category and mask
   */
  public static TrackingByDetection maskTrack(Embedder embedder, DetectionLinker.Factory matcher) {
    return new TrackingByDetection("masktrack", matcher, embedder);
  }

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
    if (transform.inHeight() != frames.height() || transform.inWidth() != frames.width()) {
      throw new IllegalArgumentException(name + ": transform expects " + transform.inHeight() + "x"
          + transform.inWidth() + " frames, the video has " + frames.height() + "x" + frames.width());
    }
    int n = frames.frameCount();
    String label = "video " + videoId;
    DetectionLinker linker = linkers.open(videoId, n, config);
    try (NDManager manager = ps.getManager().newSubManager();
        FrameDetector detector = new FrameDetector(model, ps, manager, transform, config, categoryOf, embedder);
        Progress progress = showProgress ? Progress.start(label, n) : Progress.silent(label, n)) {
      for (int f = 0; f < n; f++) {
        linker.add(f, detector.detect(frames.frame(f)));
        progress.step();
      }
    }
    return linker.finish();
  }

  @Override
  public String toString() {
    return name;
  }

  // ---------------------------------------------------------------------------------------------

  /** {@link IouLinker} is a batch call: collect the (RLE-only) detections, link at the end. */
  static DetectionLinker iouLinker(int videoId, int numFrames, InferConfig config) {
    List<FrameDetections> frames = new ArrayList<>(numFrames);
    return new DetectionLinker() {
      @Override
      public void add(int frame, List<DetectedInstance> detections) {
        frames.add(new FrameDetections(frame, detections.stream().map(DetectedInstance::detection).toList()));
      }

      @Override
      public List<YtvisResult> finish() {
        return IouLinker.link(videoId, numFrames, frames, config.assignThreshold());
      }
    };
  }

  /** {@link DeepSortTracker} stepped frame by frame on the RoI-feature descriptors. */
  static DetectionLinker deepSortLinker(DeepSortParams params, int videoId, int numFrames) {
    DeepSortTracker tracker = new DeepSortTracker(params, numFrames);
    return new DetectionLinker() {
      int next;

      @Override
      public void add(int frame, List<DetectedInstance> detections) {
        if (frame != next) {
          throw new IllegalArgumentException("deepsort: frame " + frame + " after frame " + (next - 1));
        }
        next++;
        List<AppearanceDetection> dets = new ArrayList<>(detections.size());
        for (DetectedInstance d : detections) {
          if (hasDirection(d.appearance())) {
            dets.add(new AppearanceDetection(d.detection(), d.appearance()));
          }
        }
        tracker.step(dets);
      }

      @Override
      public List<YtvisResult> finish() {
        return tracker.results(videoId);
      }
    };
  }

  /** A finite, non-zero vector (one a cosine distance can be taken of). */
  private static boolean hasDirection(float[] v) {
    double sq = 0;
    for (float x : v) {
      sq += (double) x * x;
    }
    return sq > 0 && Double.isFinite(sq);
  }
}
