package org.maskprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/** clip_grad_norm_ on grads [3, 4] and [12]: global norm sqrt(9 + 16 + 144) = 13. */
class GradientClippingTest {
  @Test
  void scalesAllGradientsByMaxNormOverTotal() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {3f, 4f});
      NDArray b = m.create(new float[] {12f});
      float total = GradientClipping.clipByGlobalNorm(List.of(a, b), 6.5);
      assertEquals(13f, total, 1e-5f);
      // coefficient 6.5 / (13 + 1e-6) = 0.49999996
      assertArrayEquals(new float[] {1.5f, 2f}, a.toFloatArray(), 1e-5f);
      assertArrayEquals(new float[] {6f}, b.toFloatArray(), 1e-5f);
    }
  }

  @Test
  void belowTheLimitOrDisabledLeavesGradientsUntouched() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {3f, 4f});
      NDArray b = m.create(new float[] {12f});
      assertEquals(13f, GradientClipping.clipByGlobalNorm(List.of(a, b), 20), 1e-5f);
      assertEquals(13f, GradientClipping.clipByGlobalNorm(List.of(a, b), 0), 1e-5f);
      assertArrayEquals(new float[] {3f, 4f}, a.toFloatArray(), 0f);
      assertArrayEquals(new float[] {12f}, b.toFloatArray(), 0f);
    }
  }
}
