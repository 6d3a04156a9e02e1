package org.maskprop.dataprep.synth;

import java.util.Random;

/** Random colours (RGB in 0..255) for backgrounds, instances and occluders. */
final class Palette {
  private Palette() {}

  /** A muted colour for backgrounds and occluders. */
  static float[] muted(Random rng) {
    return hsv(rng.nextDouble(), 0.10 + 0.35 * rng.nextDouble(), 0.30 + 0.45 * rng.nextDouble());
  }

  /** A saturated colour for an instance; every class draws from the same distribution. */
  static float[] vivid(Random rng) {
    return hsv(rng.nextDouble(), 0.55 + 0.45 * rng.nextDouble(), 0.55 + 0.45 * rng.nextDouble());
  }

  /** HSV in [0, 1]^3 to RGB in [0, 255]. */
  static float[] hsv(double h, double s, double v) {
    double hh = (h - Math.floor(h)) * 6.0;
    int sector = (int) hh;
    double f = hh - sector;
    double p = v * (1 - s);
    double q = v * (1 - s * f);
    double t = v * (1 - s * (1 - f));
    double r;
    double g;
    double b;
    switch (sector) {
      case 0 -> { r = v; g = t; b = p; }
      case 1 -> { r = q; g = v; b = p; }
      case 2 -> { r = p; g = v; b = t; }
      case 3 -> { r = p; g = q; b = v; }
      case 4 -> { r = t; g = p; b = v; }
      default -> { r = v; g = p; b = q; }
    }
    return new float[] {(float) (255 * r), (float) (255 * g), (float) (255 * b)};
  }
}
