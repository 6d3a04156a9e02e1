package org.maskprop.dataprep.synth;

/**
 * The ground truth of one frame: which instance is visible at each pixel, plus per-instance areas.
 *
 * @param label {@code [height * width]} row-major: instance index + 1 of the visible instance, 0 for
 *     background or static occluder
 * @param visibleArea visible pixels per instance (before the tiny-area rule)
 * @param amodalArea pixels of each instance's whole shape inside the frame, ignoring occlusion
 * @param amodalBox per instance {@code [x0, y0, x1, y1]} (inclusive) of the whole shape inside the
 *     frame, 4 ints per instance; {@code x0 > x1} when the shape is outside the frame
 */
public record LabelFrame(
    int height, int width, int[] label, int[] visibleArea, int[] amodalArea, int[] amodalBox) {

  /**
   * Fewer visible pixels than this and the instance counts as absent in the frame (null in the
   * JSON), consistently for its mask, area and box.
   */
  public static final int MIN_VISIBLE_PIXELS = 4;

  /** Whether instance {@code i} is present (annotated) in this frame. */
  public boolean present(int i) {
    return visibleArea[i] >= MIN_VISIBLE_PIXELS;
  }

  /** Row-major 0/1 mask of the visible part of instance {@code i}, or null when it is absent. */
  public byte[] mask(int i) {
    if (!present(i)) {
      return null;
    }
    byte[] m = new byte[label.length];
    int id = i + 1;
    for (int p = 0; p < label.length; p++) {
      if (label[p] == id) {
        m[p] = 1;
      }
    }
    return m;
  }
}
