package org.maskprop.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.maskprop.data.FrameTransform;
import org.maskprop.model.detect.Detections;
import org.maskprop.ops.Boxes;

class DetectionMasksTest {
  /**
   * Tent weight of mask cell 0 (of 2) at video pixel p for the box edge range [4, 12) of the
   * test below, by hand: pixel centre p + 0.5 maps to u = (p + 0.5 - 4) / 8 * 2 - 0.5, and the
   * weight is 1 - |u| (0 outside (-1, 1)): p = 2 gives u = -0.875, 0.125; p = 5, u = -0.125, 0.875;
   * p = 9, u = 0.875, 0.125; p = 10, u = 1.125, 0.
   */
  static final double[] CELL0 = {0, 0, 0.125, 0.375, 0.625, 0.875, 0.875, 0.625, 0.375, 0.125, 0};

  static double cell0(int p) {
    return p < CELL0.length ? CELL0[p] : 0;
  }

  @Test
  void pasteInVideoMapsTheBoxBackAndPastesAtTheVideoSize() {
    // video 16 x 20 resized to a 8 x 5 model input (scale y 1/2, x 1/4): the model-input box
    // [1, 2, 3, 6] (x1, y1, x2, y2) is [4, 4, 12, 12] in the video. The 2 x 2 mask is 1 in its
    // top-left cell and 0 elsewhere (logits +-40), so the pasted probability at (y, x) is
    // cell0(y) * cell0(x).
    FrameTransform t = new FrameTransform(16, 20, 8, 5, false);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(new float[] {40, -40, -40, -40}, new Shape(1, 2, 2));
      Detections d = new Detections(new Boxes(m.create(new float[] {1, 2, 3, 6}, new Shape(1, 4))),
          m.create(new float[] {0.9f}), m.create(new long[] {1}), logits, 8, 5);
      NDArray pasted = DetectionMasks.pasteInVideo(d, t);
      assertEquals(new Shape(1, 16, 20), pasted.getShape());
      float[] p = pasted.toFloatArray();
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 20; x++) {
          assertEquals(cell0(y) * cell0(x), p[y * 20 + x], 1e-6, "pixel (" + y + ", " + x + ")");
        }
      }
      // the model-input paste of the same detection is 8 x 5
      assertEquals(new Shape(1, 8, 5), DetectionMasks.paste(d).getShape());
      assertArrayEquals(new float[] {4, 4, 12, 12}, DetectionMasks.toVideo(new float[] {1, 2, 3, 6}, t));
    }
  }

  @Test
  void aboveKeepsScoresStrictlyOverTheThreshold() {
    try (NDManager m = NDManager.newBaseManager()) {
      Detections d = new Detections(new Boxes(m.zeros(new Shape(4, 4))),
          m.create(new float[] {0.125f, 0.5f, 0.25f, 0.9f}), m.create(new long[] {1, 1, 2, 2}),
          m.zeros(new Shape(4, 2, 2)), 8, 8);
      // exactly representable scores: 0.25 itself is not above 0.25
      assertArrayEquals(new long[] {1, 3}, DetectionMasks.above(d, 0.25));
      assertArrayEquals(new long[] {0, 1, 2, 3}, DetectionMasks.above(d, 0.0));
      assertArrayEquals(new long[] {}, DetectionMasks.above(d, 1.0));
    }
  }

  @Test
  void aTransformForAnotherInputSizeIsRejected() {
    try (NDManager m = NDManager.newBaseManager()) {
      Detections d = new Detections(new Boxes(m.zeros(new Shape(1, 4))), m.create(new float[] {1f}),
          m.create(new long[] {1}), m.zeros(new Shape(1, 2, 2)), 8, 8);
      assertThrows(IllegalArgumentException.class,
          () -> DetectionMasks.pasteInVideo(d, new FrameTransform(16, 16, 8, 9, false)));
      assertThrows(IllegalArgumentException.class,
          () -> DetectionMasks.pasteInVideo(d, new FrameTransform(16, 16, 8, 8, true)));
    }
  }
}
