package org.maskprop.infer.deepsort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed values: with diagonal initial covariance every coordinate evolves as an
 * independent 1-D (position, velocity) filter, so the x axis can be worked out on paper. Box
 * height 100 gives position std 100/20 = 5 and velocity std 100/160 = 0.625 per step.
 */
class KalmanBoxFilterTest {
  private static final double[] Z0 = {10, 20, 0.5, 100};

  @Test
  void initiateUsesHeightScaledStd() {
    KalmanBoxFilter.State s = KalmanBoxFilter.initiate(Z0);
    assertArrayEquals(new double[] {10, 20, 0.5, 100, 0, 0, 0, 0}, s.mean(), 0);
    assertEquals(100, s.covariance()[0][0], 1e-12); // (2 * 5)^2
    assertEquals(100, s.covariance()[3][3], 1e-12);
    assertEquals(1e-4, s.covariance()[2][2], 1e-18);
    assertEquals(39.0625, s.covariance()[4][4], 1e-12); // (10 * 0.625)^2
    assertEquals(1e-10, s.covariance()[6][6], 1e-20);
    assertEquals(0, s.covariance()[0][4], 0);
  }

  @Test
  void predictThenUpdateMatchesHandComputation() {
    KalmanBoxFilter.State p = KalmanBoxFilter.predict(KalmanBoxFilter.initiate(Z0));
    // P_xx = 100 + 39.0625 + 25, P_xv = 39.0625, P_vv = 39.0625 + 0.390625
    assertEquals(164.0625, p.covariance()[0][0], 1e-12);
    assertEquals(39.0625, p.covariance()[0][4], 1e-12);
    assertEquals(39.0625, p.covariance()[4][0], 1e-12);
    assertEquals(39.453125, p.covariance()[4][4], 1e-12);
    assertEquals(1e-4 + 1e-10 + 1e-4, p.covariance()[2][2], 1e-15);
    assertEquals(0, p.covariance()[0][1], 0);
    assertArrayEquals(KalmanBoxFilter.initiate(Z0).mean(), p.mean(), 0); // zero velocity

    KalmanBoxFilter.Projection pr = KalmanBoxFilter.project(p);
    assertEquals(189.0625, pr.covariance()[0][0], 1e-12); // + R = 5^2
    assertEquals(2e-4 + 1e-10 + 1e-2, pr.covariance()[2][2], 1e-15); // + R = 0.1^2

    KalmanBoxFilter.State u = KalmanBoxFilter.update(p, new double[] {20, 20, 0.5, 100});
    double s = 189.0625;
    assertEquals(10 + 10 * 164.0625 / s, u.mean()[0], 1e-9);
    assertEquals(10 * 39.0625 / s, u.mean()[4], 1e-9);
    assertEquals(20, u.mean()[1], 1e-12);
    assertEquals(100, u.mean()[3], 1e-12);
    assertEquals(164.0625 - 164.0625 * 164.0625 / s, u.covariance()[0][0], 1e-9);
    assertEquals(39.0625 - 164.0625 * 39.0625 / s, u.covariance()[0][4], 1e-9);
    assertEquals(39.453125 - 39.0625 * 39.0625 / s, u.covariance()[4][4], 1e-9);
    assertEquals(0, u.covariance()[0][1], 1e-12);

    // next prediction moves by the estimated velocity
    KalmanBoxFilter.State p2 = KalmanBoxFilter.predict(u);
    assertEquals(u.mean()[0] + u.mean()[4], p2.mean()[0], 1e-9);
  }

  @Test
  void gatingDistanceIsSquaredMahalanobis() {
    KalmanBoxFilter.Projection pr =
        KalmanBoxFilter.project(KalmanBoxFilter.predict(KalmanBoxFilter.initiate(Z0)));
    assertEquals(100 / 189.0625,
        KalmanBoxFilter.gatingDistance(pr, new double[] {20, 20, 0.5, 100}), 1e-9);
    assertEquals((100 + 25) / 189.0625,
        KalmanBoxFilter.gatingDistance(pr, new double[] {20, 15, 0.5, 100}), 1e-9);
    // aspect variance 2e-4 + 1e-10 + 1e-2 (measurement std 0.1)
    assertEquals(0.01 / (2e-4 + 1e-10 + 1e-2),
        KalmanBoxFilter.gatingDistance(pr, new double[] {10, 20, 0.6, 100}), 1e-6);
  }

  @Test
  void boxConversionsRoundTrip() {
    double[] xywh = {4, 6, 10, 20};
    double[] z = KalmanBoxFilter.measurement(xywh);
    assertArrayEquals(new double[] {9, 16, 0.5, 20}, z, 1e-12);
    double[] mean = new double[8];
    System.arraycopy(z, 0, mean, 0, 4);
    assertArrayEquals(xywh, KalmanBoxFilter.toXywh(mean), 1e-12);
  }

  /**
   * Fixture from the reference implementation (nwojke/deep_sort, {@code kalman_filter.py}, numpy
   * 1.24): initiate on the first measurement, then predict/update on three more, then predict,
   * then the gating distance of one more measurement.
   */
  @Test
  void matchesReferenceImplementationOnASequence() {
    double[][] zs = {{50, 60, 0.6, 40}, {53, 61, 0.62, 41}, {57, 59, 0.61, 43}, {60, 62, 0.6, 42}};
    KalmanBoxFilter.State s = KalmanBoxFilter.initiate(zs[0]);
    for (int i = 1; i < zs.length; i++) {
      s = KalmanBoxFilter.update(KalmanBoxFilter.predict(s), zs[i]);
    }
    s = KalmanBoxFilter.predict(s);
    double[] mean = {
      61.79655669533162, 61.531028007926935, 0.6006435057848477, 42.82384458548997,
      2.320313478868432, 0.292011152034688, 4.362627403481105e-10, 0.4719875968494392
    };
    double[] diag = {
      12.499576559609864, 12.499576559609864, 0.00047310687166241146, 12.499576559609864,
      2.2461020778413237, 2.2461020778413237, 4.999999569414196e-10, 2.2461020778413237
    };
    for (int i = 0; i < 8; i++) {
      assertEquals(mean[i], s.mean()[i], 1e-9 * Math.max(1, Math.abs(mean[i])), "mean " + i);
      assertEquals(diag[i], s.covariance()[i][i], 1e-9 * Math.max(1e-3, diag[i]), "cov " + i);
    }
    assertEquals(3.345297911371627, s.covariance()[0][4], 1e-9);
    assertEquals(3.345297911371627, s.covariance()[1][5], 1e-9);
    assertEquals(3.345297911371627, s.covariance()[3][7], 1e-9);
    assertEquals(0.543055698000027,
        KalmanBoxFilter.gatingDistance(KalmanBoxFilter.project(s), new double[] {64, 60, 0.58, 44}),
        1e-9);
  }
}
