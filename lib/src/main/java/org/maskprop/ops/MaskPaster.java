package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Pastes box-relative mask probabilities ({@code [N, M, M]}, e.g. the 28x28 mask head output) into
 * full frames or onto a feature grid, with detectron2's {@code paste_masks_in_image} convention:
 * output pixel {@code (y, x)} samples the mask at its centre, mask coordinates
 * {@code u = ((x + 0.5 - x0) / (x1 - x0)) * M - 0.5}, by bilinear interpolation with zeros outside
 * the mask ({@code grid_sample}, {@code align_corners=False}, zero padding). So an all-ones mask in a
 * box on pixel boundaries fills the box interior exactly, with 0 outside, when the box is at most M
 * pixels wide; in a wider box a mask cell spans several pixels and the rim fades linearly over half a
 * cell on each side of the box edge. Pixels farther than half a mask cell from the box are 0.
 *
 * <p>Bilinear resampling is separable, so a paste is two small batched matrix products,
 * {@code Ry [N, H, M] x mask [N, M, M] x Rx^T [N, M, W]}, with tent weights
 * {@code max(0, 1 - |u - i|)}: differentiable w.r.t. the mask probabilities (and the boxes).
 */
public final class MaskPaster {
  private MaskPaster() {}

  /**
   * Pastes into frames of {@code height x width} pixels.
   *
   * @param masks {@code [N, Mh, Mw]} probabilities
   * @param boxes {@code [N, 4]} xyxy in frame pixels
   * @return {@code [N, height, width]}, attached to {@code masks}' manager
   */
  public static NDArray paste(NDArray masks, NDArray boxes, int height, int width) {
    return pasteScaled(masks, boxes, null, 1.0, height, width);
  }

  /**
   * Pastes onto a feature grid of the given stride (e.g. P3, stride 8): cell {@code (j, i)} samples
   * the mask at the frame point {@code ((i + 0.5) * stride, (j + 0.5) * stride)}, its centre.
   *
   * @param masks {@code [N, Mh, Mw]} probabilities
   * @param boxes {@code [N, 4]} xyxy in frame pixels
   * @param stride feature stride in frame pixels
   * @param gridHeight feature map height (frame height / stride, rounded as the backbone does)
   * @param gridWidth feature map width
   * @return {@code [N, gridHeight, gridWidth]}
   */
  public static NDArray pasteToGrid(
      NDArray masks, NDArray boxes, int stride, int gridHeight, int gridWidth) {
    return pasteScaled(masks, boxes, null, 1.0 / stride, gridHeight, gridWidth);
  }

  /**
   * Pastes into frames over {@code original} (the refinement's paste back): where the boxes'
   * bilinear coverage {@code c} is partial or zero the original shows through, {@code pasted + (1 -
   * c) * original}.
   *
   * @param original {@code [N, height, width]}
   */
  public static NDArray pasteOver(NDArray masks, NDArray boxes, NDArray original, int height, int width) {
    return pasteScaled(masks, boxes, original, 1.0, height, width);
  }

  private static NDArray pasteScaled(
      NDArray masks, NDArray boxes, NDArray original, double scale, int height, int width) {
    Shape ms = masks.getShape();
    if (ms.dimension() != 3 || !boxes.getShape().equals(new Shape(ms.get(0), 4))) {
      throw new IllegalArgumentException(
          "MaskPaster: masks " + ms + " must be [N, Mh, Mw] and boxes " + boxes.getShape() + " [N, 4]");
    }
    long n = ms.get(0);
    try (NDManager sub = masks.getManager().newSubManager()) {
      sub.tempAttachAll(masks, boxes);
      if (original != null) {
        sub.tempAttachAll(original);
      }
      NDArray b = boxes.toType(masks.getDataType(), false).mul(scale); // [N, 4] in output pixels
      NDArray ry = tent(sub, b.get(":, 1"), b.get(":, 3"), height, ms.get(1), masks.getDataType()); // [N, H, Mh]
      NDArray rx = tent(sub, b.get(":, 0"), b.get(":, 2"), width, ms.get(2), masks.getDataType()); // [N, W, Mw]
      NDArray out = ry.matMul(masks).matMul(rx.transpose(0, 2, 1)); // [N, H, W]
      if (original != null) {
        NDArray coverage = ry.sum(new int[] {2}).reshape(n, height, 1).mul(rx.sum(new int[] {2}).reshape(n, 1, width));
        out = out.add(coverage.neg().add(1).mul(original));
      }
      return sub.ret(out.reshape(n, height, width));
    }
  }

  /**
   * Interpolation weights {@code [N, size, m]} of output pixels along one axis: pixel centre
   * {@code p + 0.5} maps to mask coordinate {@code u = (p + 0.5 - lo) / (hi - lo) * m - 0.5}; weight of
   * mask cell {@code i} is {@code max(0, 1 - |u - i|)} (bilinear, zero outside the mask).
   */
  private static NDArray tent(NDManager sub, NDArray lo, NDArray hi, int size, long m, DataType dt) {
    long n = lo.getShape().get(0);
    // A degenerate box (hi <= lo) would divide by zero; a tiny extent keeps it empty instead.
    NDArray extent = hi.sub(lo).maximum(1e-6).reshape(n, 1, 1);
    NDArray centres = sub.arange(0f, (float) size, 1f, dt).add(0.5).reshape(1, size, 1);
    NDArray u = centres.sub(lo.reshape(n, 1, 1)).div(extent).mul(m).sub(0.5); // [N, size, 1]
    NDArray cells = sub.arange(0f, (float) m, 1f, dt).reshape(1, 1, m);
    return u.sub(cells).abs().neg().add(1).maximum(0); // [N, size, m]
  }
}
