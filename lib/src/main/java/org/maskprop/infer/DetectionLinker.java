package org.maskprop.infer;

import java.util.List;
import org.maskprop.config.InferConfig;
import org.maskprop.data.YtvisResult;

/**
 * Links one video's per-frame detections into video-level instances, frame by frame: the
 * association step of a tracking-by-detection baseline ({@link TrackingByDetection}); greedy mask
 * IoU ({@link IouLinker}), DeepSORT, MaskTrack R-CNN's matcher.
 */
public interface DetectionLinker {

  /** The detections of frame {@code frame}; called once per frame of the video, in order from 0. */
  void add(int frame, List<DetectedInstance> detections);

  /** The video's results, RLE masks at the video's size and one entry per frame (null: absent). */
  List<YtvisResult> finish();

  /** Opens a linker for one video. */
  @FunctionalInterface
  interface Factory {
    DetectionLinker open(int videoId, int numFrames, InferConfig config);
  }
}
