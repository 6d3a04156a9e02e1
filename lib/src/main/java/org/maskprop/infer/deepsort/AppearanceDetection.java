package org.maskprop.infer.deepsort;

import org.maskprop.infer.Detection;

/**
 * A per-frame detection with its appearance descriptor (RoI features of the detection, any
 * length). The embedding is copied and scaled to unit L2 norm, so the cosine distance of two
 * descriptors is {@code 1 - dot} (DeepSORT, Sec. 2.2). The box DeepSORT tracks is the mask's box.
 */
public record AppearanceDetection(Detection detection, float[] embedding) {
  public AppearanceDetection {
    if (detection == null || embedding == null || embedding.length == 0) {
      throw new IllegalArgumentException("AppearanceDetection: missing detection or embedding");
    }
    double sq = 0;
    for (float x : embedding) {
      sq += (double) x * x;
    }
    if (!(sq > 0) || !Double.isFinite(sq)) {
      throw new IllegalArgumentException(
          "AppearanceDetection: embedding norm " + Math.sqrt(sq) + " is zero or not finite");
    }
    float inv = (float) (1 / Math.sqrt(sq));
    float[] unit = new float[embedding.length];
    for (int i = 0; i < unit.length; i++) {
      unit[i] = embedding[i] * inv;
    }
    embedding = unit;
  }

  /** Box {@code [x, y, w, h]} of the mask (as pycocotools' {@code toBbox}). */
  public double[] box() {
    return detection.mask().toBbox();
  }
}
