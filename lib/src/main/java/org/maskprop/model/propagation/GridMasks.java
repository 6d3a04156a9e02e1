package org.maskprop.model.propagation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Moves instance masks between frame pixels and a feature grid of a given stride (P3: stride 8), with
 * the grid's geometry: cell {@code j} covers frame pixels {@code [j*stride, (j+1)*stride)} and its
 * centre is the frame point {@code (j + 0.5) * stride} (as in {@code MaskPaster.pasteToGrid}). Both
 * directions are separable, so each is two batched matrix products with small {@code [grid, frame]}
 * weight matrices; differentiable w.r.t. the masks.
 */
public final class GridMasks {
  private GridMasks() {}

  /**
   * Frame masks to the grid by area averaging: a cell gets the mean of the frame pixels it covers (its
   * mask coverage); cells beyond the frame (a padded feature map) get 0.
   *
   * @param masks {@code [N, H, W]} probabilities at frame resolution
   * @return {@code [N, gridHeight, gridWidth]}, attached to {@code masks}' manager
   */
  public static NDArray toGrid(NDArray masks, int stride, int gridHeight, int gridWidth) {
    Shape s = masks.getShape();
    if (s.dimension() != 3) {
      throw new IllegalArgumentException("GridMasks.toGrid: masks " + s + " must be [N, H, W]");
    }
    try (NDManager sub = masks.getManager().newSubManager()) {
      sub.tempAttachAll(masks);
      DataType dt = masks.getDataType();
      NDArray ay = areaWeights(sub, gridHeight, s.get(1), stride, dt); // [h, H]
      NDArray ax = areaWeights(sub, gridWidth, s.get(2), stride, dt); // [w, W]
      NDArray out = ay.expandDims(0).matMul(masks).matMul(ax.transpose().expandDims(0)); // [N, h, w]
      return sub.ret(out);
    }
  }

  /**
   * Grid masks to the frame by bilinear interpolation between cell centres (PyTorch's
   * {@code interpolate(mode="bilinear", align_corners=False)} for an exact stride): frame pixel
   * {@code y} reads grid coordinate {@code (y + 0.5) / stride - 0.5}, clamped to the grid, so the
   * border cells extend to the frame edge.
   *
   * @param masks {@code [N, h, w]}
   * @return {@code [N, height, width]}, attached to {@code masks}' manager
   */
  public static NDArray toFrame(NDArray masks, int stride, int height, int width) {
    Shape s = masks.getShape();
    if (s.dimension() != 3) {
      throw new IllegalArgumentException("GridMasks.toFrame: masks " + s + " must be [N, h, w]");
    }
    try (NDManager sub = masks.getManager().newSubManager()) {
      sub.tempAttachAll(masks);
      DataType dt = masks.getDataType();
      NDArray uy = tentWeights(sub, height, s.get(1), stride, dt); // [H, h]
      NDArray ux = tentWeights(sub, width, s.get(2), stride, dt); // [W, w]
      NDArray out = uy.expandDims(0).matMul(masks).matMul(ux.transpose().expandDims(0)); // [N, H, W]
      return sub.ret(out);
    }
  }

  /** {@code [cells, pixels]}: 1 / (pixels of the cell inside the frame) where pixel p lies in cell j. */
  private static NDArray areaWeights(NDManager sub, long cells, long pixels, int stride, DataType dt) {
    NDArray cellOfPixel = sub.arange(0f, (float) pixels, 1f, dt).div(stride).floor().reshape(1, pixels);
    NDArray inCell = sub.arange(0f, (float) cells, 1f, dt).reshape(cells, 1).eq(cellOfPixel).toType(dt, false);
    return inCell.div(inCell.sum(new int[] {1}, true).maximum(1));
  }

  /** {@code [pixels, cells]} tent weights {@code max(0, 1 - |u - j|)}, u clamped to {@code [0, cells-1]}. */
  private static NDArray tentWeights(NDManager sub, long pixels, long cells, int stride, DataType dt) {
    NDArray u =
        sub.arange(0f, (float) pixels, 1f, dt).add(0.5).div(stride).sub(0.5).clip(0, cells - 1).reshape(pixels, 1);
    NDArray j = sub.arange(0f, (float) cells, 1f, dt).reshape(1, cells);
    return u.sub(j).abs().neg().add(1).maximum(0);
  }
}
