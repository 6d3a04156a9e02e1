package org.maskprop.infer.deepsort;

/**
 * DeepSORT's Kalman filter on boxes (Wojke et al. 2017, Sec. 2.1): state
 * {@code (cx, cy, a, h, vcx, vcy, va, vh)} with a constant-velocity model (unit time step per
 * frame) and a direct observation of {@code (cx, cy, a, h)} (centre, aspect ratio w/h, height).
 *
 * <p>Noise standard deviations scale with the current height so the filter behaves the same at
 * every object size: position 1/20 of h, velocity 1/160 of h, with small fixed values for the
 * aspect ratio (1e-2 position / 1e-5 velocity in the process noise, 1e-1 in the measurement noise).
 * A new track starts with twice the position and ten times the velocity std.
 *
 * <p>Plain {@code double} arrays: an 8x8 filter per track is far below what tensors pay off for.
 */
public final class KalmanBoxFilter {
  private KalmanBoxFilter() {}

  /** Chi-square 0.95 quantile for 4 degrees of freedom: the Mahalanobis gate (Sec. 2.2). */
  public static final double CHI2_95_4DOF = 9.4877;

  static final double STD_WEIGHT_POSITION = 1.0 / 20;
  static final double STD_WEIGHT_VELOCITY = 1.0 / 160;

  /** A Gaussian over the 8-dim state: mean {@code [8]}, covariance {@code [8][8]}. */
  public record State(double[] mean, double[][] covariance) {}

  /** A Gaussian over the 4-dim measurement space: mean {@code [4]}, covariance {@code [4][4]}. */
  public record Projection(double[] mean, double[][] covariance) {}

  /** Box {@code [x, y, w, h]} (top-left, size) to measurement {@code (cx, cy, w/h, h)}. */
  public static double[] measurement(double[] xywh) {
    return new double[] {
      xywh[0] + xywh[2] / 2, xywh[1] + xywh[3] / 2, xywh[2] / xywh[3], xywh[3]
    };
  }

  /** The state's box as {@code [x, y, w, h]}. */
  public static double[] toXywh(double[] mean) {
    double w = mean[2] * mean[3];
    double h = mean[3];
    return new double[] {mean[0] - w / 2, mean[1] - h / 2, w, h};
  }

  /** New track from an unassociated measurement: zero velocity, wide covariance. */
  public static State initiate(double[] z) {
    double[] mean = new double[8];
    System.arraycopy(z, 0, mean, 0, 4);
    double h = z[3];
    double p = 2 * STD_WEIGHT_POSITION * h;
    double v = 10 * STD_WEIGHT_VELOCITY * h;
    return new State(mean, diagSquared(p, p, 1e-2, p, v, v, 1e-5, v));
  }

  /** One frame of the motion model: {@code x = F x}, {@code P = F P F^T + Q}. */
  public static State predict(State s) {
    double h = s.mean()[3];
    double p = STD_WEIGHT_POSITION * h;
    double v = STD_WEIGHT_VELOCITY * h;
    double[][] q = diagSquared(p, p, 1e-2, p, v, v, 1e-5, v);
    double[] mean = s.mean().clone();
    for (int i = 0; i < 4; i++) {
      mean[i] += mean[i + 4];
    }
    double[][] pm = s.covariance();
    // F = [[I, I], [0, I]]: F P F^T without a general product
    double[][] fp = new double[8][8];
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < 8; j++) {
        fp[i][j] = pm[i][j] + (i < 4 ? pm[i + 4][j] : 0);
      }
    }
    double[][] cov = new double[8][8];
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < 8; j++) {
        cov[i][j] = fp[i][j] + (j < 4 ? fp[i][j + 4] : 0) + q[i][j];
      }
    }
    return new State(mean, cov);
  }

  /** Into measurement space: {@code H x}, {@code H P H^T + R}. */
  public static Projection project(State s) {
    double h = s.mean()[3];
    double p = STD_WEIGHT_POSITION * h;
    double[][] r = diagSquared(p, p, 1e-1, p);
    double[] mean = new double[4];
    double[][] cov = new double[4][4];
    for (int i = 0; i < 4; i++) {
      mean[i] = s.mean()[i];
      for (int j = 0; j < 4; j++) {
        cov[i][j] = s.covariance()[i][j] + r[i][j];
      }
    }
    return new Projection(mean, cov);
  }

  /**
   * Correction with measurement {@code z}: {@code K = P H^T S^-1}, {@code x += K y},
   * {@code P -= K S K^T}.
   */
  public static State update(State s, double[] z) {
    Projection pr = project(s);
    double[][] l = cholesky(pr.covariance());
    double[][] pm = s.covariance();
    // K^T = S^-1 (P H^T)^T, column by column: row i of K solves S k = P[i][0..3]
    double[][] k = new double[8][];
    for (int i = 0; i < 8; i++) {
      k[i] = choleskySolve(l, new double[] {pm[i][0], pm[i][1], pm[i][2], pm[i][3]});
    }
    double[] y = new double[4];
    for (int j = 0; j < 4; j++) {
      y[j] = z[j] - pr.mean()[j];
    }
    double[] mean = s.mean().clone();
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < 4; j++) {
        mean[i] += k[i][j] * y[j];
      }
    }
    // K S K^T = K (P H^T)^T since K S = P H^T
    double[][] cov = new double[8][8];
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < 8; j++) {
        double ksk = 0;
        for (int c = 0; c < 4; c++) {
          ksk += k[i][c] * pm[j][c];
        }
        cov[i][j] = pm[i][j] - ksk;
      }
    }
    return new State(mean, cov);
  }

  /** Squared Mahalanobis distance of measurement {@code z} to the projected state (Eq. 1). */
  public static double gatingDistance(Projection pr, double[] z) {
    double[][] l = cholesky(pr.covariance());
    double[] d = new double[4];
    for (int j = 0; j < 4; j++) {
      d[j] = z[j] - pr.mean()[j];
    }
    double[] w = forward(l, d);
    double sum = 0;
    for (double x : w) {
      sum += x * x;
    }
    return sum;
  }

  private static double[][] diagSquared(double... std) {
    double[][] m = new double[std.length][std.length];
    for (int i = 0; i < std.length; i++) {
      m[i][i] = std[i] * std[i];
    }
    return m;
  }

  /** Lower-triangular L with {@code L L^T = a} (a symmetric positive definite). */
  static double[][] cholesky(double[][] a) {
    int n = a.length;
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i][j];
        for (int c = 0; c < j; c++) {
          s -= l[i][c] * l[j][c];
        }
        if (i == j) {
          if (!(s > 0)) {
            throw new IllegalArgumentException("KalmanBoxFilter: covariance not positive definite");
          }
          l[i][i] = Math.sqrt(s);
        } else {
          l[i][j] = s / l[j][j];
        }
      }
    }
    return l;
  }

  /** Solves {@code L w = b}. */
  private static double[] forward(double[][] l, double[] b) {
    int n = b.length;
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      double s = b[i];
      for (int c = 0; c < i; c++) {
        s -= l[i][c] * w[c];
      }
      w[i] = s / l[i][i];
    }
    return w;
  }

  /** Solves {@code L L^T x = b}. */
  private static double[] choleskySolve(double[][] l, double[] b) {
    double[] w = forward(l, b);
    int n = b.length;
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = w[i];
      for (int c = i + 1; c < n; c++) {
        s -= l[c][i] * x[c];
      }
      x[i] = s / l[i][i];
    }
    return x;
  }
}
