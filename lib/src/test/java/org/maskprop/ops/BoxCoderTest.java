package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BoxCoderTest {
  @Test
  void encodeByHand() {
    try (NDManager m = NDManager.newBaseManager()) {
      Boxes p = new Boxes(m.create(new float[] {0, 0, 10, 10}, new Shape(1, 4)));
      Boxes g = new Boxes(m.create(new float[] {5, 5, 15, 25}, new Shape(1, 4)));
      // centres (5, 5) -> (10, 15), sizes 10 x 10 -> 10 x 20
      float[] d = new BoxCoder(10, 10, 5, 5).encode(g, p).toFloatArray();
      assertArrayEquals(new float[] {5, 10, 0, (float) (5 * Math.log(2))}, d, 1e-5f);
    }
  }

  @Test
  void decodeInvertsEncode() {
    try (NDManager m = NDManager.newBaseManager()) {
      Random rnd = new Random(3);
      int n = 200;
      float[] p = new float[4 * n];
      float[] g = new float[4 * n];
      for (int i = 0; i < n; i++) {
        for (float[] b : new float[][] {p, g}) {
          float x = rnd.nextFloat() * 500;
          float y = rnd.nextFloat() * 500;
          b[4 * i] = x;
          b[4 * i + 1] = y;
          b[4 * i + 2] = x + 1 + rnd.nextFloat() * 200;
          b[4 * i + 3] = y + 1 + rnd.nextFloat() * 200;
        }
      }
      Boxes proposals = new Boxes(m.create(p, new Shape(n, 4)));
      Boxes targets = new Boxes(m.create(g, new Shape(n, 4)));
      for (BoxCoder coder : new BoxCoder[] {new BoxCoder(1, 1, 1, 1), new BoxCoder(10, 10, 5, 5), new BoxCoder(30, 30, 15, 15)}) {
        NDArray deltas = coder.encode(targets, proposals);
        // size ratios reach ~200 > 62.5 = exp(default clip), so decode with a clip that never binds
        BoxCoder unclamped = new BoxCoder(coder.weights(), 20);
        assertArrayEquals(g, unclamped.decodeBoxes(deltas, proposals).tensor().toFloatArray(), 2e-2f);
      }
    }
  }

  @Test
  void clampAndClassSpecificDeltas() {
    try (NDManager m = NDManager.newBaseManager()) {
      Boxes p = new Boxes(m.create(new float[] {0, 0, 10, 20}, new Shape(1, 4)));
      // k = 2 delta sets: a huge dw/dh (clamped at log(1000/16): 62.5x) and a zero delta
      NDArray deltas = m.create(new float[] {0, 0, 100, 100, 0, 0, 0, 0}, new Shape(1, 8));
      float[] out = new BoxCoder(1, 1, 1, 1).decode(deltas, p).toFloatArray();
      assertArrayEquals(new float[] {5 - 312.5f, 10 - 625f, 5 + 312.5f, 10 + 625f, 0, 0, 10, 20}, out, 1e-2f);
      assertEquals(Math.log(1000.0 / 16), new BoxCoder(1, 1, 1, 1).clip(), 1e-12);
    }
  }
}
