package org.maskprop.infer;

/**
 * One detection of one frame as the tracking-by-detection baselines see it ({@link FrameDetector}):
 * the binary mask at the video's size with its category and score, the detector's box in video
 * pixels, the appearance descriptor DeepSORT compares, and (MaskTrack R-CNN) the tracking head's
 * embedding. The arrays are the detector's own copies, handed over, not copied again: read only.
 *
 * @param detection mask (video size, non-empty), dataset category id, score in (threshold, 1]
 * @param box {@code [x1, y1, x2, y2]} in video pixels (the detector's box, not the mask's)
 * @param appearance RoIAlign-pooled FPN features of the box, flattened ({@code C x 7 x 7})
 * @param embedding the {@link Embedder}'s vector, or null when the method has no embedder
 */
public record DetectedInstance(Detection detection, float[] box, float[] appearance, float[] embedding) {
  public DetectedInstance {
    if (detection == null || box == null || box.length != 4 || appearance == null) {
      throw new IllegalArgumentException("DetectedInstance: detection, 4-value box and appearance are required");
    }
  }
}
