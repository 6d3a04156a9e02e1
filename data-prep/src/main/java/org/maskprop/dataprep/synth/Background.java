package org.maskprop.dataprep.synth;

import java.util.Random;

/**
 * Static textured backgrounds, one per video: a two-colour gradient, sinusoidal stripes or smooth
 * value noise, each with a fixed fine grain so that no region is flat.
 */
final class Background {
  enum Kind {
    GRADIENT,
    STRIPES,
    NOISE
  }

  /** Fixed per-pixel grain (sigma, grey levels). */
  private static final double GRAIN = 4.0;

  private Background() {}

  /** Renders a background: planes {@code [3][height * width]} (R, G, B in 0..255). */
  static float[][] render(int height, int width, Random rng) {
    Kind kind = Kind.values()[rng.nextInt(Kind.values().length)];
    float[] c1 = Palette.muted(rng);
    float[] c2 = Palette.muted(rng);
    double m = Math.min(height, width);
    double[] t =
        switch (kind) {
          case GRADIENT -> gradient(height, width, rng);
          case STRIPES -> stripes(height, width, m, rng);
          case NOISE -> valueNoise(height, width, m, rng);
        };
    float[][] rgb = new float[3][height * width];
    for (int i = 0; i < height * width; i++) {
      double grain = GRAIN * rng.nextGaussian();
      for (int c = 0; c < 3; c++) {
        rgb[c][i] = (float) (c1[c] * (1 - t[i]) + c2[c] * t[i] + grain);
      }
    }
    return rgb;
  }

  private static double[] gradient(int h, int w, Random rng) {
    double a = 2 * Math.PI * rng.nextDouble();
    double ca = Math.cos(a);
    double sa = Math.sin(a);
    // projection range over the four corners, to normalise t to [0, 1]
    double lo = Math.min(0, ca * w) + Math.min(0, sa * h);
    double hi = Math.max(0, ca * w) + Math.max(0, sa * h);
    double[] t = new double[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        t[y * w + x] = ((x + 0.5) * ca + (y + 0.5) * sa - lo) / (hi - lo);
      }
    }
    return t;
  }

  private static double[] stripes(int h, int w, double m, Random rng) {
    double a = Math.PI * rng.nextDouble();
    double period = (0.08 + 0.17 * rng.nextDouble()) * m;
    double phase = 2 * Math.PI * rng.nextDouble();
    double ca = Math.cos(a);
    double sa = Math.sin(a);
    double[] t = new double[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double proj = (x + 0.5) * ca + (y + 0.5) * sa;
        t[y * w + x] = 0.5 + 0.5 * Math.sin(2 * Math.PI * proj / period + phase);
      }
    }
    return t;
  }

  /** Two octaves of value noise on a random grid, smoothstep-interpolated, scaled to [0, 1]. */
  private static double[] valueNoise(int h, int w, double m, Random rng) {
    double cell = (0.15 + 0.20 * rng.nextDouble()) * m;
    double[] t = new double[h * w];
    addOctave(t, h, w, cell, 1.0, rng);
    addOctave(t, h, w, cell / 2, 0.4, rng);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : t) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    double span = Math.max(1e-9, hi - lo);
    for (int i = 0; i < t.length; i++) {
      t[i] = (t[i] - lo) / span;
    }
    return t;
  }

  private static void addOctave(double[] t, int h, int w, double cell, double amp, Random rng) {
    int gw = (int) Math.ceil(w / cell) + 2;
    int gh = (int) Math.ceil(h / cell) + 2;
    double[] grid = new double[gw * gh];
    for (int i = 0; i < grid.length; i++) {
      grid[i] = rng.nextDouble();
    }
    for (int y = 0; y < h; y++) {
      double gy = (y + 0.5) / cell;
      int iy = (int) gy;
      double fy = smooth(gy - iy);
      for (int x = 0; x < w; x++) {
        double gx = (x + 0.5) / cell;
        int ix = (int) gx;
        double fx = smooth(gx - ix);
        double top = grid[iy * gw + ix] * (1 - fx) + grid[iy * gw + ix + 1] * fx;
        double bottom = grid[(iy + 1) * gw + ix] * (1 - fx) + grid[(iy + 1) * gw + ix + 1] * fx;
        t[y * w + x] += amp * (top * (1 - fy) + bottom * fy);
      }
    }
  }

  private static double smooth(double f) {
    return f * f * (3 - 2 * f);
  }
}
