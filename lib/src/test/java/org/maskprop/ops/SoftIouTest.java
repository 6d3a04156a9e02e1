package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SoftIouTest {
  private static NDManager manager;

  @BeforeAll
  static void setUp() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  /** Instances: identical binary (|A| = 3), disjoint (|A| = 2, |B| = 3), empty/empty, soft. */
  private static NDArray[] cases(NDManager m) {
    float[] a = {
      1, 1, 0, 1, // identical
      1, 1, 0, 0, // disjoint
      0, 0, 0, 0, // empty
      0.5f, 0.5f, 0, 0 // soft
    };
    float[] b = {
      1, 1, 0, 1,
      0, 0, 1, 1,
      0, 0, 0, 0,
      1, 0, 0, 0
    };
    // one pixel of B's disjoint instance is moved to a third row to make |B| = 3: use a 2x3 frame
    float[] a6 = new float[24];
    float[] b6 = new float[24];
    for (int i = 0; i < 4; i++) {
      System.arraycopy(a, 4 * i, a6, 6 * i, 4);
      System.arraycopy(b, 4 * i, b6, 6 * i, 4);
    }
    b6[6 + 4] = 1; // disjoint instance: B has 3 pixels
    return new NDArray[] {m.create(a6, new Shape(4, 2, 3)), m.create(b6, new Shape(4, 2, 3))};
  }

  @Test
  void handValuesWithDefaultEps() {
    try (NDManager m = manager.newSubManager()) {
      NDArray[] c = cases(m);
      float[] s = new SoftIou().perInstance(c[0], c[1]).toFloatArray();
      // identical -> 1; disjoint -> eps/(|A|+|B|+eps) = 1/6; empty/empty -> 1;
      // soft: inter 0.5, union 0.5+0.5+1-0.5 = 1.5 -> (0.5+1)/(1.5+1) = 0.6
      assertArrayEquals(new float[] {1f, 1f / 6, 1f, 0.6f}, s, 1e-6f);
    }
  }

  @Test
  void epsIsConfigurable() {
    try (NDManager m = manager.newSubManager()) {
      NDArray[] c = cases(m);
      float[] s = new SoftIou(0.5).perInstance(c[0], c[1]).toFloatArray();
      assertArrayEquals(new float[] {1f, 0.5f / 5.5f, 1f, 1.0f / 2.0f}, s, 1e-6f);
      float[] s0 = new SoftIou(0).perInstance(c[0].get("0:2"), c[1].get("0:2")).toFloatArray();
      assertArrayEquals(new float[] {1f, 0f}, s0, 1e-6f); // unsmoothed Eq. 3
    }
  }

  /** Eq. 2 for one frame: mean over instances of 1 - sIoU. */
  @Test
  void lossIsMeanOfOneMinusSiou() {
    try (NDManager m = manager.newSubManager()) {
      NDArray[] c = cases(m);
      float loss = new SoftIou().loss(c[0], c[1]).getFloat();
      assertEquals((0 + 5f / 6 + 0 + 0.4f) / 4, loss, 1e-6f);
      NDArray none = m.zeros(new Shape(0, 2, 3));
      assertEquals(0f, new SoftIou().loss(none, none).getFloat());
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    try (NDManager m = manager.newSubManager()) {
      Random rnd = new Random(3);
      int n = 3;
      int p = 20;
      double[] av = new double[n * p];
      double[] bv = new double[n * p];
      for (int i = 0; i < av.length; i++) {
        av[i] = rnd.nextDouble();
        bv[i] = rnd.nextDouble() < 0.5 ? 0 : 1;
      }
      Shape shape = new Shape(n, 4, 5);
      NDArray a = m.create(av, shape);
      NDArray b = m.create(bv, shape);
      a.setRequiresGradient(true);
      b.setRequiresGradient(true);
      SoftIou siou = new SoftIou();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(siou.loss(a, b));
      }
      double[] ga = a.getGradient().toDoubleArray();
      double[] gb = b.getGradient().toDoubleArray();
      double eps = 1e-6;
      for (int k = 0; k < av.length; k += 7) {
        for (int which = 0; which < 2; which++) {
          double[] base = which == 0 ? av : bv;
          double[] plus = base.clone();
          double[] minus = base.clone();
          plus[k] += eps;
          minus[k] -= eps;
          double fd;
          try (NDManager s = m.newSubManager()) {
            NDArray other = s.create(which == 0 ? bv : av, shape);
            NDArray ap = s.create(plus, shape);
            NDArray am = s.create(minus, shape);
            double lp = (which == 0 ? siou.loss(ap, other) : siou.loss(other, ap)).getDouble();
            double lm = (which == 0 ? siou.loss(am, other) : siou.loss(other, am)).getDouble();
            fd = (lp - lm) / (2 * eps);
          }
          assertEquals(fd, (which == 0 ? ga : gb)[k], 1e-7, (which == 0 ? "dA" : "dB") + "[" + k + "]");
        }
      }
      assertEquals(DataType.FLOAT64, a.getGradient().getDataType());
    }
  }

  @Test
  void rejectsBadInput() {
    try (NDManager m = manager.newSubManager()) {
      assertThrows(IllegalArgumentException.class, () -> new SoftIou(-1));
      assertThrows(
          IllegalArgumentException.class,
          () -> new SoftIou().perInstance(m.zeros(new Shape(2, 3, 3)), m.zeros(new Shape(2, 3, 4))));
    }
  }
}
