package org.maskprop.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.maskprop.model.detect.Detections;

/**
 * What {@link VideoMaskRcnn#detect} computes once per frame and inference caches for the {@code T'}
 * frames of its window: the FPN features (propagation reads P3 of both frames of a pair) and the
 * frame's final detections with mask logits.
 *
 * @param features {@code p2..p6} by name, each {@code [1, C, H_l, W_l]}, finest first
 * @param detections final instances of the frame ({@link Detections#hasMasks()} is true)
 */
public record FrameOutput(Map<String, NDArray> features, Detections detections, String propagationLevel) {
  public FrameOutput {
    features = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(features));
    if (!features.containsKey(propagationLevel)) {
      throw new IllegalArgumentException("FrameOutput: no " + propagationLevel + " in " + features.keySet());
    }
    if (!detections.hasMasks()) {
      throw new IllegalArgumentException("FrameOutput: detections without mask logits");
    }
  }

  /** Propagation on P3, as in the paper. */
  public FrameOutput(Map<String, NDArray> features, Detections detections) {
    this(features, detections, VideoMaskRcnn.PROPAGATION_LEVEL);
  }

  /** Frame height in pixels. */
  public int height() {
    return detections.height();
  }

  /** Frame width in pixels. */
  public int width() {
    return detections.width();
  }

  /**
   * The features the propagation branch runs on, {@code [1, C, h, w]}: P3 in the paper, the level
   * {@code propagation.level} names otherwise (the name stays for the paper's case).
   */
  public NDArray p3() {
    return features.get(propagationLevel);
  }
}
