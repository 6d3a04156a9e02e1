package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hazard TorchOwned exists for: an index made from Java data, used in a forward pass, closed with
 * its scope before backward. With a torch-owned index the gradient is right however the freed Java
 * memory is reused. (The failure without it depends on the collector and the allocator reusing the
 * freed buffer, so a plain {@code create} does not fail here reliably: it crashed a 6,000-step
 * cpu-synthetic run at an unpredictable step with "index 140401020896032 is out of bounds for
 * dimension 0 with size 3072", the RPN's anchor count.)
 */
class TorchOwnedTest {

  @Test
  void anIndexClosedBeforeBackwardStillRoutesTheGradient() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.arange(3072f); // the RPN's anchor count at 96x128
      x.setRequiresGradient(true);
      long[] picked = {5, 17, 3000, 42};
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss;
        try (NDManager scope = m.newSubManager()) {
          NDArray idx = TorchOwned.create(scope, picked, new Shape(picked.length));
          loss = x.get(idx).mul(2f).sum();
          m.attachInternal(loss.getUid(), loss); // keep the loss, drop the index with the scope
        }
        churnDirectMemory();
        gc.backward(loss);
      }
      float[] expected = new float[3072];
      for (long p : picked) {
        expected[(int) p] = 2f;
      }
      assertArrayEquals(expected, x.getGradient().toFloatArray(), 0f);
    }
  }

  @Test
  void ownedCopiesKeepTheirValuesAfterTheJavaBufferIsGone() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = TorchOwned.create(m, new float[] {1, 2, 3, 4}, new Shape(2, 2));
      churnDirectMemory();
      assertArrayEquals(new float[] {1, 2, 3, 4}, a.toFloatArray(), 0f);
      assertArrayEquals(new float[] {2.5f}, new float[] {TorchOwned.scalar(m, 2.5f).getFloat()}, 0f);
    }
  }

  /** Lets the collector free closed direct buffers and refills memory of their size with garbage. */
  private static void churnDirectMemory() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      try {
        Thread.sleep(50); // the Cleaner frees direct buffers on its own thread
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<ByteBuffer> junk = new ArrayList<>();
    for (int i = 0; i < 4096; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(32);
      while (b.hasRemaining()) {
        b.put((byte) 0x7f);
      }
      junk.add(b);
    }
    junk.clear();
  }
}
