package org.maskprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * torch.optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.01, dampening=0, nesterov=False) on w = [1, -2]
 * with grads [0.5, 0.25] then [-1, 2], worked by hand (and the same numbers from Debian's torch 1.13):
 * step 1: d = g + 0.01 w = [0.51, 0.23] = buf; w = [0.949, -2.023].
 * step 2: d = [-0.99051, 1.97977]; buf = 0.9 [0.51, 0.23] + d = [-0.53151, 2.18677];
 * w = [1.002151, -2.241677].
 */
class OwnedSgdTest {
  @Test
  void twoStepsMatchTorchSgd() {
    try (NDManager m = NDManager.newBaseManager(); OwnedSgd sgd = new OwnedSgd(0.9, 0.01, m)) {
      NDArray w = m.create(new float[] {1f, -2f});
      sgd.update("w", w, m.create(new float[] {0.5f, 0.25f}), 0.1);
      assertArrayEquals(new float[] {0.949f, -2.023f}, w.toFloatArray(), 1e-6f);
      assertArrayEquals(new float[] {0.51f, 0.23f}, sgd.buffers().get("w").toFloatArray(), 1e-6f);
      sgd.update("w", w, m.create(new float[] {-1f, 2f}), 0.1);
      assertArrayEquals(new float[] {1.002151f, -2.241677f}, w.toFloatArray(), 1e-6f);
      assertArrayEquals(new float[] {-0.53151f, 2.18677f}, sgd.buffers().get("w").toFloatArray(), 1e-6f);
    }
  }

  @Test
  void withoutMomentumOrDecayItIsPlainSgd() {
    try (NDManager m = NDManager.newBaseManager(); OwnedSgd sgd = new OwnedSgd(0, 0, m)) {
      NDArray w = m.create(new float[] {1f, 2f});
      sgd.update("w", w, m.create(new float[] {10f, -10f}), 0.5);
      assertArrayEquals(new float[] {-4f, 7f}, w.toFloatArray(), 0f);
      assertEquals(0, sgd.buffers().size());
    }
  }

  @Test
  void stateRoundTripContinuesIdentically() {
    try (NDManager m = NDManager.newBaseManager();
        OwnedSgd a = new OwnedSgd(0.9, 1e-4, m);
        OwnedSgd b = new OwnedSgd(0.9, 1e-4, m)) {
      NDArray wa = m.create(new float[] {0.3f, -0.7f, 1.1f});
      a.update("p", wa, m.create(new float[] {0.1f, 0.2f, -0.3f}), 0.05);
      NDArray wb = wa.duplicate();
      NDList saved = NDList.decode(m, a.state().encode());
      b.restore(saved);
      NDArray g = m.create(new float[] {-0.4f, 0.5f, 0.6f});
      a.update("p", wa, g, 0.05);
      b.update("p", wb, g, 0.05);
      assertArrayEquals(wa.toFloatArray(), wb.toFloatArray(), 0f);
      assertEquals(List.of("p"), List.copyOf(b.buffers().keySet()));
    }
  }
}
