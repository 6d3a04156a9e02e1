package org.maskprop.dataprep.synth;

/**
 * One moving instance: class, colour, size and its pose at every frame. Pose arrays are indexed by
 * {@code frame + 1} and cover the times {@code -1 .. frames} (one extra step at each end, so that
 * motion blur can interpolate around the first and the last frame).
 *
 * @param shape the category
 * @param color RGB in 0..255 (no class cue: drawn from one distribution for all classes)
 * @param radius base radius in pixels (the shape lies in the disc of {@code radius * scale})
 * @param x centre x in pixels per time step
 * @param y centre y in pixels per time step
 * @param angle rotation in radians per time step
 * @param scale size factor per time step
 * @param motion how the track was laid out (for diagnostics and tests)
 */
public record InstanceTrack(
    ShapeClass shape,
    float[] color,
    double radius,
    double[] x,
    double[] y,
    double[] angle,
    double[] scale,
    Motion motion) {

  /** Track layouts: staying inside the frame (bouncing off its borders), entering, leaving. */
  public enum Motion {
    STAY,
    ENTER,
    LEAVE
  }

  /** A pose at one (possibly fractional) time. */
  public record Pose(double x, double y, double angle, double scale) {}

  /** Number of frames of the video (the arrays hold two more time steps). */
  public int frames() {
    return x.length - 2;
  }

  /** Pose at {@code time} in {@code [-1, frames]}, linearly interpolated between time steps. */
  public Pose pose(double time) {
    double s = Math.max(0.0, Math.min(x.length - 1.0, time + 1.0));
    int i = Math.min(x.length - 2, (int) Math.floor(s));
    double f = s - i;
    return new Pose(lerp(x, i, f), lerp(y, i, f), lerp(angle, i, f), lerp(scale, i, f));
  }

  /** Centre displacement in pixels between frames {@code t} and {@code t + 1}. */
  public double step(int t) {
    return Math.hypot(x[t + 2] - x[t + 1], y[t + 2] - y[t + 1]);
  }

  private static double lerp(double[] a, int i, double f) {
    return a[i] + (a[i + 1] - a[i]) * f;
  }
}
