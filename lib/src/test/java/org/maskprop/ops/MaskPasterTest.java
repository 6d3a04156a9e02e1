package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MaskPasterTest {
  private static NDManager manager;

  @BeforeAll
  static void setUp() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  /** All ones in a pixel-aligned box at most 28 px wide fills exactly the box interior. */
  @Test
  void onesFillAlignedBoxExactly() {
    try (NDManager m = manager.newSubManager()) {
      NDArray masks = m.ones(new Shape(2, 28, 28));
      NDArray boxes = m.create(new float[] {2, 3, 16, 31, 0, 0, 20, 7}, new Shape(2, 4));
      float[] out = MaskPaster.paste(masks, boxes, 40, 20).toFloatArray();
      int[][] box = {{2, 3, 16, 31}, {0, 0, 20, 7}};
      for (int i = 0; i < 2; i++) {
        for (int y = 0; y < 40; y++) {
          for (int x = 0; x < 20; x++) {
            boolean inside = x >= box[i][0] && x < box[i][2] && y >= box[i][1] && y < box[i][3];
            assertEquals(inside ? 1f : 0f, out[(i * 40 + y) * 20 + x], 1e-5f, "mask " + i + " (" + y + "," + x + ")");
          }
        }
      }
    }
  }

  /**
   * Hand-computed: 2x2 mask [[1,2],[3,4]] in box (0,0,4,4). Pixel centres 0.5..3.5 map to mask
   * coordinates u = (p+0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25, 1.75, i.e. weights on (cell0, cell1):
   * (0.75, 0), (0.75, 0.25), (0.25, 0.75), (0, 0.75), (0, 0.25): with mask cells wider than a pixel
   * the rim fades, inside the box and for half a cell outside it (pixel 4 lies outside the box).
   */
  @Test
  void handCheckedSmallCase() {
    try (NDManager m = manager.newSubManager()) {
      NDArray masks = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 2));
      NDArray boxes = m.create(new float[] {0, 0, 4, 4}, new Shape(1, 4));
      float[] out = MaskPaster.paste(masks, boxes, 5, 5).toFloatArray();
      double[][] wgt = {{0.75, 0}, {0.75, 0.25}, {0.25, 0.75}, {0, 0.75}, {0, 0.25}};
      double[][] v = {{1, 2}, {3, 4}};
      for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 5; x++) {
          double e = 0;
          for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
              e += wgt[y][i] * wgt[x][j] * v[i][j];
            }
          }
          assertEquals(e, out[y * 5 + x], 1e-6, "(" + y + "," + x + ")");
        }
      }
      assertEquals(0.5625, out[0], 1e-6);
      assertEquals(1.75, out[6], 1e-6);
    }
  }

  /** Values and gradients equal detectron2's grid_sample paste (fixture from make_paste_fixtures.py). */
  @Test
  void matchesGridSampleFixture() throws IOException {
    try (NDManager m = manager.newSubManager()) {
      NDList f;
      try (InputStream in = getClass().getResourceAsStream("/ops/paste.npz")) {
        assertNotNull(in);
        f = NDList.decode(m, in);
      }
      long[] frame = f.get("frame").toLongArray();
      NDArray masks = f.get("masks");
      NDArray boxes = f.get("boxes");
      masks.setRequiresGradient(true);
      boxes.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = MaskPaster.paste(masks, boxes, (int) frame[0], (int) frame[1]);
        OpsTestUtil.assertClose(f.get("out"), out, 1e-10, 1e-12, "paste");
        gc.backward(out.mul(f.get("grad_out")).sum());
      }
      OpsTestUtil.assertClose(f.get("grad_masks"), masks.getGradient(), 1e-9, 1e-12, "grad masks");
      OpsTestUtil.assertClose(f.get("grad_boxes"), boxes.getGradient(), 1e-9, 1e-10, "grad boxes");
      NDArray masks2 = masks.duplicate();
      masks2.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray grid =
            MaskPaster.pasteToGrid(masks2, boxes, (int) frame[2], (int) frame[3], (int) frame[4]);
        OpsTestUtil.assertClose(f.get("grid_out"), grid, 1e-10, 1e-12, "grid paste");
        gc.backward(grid.mul(f.get("grid_grad_out")).sum());
      }
      OpsTestUtil.assertClose(f.get("grid_grad_masks"), masks2.getGradient(), 1e-9, 1e-12, "grid grad masks");
    }
  }

  /** On a stride-8 grid, a box covering cells 1..2 x 2..4 exactly gets ones there and zeros elsewhere. */
  @Test
  void gridPasteOfAlignedBox() {
    try (NDManager m = manager.newSubManager()) {
      NDArray masks = m.ones(new Shape(1, 28, 28));
      NDArray boxes = m.create(new float[] {16, 8, 40, 24}, new Shape(1, 4)); // x 16..40, y 8..24
      NDArray grid = MaskPaster.pasteToGrid(masks, boxes, 8, 4, 6);
      float[] expected = {
        0, 0, 0, 0, 0, 0,
        0, 0, 1, 1, 1, 0,
        0, 0, 1, 1, 1, 0,
        0, 0, 0, 0, 0, 0
      };
      assertArrayEquals(expected, grid.toFloatArray(), 1e-5f);
    }
  }
}
