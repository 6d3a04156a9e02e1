package org.maskprop.model.propagation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Hand-computed resampling between frame pixels and a stride-s grid. */
class GridMasksTest {

  @Test
  void toGridAveragesEachCellsPixels() {
    try (NDManager m = NDManager.newBaseManager()) {
      // Frame 4x6, stride 2 -> grid 2x3. Pixel (y, x) = 1 on rows 0..1, cols 2..4.
      float[] f = new float[4 * 6];
      for (int y = 0; y < 2; y++) {
        for (int x = 2; x <= 4; x++) {
          f[y * 6 + x] = 1;
        }
      }
      NDArray frame = m.create(f, new Shape(1, 4, 6));
      NDArray grid = GridMasks.toGrid(frame, 2, 2, 3);
      // Cell (0,1) covers cols 2..3 (full), cell (0,2) covers cols 4..5 (half).
      assertArrayEquals(new float[] {0, 1, 0.5f, 0, 0, 0}, grid.toFloatArray(), 1e-6f);
    }
  }

  @Test
  void toGridOnAPaddedGridAveragesOnlyFramePixels() {
    try (NDManager m = NDManager.newBaseManager()) {
      // Frame 3x3 of ones, stride 2 -> grid 2x2 (ceil); the border cells see 2 or 1 pixels, all 1.
      // A grid larger than the frame needs (a padded feature map) gets 0 in the extra cells.
      NDArray frame = m.ones(new Shape(2, 3, 3));
      assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, GridMasks.toGrid(frame, 2, 2, 2).toFloatArray(), 1e-6f);
      float[] padded = GridMasks.toGrid(frame.get("0:1"), 2, 3, 2).toFloatArray();
      assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0}, padded, 1e-6f);
    }
  }

  @Test
  void toFrameInterpolatesBetweenCellCentresAndClampsAtTheBorder() {
    try (NDManager m = NDManager.newBaseManager()) {
      // Grid row [0, 1], stride 2, width 4: pixel centres map to u = -0.25, 0.25, 0.75, 1.25,
      // clamped to [0, 1] -> values 0, 0.25, 0.75, 1 (torch interpolate, align_corners=False).
      NDArray grid = m.create(new float[] {0, 1}, new Shape(1, 1, 2));
      NDArray frame = GridMasks.toFrame(grid, 2, 2, 4);
      assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1, 0, 0.25f, 0.75f, 1}, frame.toFloatArray(), 1e-6f);
    }
  }

  @Test
  void toFrameOfACellAlignedMaskKeepsItsInteriorAndItsMass() {
    try (NDManager m = NDManager.newBaseManager()) {
      // A single cell at stride 4: its 2x2 central pixels ramp 0.625 -> ..., total mass = 16 pixels.
      float[] g = new float[5 * 5];
      g[2 * 5 + 2] = 1;
      NDArray frame = GridMasks.toFrame(m.create(g, new Shape(1, 5, 5)), 4, 20, 20);
      float[] v = frame.toFloatArray();
      // Pixel 9 of a row: u = (9.5)/4 - 0.5 = 1.875 -> weight of cell 2 is 0.875.
      assertArrayEquals(new float[] {0.875f * 0.875f}, new float[] {v[9 * 20 + 9]}, 1e-6f);
      assertArrayEquals(new float[] {16f}, new float[] {frame.sum().getFloat()}, 1e-4f);
    }
  }
}
