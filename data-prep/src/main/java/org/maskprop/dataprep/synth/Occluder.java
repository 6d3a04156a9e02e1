package org.maskprop.dataprep.synth;

/**
 * A static occluder: an axis-aligned striped panel drawn above every instance and not annotated.
 * Pixels {@code x0 <= x < x1}, {@code y0 <= y < y1}.
 *
 * @param color base RGB in 0..255
 * @param stripePeriod period of the panel's stripes in pixels (texture only)
 * @param verticalStripes stripe direction
 */
public record Occluder(
    int x0, int y0, int x1, int y1, float[] color, double stripePeriod, boolean verticalStripes) {

  public int area() {
    return (x1 - x0) * (y1 - y0);
  }

  /**
   * Where an occluder was placed on purpose: it hides instance {@code instance} completely during
   * frames {@code firstFrame .. firstFrame + frames - 1}, and that instance is visible in the frames
   * just before and just after.
   */
  public record Placement(int occluder, int instance, int firstFrame, int frames) {}
}
