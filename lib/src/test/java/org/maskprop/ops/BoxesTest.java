package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class BoxesTest {
  @Test
  void shapeAndTypeAreChecked() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThrows(IllegalArgumentException.class, () -> new Boxes(m.zeros(new Shape(3, 5))));
      assertThrows(IllegalArgumentException.class, () -> new Boxes(m.zeros(new Shape(4))));
      assertThrows(IllegalArgumentException.class, () -> new Boxes(m.zeros(new Shape(2, 4), DataType.INT32)));
      assertEquals(0, new Boxes(m.zeros(new Shape(0, 4))).size());
    }
  }

  @Test
  void xywhConversionAreaClip() {
    try (NDManager m = NDManager.newBaseManager()) {
      Boxes b = Boxes.of(m.create(new float[] {1, 2, 3, 4, -5, -5, 20, 30}, new Shape(2, 4)), BoxMode.XYWH_ABS);
      assertArrayEquals(new float[] {1, 2, 4, 6, -5, -5, 15, 25}, b.tensor().toFloatArray());
      assertArrayEquals(new float[] {12, 600}, b.area().toFloatArray());
      assertArrayEquals(new float[] {1, 2, 4, 6, 0, 0, 10, 8}, b.clip(8, 10).tensor().toFloatArray());
      assertArrayEquals(new boolean[] {true, true}, b.nonEmpty(2.5f).toBooleanArray());
      assertArrayEquals(new boolean[] {false, true}, b.nonEmpty(3f).toBooleanArray());
    }
  }

  @Test
  void pairwiseIouByHand() {
    try (NDManager m = NDManager.newBaseManager()) {
      Boxes a = new Boxes(m.create(new float[] {0, 0, 2, 2, 5, 5, 5, 5}, new Shape(2, 4)));
      Boxes b = new Boxes(m.create(new float[] {1, 1, 3, 3, 0, 0, 2, 2, 10, 10, 12, 12, 5, 5, 5, 5}, new Shape(4, 4)));
      NDArray iou = BoxOps.pairwiseIou(a, b);
      assertEquals(new Shape(2, 4), iou.getShape());
      // 1/7 (overlap 1, union 7), identical 1, disjoint 0, empty vs empty 0 (not NaN)
      assertArrayEquals(new float[] {1 / 7f, 1, 0, 0, 0, 0, 0, 0}, iou.toFloatArray(), 1e-6f);
    }
  }

  @Test
  void iouOfASetWithItselfLeavesTheBoxesUsable() {
    try (NDManager m = NDManager.newBaseManager()) {
      Boxes a = new Boxes(m.create(new float[] {0, 0, 2, 2, 1, 1, 3, 3}, new Shape(2, 4)));
      assertArrayEquals(new float[] {1, 1 / 7f, 1 / 7f, 1}, BoxOps.pairwiseIou(a, a).toFloatArray(), 1e-6f);
      assertArrayEquals(new float[] {4, 4}, a.area().toFloatArray(), 1e-6f); // still alive
      assertArrayEquals(new float[] {1, 1 / 7f, 1 / 7f, 1}, BoxOps.pairwiseIou(a, a).toFloatArray(), 1e-6f);
    }
  }
}
