package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnchorGeneratorTest {
  private static final double[] RATIOS = {0.5, 1, 2};

  /**
   * Size 32, ratios 0.5, 1, 2: half extents (22.63, 11.31), (16, 16), (11.31, 22.63) rounded to
   * (23, 11), (16, 16), (11, 23); a 2 x 3 grid at stride 4 shifts them by (x, y) in {0, 4, 8} x
   * {0, 4}, row-major, anchors innermost.
   */
  @Test
  void smallGridByHand() {
    try (NDManager m = NDManager.newBaseManager()) {
      AnchorGenerator gen = new AnchorGenerator(List.of(new double[] {32}), List.of(RATIOS));
      assertEquals(3, gen.anchorsPerLocation());
      float[] a = gen.gridAnchors(m, 0, 2, 3, 4).tensor().toFloatArray();
      float[][] cell = {{-23, -11, 23, 11}, {-16, -16, 16, 16}, {-11, -23, 11, 23}};
      assertEquals(18 * 4, a.length);
      int k = 0;
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 3; x++) {
          for (float[] c : cell) {
            float[] expected = {c[0] + 4 * x, c[1] + 4 * y, c[2] + 4 * x, c[3] + 4 * y};
            float[] got = {a[4 * k], a[4 * k + 1], a[4 * k + 2], a[4 * k + 3]};
            assertArrayEquals(expected, got, "anchor " + k);
            k++;
          }
        }
      }
      assertArrayEquals(new float[] {-3, -19, 19, 27}, java.util.Arrays.copyOfRange(a, 68, 72));
    }
  }

  /** torch.round rounds halves to even: size 45 gives half extent 22.5 -> 22. */
  @Test
  void roundsHalfToEven() {
    try (NDManager m = NDManager.newBaseManager()) {
      AnchorGenerator gen = new AnchorGenerator(List.of(new double[] {45}), List.of(new double[] {1}));
      assertArrayEquals(new float[] {-22, -22, 22, 22}, gen.cellAnchors(m, 0).toFloatArray());
    }
  }

  @Test
  void fpnLevelsFromFeatureShapes() {
    try (NDManager m = NDManager.newBaseManager()) {
      AnchorGenerator gen = new AnchorGenerator(
          List.of(new double[] {32}, new double[] {64}), List.of(RATIOS, RATIOS));
      List<Boxes> anchors = gen.forward(
          List.of(m.zeros(new Shape(1, 8, 16, 20)), m.zeros(new Shape(1, 8, 8, 10))),
          List.of(new ShapeSpec(8, 4), new ShapeSpec(8, 8)));
      assertEquals(16 * 20 * 3, anchors.get(0).size());
      assertEquals(8 * 10 * 3, anchors.get(1).size());
      // last anchor of level 1: location (x = 9, y = 7) * 8, ratio 2 at size 64: (-23, -45, 23, 45)
      assertArrayEquals(new float[] {72 - 23, 56 - 45, 72 + 23, 56 + 45},
          anchors.get(1).tensor().get("-1").toFloatArray());
      assertThrows(IllegalArgumentException.class,
          () -> new AnchorGenerator(List.of(new double[] {32}, new double[] {64, 128}), List.of(RATIOS, RATIOS)));
    }
  }
}
