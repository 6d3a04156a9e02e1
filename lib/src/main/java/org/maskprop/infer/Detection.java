package org.maskprop.infer;

import org.maskprop.data.Rle;

/**
 * One post-processed per-frame detection: a binary mask at frame resolution, its category (dataset
 * category id) and score. The model's tensor form ({@code model.detect.Detections}) is turned into
 * these at the inference boundary.
 */
public record Detection(Rle mask, int categoryId, double score) {
  public Detection {
    if (mask == null) {
      throw new IllegalArgumentException("Detection: mask is null");
    }
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("Detection: score " + score + " outside [0, 1]");
    }
  }
}
