package org.maskprop.ops;

/**
 * Channels and stride of one feature map (detectron2's {@code ShapeSpec}); heads size themselves
 * from these instead of repeating constants. {@code stride} is in input pixels per feature pixel.
 */
public record ShapeSpec(int channels, int stride) {
  public ShapeSpec {
    if (channels <= 0 || stride <= 0) {
      throw new IllegalArgumentException(
          "ShapeSpec needs channels > 0 and stride > 0, got " + channels + ", " + stride);
    }
  }
}
