package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoiAlignTest {
  private static NDManager manager;

  @BeforeAll
  static void setUp() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  /** torchvision.ops.roi_align outputs and input gradients (fixture), all option combinations. */
  @ParameterizedTest
  @CsvSource({"1,0,7", "1,2,7", "0,0,7", "0,2,7", "1,0,14", "1,2,14", "0,0,14", "0,2,14"})
  void matchesTorchvision(int aligned, int sampling, int size) {
    try (NDManager m = manager.newSubManager()) {
      Map<String, NDArray> fx = Fixtures.load(m, "roi_align");
      NDArray feature = fx.get("feature");
      NDArray rois = fx.get("rois");
      float scale = fx.get("spatial_scale").getFloat(0);
      String key = "a" + aligned + "_s" + sampling + "_o" + size;
      RoiAlign op = new RoiAlign(size, size, sampling, aligned == 1);
      feature.setRequiresGradient(true);
      NDArray out;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        out = op.forward(feature, rois, scale);
        gc.backward(out.mul(fx.get("grad_out_" + size)).sum());
      }
      NDArray expected = fx.get("out_" + key);
      assertEquals(expected.getShape(), out.getShape());
      assertClose(expected, out, 2e-5f, "output " + key);
      assertClose(fx.get("grad_" + key), feature.getGradient(), 2e-5f, "gradient " + key);
    }
  }

  /** torchvision MultiScaleRoIAlign over P2-P5 (aligned=false), and its LevelMapper levels. */
  @Test
  void multiLevelMatchesTorchvision() {
    try (NDManager m = manager.newSubManager()) {
      Map<String, NDArray> fx = Fixtures.load(m, "roi_align_ms");
      NDArray rois = fx.get("rois");
      long[] levels = RoiAlign.assignLevels(rois.get(":, 1:5"), 2, 5).toLongArray();
      assertArrayEquals(fx.get("levels").toType(DataType.INT64, false).toLongArray(), levels);
      List<NDArray> feats = List.of(fx.get("p2"), fx.get("p3"), fx.get("p4"), fx.get("p5"));
      List<ShapeSpec> specs =
          List.of(new ShapeSpec(4, 4), new ShapeSpec(4, 8), new ShapeSpec(4, 16), new ShapeSpec(4, 32));
      feats.forEach(f -> f.setRequiresGradient(true));
      NDArray out;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        out = new RoiAlign(7, 7, 2, false).forward(feats, specs, rois);
        gc.backward(out.mul(fx.get("grad_out")).sum());
      }
      assertClose(fx.get("out"), out, 2e-5f, "multi-level output");
      for (int l = 2; l <= 5; l++) {
        assertClose(fx.get("grad_p" + l), feats.get(l - 2).getGradient(), 2e-5f, "gradient of p" + l);
      }
    }
  }

  /** Levels by hand: sqrt(area) 224 -> 4, 112 -> 3, 111.99 -> 2, 448 -> 5, 1000 -> 5 (clamped), 10 -> 2. */
  @Test
  void levelAssignmentByHand() {
    try (NDManager m = manager.newSubManager()) {
      NDArray boxes = m.create(new float[] {
          0, 0, 224, 224, 10, 10, 122, 122, 0, 0, 111.99f, 111.99f, 0, 0, 448, 448,
          0, 0, 1000, 1000, 0, 0, 10, 10, 0, 0, 56, 224 /* sqrt = 112 */}, new Shape(7, 4));
      assertArrayEquals(new long[] {4, 3, 2, 5, 5, 2, 3}, RoiAlign.assignLevels(boxes, 2, 5).toLongArray());
    }
  }

  /**
   * aligned=true, box [0, 0, 4, 4] on a 4x4 map at stride 1, 2x2 output: the box starts at -0.5
   * and each bin is 2 pixels. One sample per bin sits at 0.5 (+2), halfway between two pixels in
   * each axis; two samples sit at 0 and 1 (+2) exactly. Either way each bin is the plain average
   * of its 2x2 pixel block.
   */
  @Test
  void pixelAlignedBoxGivesBlockAverages() {
    try (NDManager m = manager.newSubManager()) {
      float[] v = new float[16];
      for (int i = 0; i < 16; i++) {
        v[i] = i * i % 7 + 0.25f * i;
      }
      NDArray f = m.create(v, new Shape(1, 1, 4, 4));
      NDArray rois = m.create(new float[] {0, 0, 0, 4, 4}, new Shape(1, 5));
      float[] expected = new float[4];
      for (int by = 0; by < 2; by++) {
        for (int bx = 0; bx < 2; bx++) {
          float s = 0;
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              s += v[(2 * by + dy) * 4 + 2 * bx + dx];
            }
          }
          expected[by * 2 + bx] = s / 4;
        }
      }
      for (int sr : new int[] {1, 2, 0}) {
        float[] got = new RoiAlign(2, 2, sr, true).forward(f, rois, 1.0).toFloatArray();
        assertArrayEquals(expected, got, 1e-5f, "sampling " + sr);
      }
      // aligned=false, box [0.5, 0.5, 2.5, 2.5], 1x1 output, 2x2 samples at 1 and 2: pixels (1..2)^2
      float centre = (v[5] + v[6] + v[9] + v[10]) / 4;
      NDArray roi2 = m.create(new float[] {0, 0.5f, 0.5f, 2.5f, 2.5f}, new Shape(1, 5));
      assertEquals(centre, new RoiAlign(1, 1, 2, false).forward(f, roi2, 1.0).getFloat(0, 0, 0, 0), 1e-5f);
    }
  }

  /** A box entirely outside the map (beyond the -1 / H margin) pools to exact zeros, no NaN. */
  @Test
  void boxOutsideGivesZeros() {
    try (NDManager m = manager.newSubManager()) {
      NDArray f = m.randomNormal(new Shape(1, 3, 8, 8));
      NDArray rois = m.create(new float[] {0, 20, 20, 30, 30, 0, -30, -30, -12, -12, 0, 5, 5, 5, 5},
          new Shape(3, 5));
      for (boolean aligned : new boolean[] {true, false}) {
        for (int sr : new int[] {0, 2}) {
          float[] out = new RoiAlign(7, 7, sr, aligned).forward(f, rois, 0.5).get("0:2").toFloatArray();
          for (float x : out) {
            assertEquals(0f, x, "aligned " + aligned + " sampling " + sr);
          }
        }
      }
      // the degenerate box (zero size, aligned, adaptive sampling) has an empty grid: zeros too
      float[] degenerate = new RoiAlign(7, 7, 0, true).forward(f, rois, 0.5).get("2").toFloatArray();
      for (float x : degenerate) {
        assertEquals(0f, x);
      }
    }
  }

  /** d(sum(out * g))/dF by central differences in float64 equals the autograd gradient. */
  @Test
  void gradientMatchesFiniteDifferences() {
    try (NDManager m = manager.newSubManager()) {
      Random rnd = new Random(7);
      double[] fv = new double[2 * 2 * 6 * 7];
      for (int i = 0; i < fv.length; i++) {
        fv[i] = rnd.nextGaussian();
      }
      NDArray f = m.create(fv, new Shape(2, 2, 6, 7));
      NDArray rois = m.create(new double[] {0, 1.3, 0.7, 9.1, 8.2, 1, -2, 3, 6.5, 14, 1, 10, 2, 16, 5},
          new Shape(3, 5));
      NDArray g = m.randomNormal(new Shape(3, 2, 3, 3)).toType(DataType.FLOAT64, false);
      for (boolean aligned : new boolean[] {true, false}) {
        for (int sr : new int[] {0, 2}) {
          RoiAlign op = new RoiAlign(3, 3, sr, aligned);
          NDArray x = f.duplicate();
          x.setRequiresGradient(true);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(op.forward(x, rois, 0.5).mul(g).sum());
          }
          double[] analytic = x.getGradient().toDoubleArray();
          double eps = 1e-6;
          for (int i = 0; i < fv.length; i += 5) {
            double[] plus = fv.clone();
            double[] minus = fv.clone();
            plus[i] += eps;
            minus[i] -= eps;
            double lp = op.forward(m.create(plus, f.getShape()), rois, 0.5).mul(g).sum().getDouble();
            double lm = op.forward(m.create(minus, f.getShape()), rois, 0.5).mul(g).sum().getDouble();
            assertEquals((lp - lm) / (2 * eps), analytic[i], 1e-7, "element " + i);
          }
        }
      }
    }
  }

  /** Splitting the rois into chunks (bounded sparse matrices) changes nothing. */
  @Test
  void chunkingGivesSameResult() {
    try (NDManager m = manager.newSubManager()) {
      Map<String, NDArray> fx = Fixtures.load(m, "roi_align");
      for (int sr : new int[] {0, 2}) {
        NDArray whole = new RoiAlign(7, 7, sr, true).forward(fx.get("feature"), fx.get("rois"), 0.5);
        NDArray chunked = new RoiAlign(7, 7, sr, true, 1000).forward(fx.get("feature"), fx.get("rois"), 0.5);
        assertClose(whole, chunked, 1e-6f, "chunked, sampling " + sr);
        assertClose(fx.get("out_a1_s" + sr + "_o7"), chunked, 2e-5f, "chunked vs torchvision, sampling " + sr);
      }
    }
  }

  @Test
  void emptyRoisGiveEmptyOutput() {
    try (NDManager m = manager.newSubManager()) {
      NDArray out = new RoiAlign(7, 7, 2, true).forward(m.zeros(new Shape(1, 5, 8, 8)), m.zeros(new Shape(0, 5)), 1.0);
      assertEquals(new Shape(0, 5, 7, 7), out.getShape());
    }
  }

  static void assertClose(NDArray expected, NDArray actual, float tol, String what) {
    float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
    float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
    assertEquals(e.length, a.length, what + ": size");
    float worst = 0;
    int at = -1;
    for (int i = 0; i < e.length; i++) {
      float d = Math.abs(e[i] - a[i]);
      assertTrue(!Float.isNaN(a[i]), what + ": NaN at " + i);
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    assertTrue(worst <= tol * (1 + (at >= 0 ? Math.abs(e[at]) : 0)),
        what + ": max difference " + worst + " at " + at + " (expected " + (at >= 0 ? e[at] : 0) + ")");
  }
}
