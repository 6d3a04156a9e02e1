package org.maskprop.data;

/**
 * A resize of an {@code inHeight x inWidth} frame to {@code outHeight x outWidth}, then an optional
 * horizontal flip: the geometry that {@link Augmentation} draws once per frame pair and applies to
 * both frames, their masks and their boxes.
 *
 * <p>Conventions, chosen so that images, masks and boxes agree:
 *
 * <ul>
 *   <li>Coordinates are pixel edges: a box {@code [x1, y1, x2, y2]} covers columns {@code x1 ..
 *       x2 - 1}; output pixel {@code j} has its centre at {@code (j + 0.5) * inWidth / outWidth} in
 *       input coordinates (PyTorch's {@code align_corners=False}).
 *   <li>Boxes scale exactly by {@code outWidth / inWidth} and {@code outHeight / inHeight} (the
 *       ratios after rounding the output size, as torchvision's {@code resize_boxes}); a flip maps
 *       {@code x} to {@code outWidth - x}.
 *   <li>Masks use pixel-centre nearest neighbour (PyTorch's {@code nearest-exact}): output pixel
 *       {@code j} reads input pixel {@code floor((j + 0.5) * in / out)}, computed in integers. The
 *       box of a resized mask is then within half an output pixel of the resized box.
 *   <li>Images use bilinear interpolation with the same pixel centres, antialiased when shrinking
 *       ({@link ImageTensors}).
 * </ul>
 */
public record FrameTransform(int inHeight, int inWidth, int outHeight, int outWidth, boolean flip) {
  public FrameTransform {
    if (inHeight <= 0 || inWidth <= 0 || outHeight <= 0 || outWidth <= 0) {
      throw new IllegalArgumentException("sizes must be positive: " + inHeight + "x" + inWidth + " -> "
          + outHeight + "x" + outWidth);
    }
  }

  /** No resize, no flip. */
  public static FrameTransform identity(int height, int width) {
    return new FrameTransform(height, width, height, width, false);
  }

  /**
   * Resize so that the shorter side is {@code shorter}, unless the longer side would then exceed
   * {@code maxSize}, in which case the longer side is {@code maxSize} (detectron2's {@code
   * ResizeShortestEdge.get_output_shape}: sides rounded half up after both scalings).
   */
  public static FrameTransform resizeShorter(int height, int width, int shorter, int maxSize, boolean flip) {
    if (shorter <= 0 || maxSize <= 0) {
      throw new IllegalArgumentException("shorter side and max size must be positive: " + shorter + ", " + maxSize);
    }
    double scale = (double) shorter / Math.min(height, width);
    double h = height < width ? shorter : scale * height;
    double w = height < width ? scale * width : shorter;
    double longer = Math.max(h, w);
    if (longer > maxSize) {
      double s = maxSize / longer;
      h *= s;
      w *= s;
    }
    int outH = Math.max(1, (int) (h + 0.5));
    int outW = Math.max(1, (int) (w + 0.5));
    return new FrameTransform(height, width, outH, outW, flip);
  }

  /** Output over input width. */
  public double scaleX() {
    return (double) outWidth / inWidth;
  }

  /** Output over input height. */
  public double scaleY() {
    return (double) outHeight / inHeight;
  }

  /** The same resize without (or with) the flip. */
  public FrameTransform withFlip(boolean f) {
    return new FrameTransform(inHeight, inWidth, outHeight, outWidth, f);
  }

  /** Maps an XYXY_ABS box {@code [x1, y1, x2, y2]} in input coordinates to output coordinates. */
  public float[] box(float[] xyxy) {
    double sx = scaleX();
    double sy = scaleY();
    double x1 = xyxy[0] * sx;
    double x2 = xyxy[2] * sx;
    if (flip) {
      double t = outWidth - x2;
      x2 = outWidth - x1;
      x1 = t;
    }
    return new float[] {(float) x1, (float) (xyxy[1] * sy), (float) x2, (float) (xyxy[3] * sy)};
  }

  /**
   * Maps a row-major {@code [inHeight * inWidth]} mask to a row-major {@code [outHeight *
   * outWidth]} mask (pixel-centre nearest neighbour, then the flip).
   */
  public byte[] mask(byte[] in) {
    if (in.length != inHeight * inWidth) {
      throw new IllegalArgumentException("mask has " + in.length + " pixels, expected " + inHeight + "x" + inWidth);
    }
    int[] rows = nearestIndex(inHeight, outHeight, false);
    int[] cols = nearestIndex(inWidth, outWidth, flip);
    byte[] out = new byte[outHeight * outWidth];
    for (int i = 0; i < outHeight; i++) {
      int src = rows[i] * inWidth;
      int dst = i * outWidth;
      for (int j = 0; j < outWidth; j++) {
        out[dst + j] = in[src + cols[j]];
      }
    }
    return out;
  }

  /**
   * For each output index {@code j}: the input index {@code floor((j + 0.5) * in / out)} of output
   * position {@code j}, or of {@code out - 1 - j} when flipped.
   */
  static int[] nearestIndex(int in, int out, boolean flipped) {
    int[] idx = new int[out];
    for (int j = 0; j < out; j++) {
      int jj = flipped ? out - 1 - j : j;
      long v = ((2L * jj + 1) * in) / (2L * out);
      idx[j] = (int) Math.min(v, in - 1);
    }
    return idx;
  }
}
