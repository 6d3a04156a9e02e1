package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * RPN anchors per FPN level (Faster R-CNN Sec. 3.1; torchvision {@code AnchorGenerator}). Cell
 * anchors are built once: for each aspect ratio r = h / w (outer loop) and size s (inner loop), a
 * box of width s / sqrt(r) and height s sqrt(r) centred at 0, corners rounded to integers. Grid
 * anchors shift them by (x * stride, y * stride) for every feature location, location-major
 * (row y, then column x, then cell anchor).
 */
public final class AnchorGenerator {
  private final List<float[]> cellAnchors = new ArrayList<>(); // per level, A * 4 values
  private final int anchorsPerLocation;

  /**
   * @param sizes per level, anchor sizes sqrt(w h) in input pixels (e.g. {32}, {64}, ... for P2-P6)
   * @param aspectRatios per level, ratios h / w (e.g. {0.5, 1, 2})
   */
  public AnchorGenerator(List<double[]> sizes, List<double[]> aspectRatios) {
    if (sizes.size() != aspectRatios.size() || sizes.isEmpty()) {
      throw new IllegalArgumentException("AnchorGenerator: " + sizes.size() + " levels of sizes but "
          + aspectRatios.size() + " levels of aspect ratios");
    }
    int count = -1;
    for (int l = 0; l < sizes.size(); l++) {
      double[] s = sizes.get(l);
      double[] r = aspectRatios.get(l);
      float[] cell = new float[4 * s.length * r.length];
      int k = 0;
      for (double ratio : r) {
        // float32 as torchvision: h_ratio = sqrt(r), w_ratio = 1 / h_ratio, half extents rounded
        float hRatio = (float) Math.sqrt((float) ratio);
        float wRatio = 1f / hRatio;
        for (double size : s) {
          float ws = wRatio * (float) size;
          float hs = hRatio * (float) size;
          cell[k++] = (float) Math.rint(-ws / 2); // half to even, as torch.round
          cell[k++] = (float) Math.rint(-hs / 2); // half to even, as torch.round
          cell[k++] = (float) Math.rint(ws / 2); // half to even, as torch.round
          cell[k++] = (float) Math.rint(hs / 2); // half to even, as torch.round
        }
      }
      cellAnchors.add(cell);
      int a = s.length * r.length;
      if (count >= 0 && a != count) {
        throw new IllegalArgumentException(
            "AnchorGenerator: every level needs the same number of anchors per location (the RPN head is"
                + " shared), level 0 has " + count + ", level " + l + " has " + a);
      }
      count = a;
    }
    anchorsPerLocation = count;
  }

  /** Anchors per feature location A, the same on every level; sizes the RPN head's outputs. */
  public int anchorsPerLocation() {
    return anchorsPerLocation;
  }

  public int numLevels() {
    return cellAnchors.size();
  }

  /** {@code [A, 4]} cell anchors of a level, centred at 0. */
  public NDArray cellAnchors(NDManager manager, int level) {
    float[] c = cellAnchors.get(level);
    return TorchOwned.create(manager, c, new Shape(c.length / 4, 4));
  }

  /**
   * Anchors of one level for a {@code gridH x gridW} feature map.
   *
   * @return {@code [gridH * gridW * A, 4]} XYXY, order (y, x, anchor)
   */
  public Boxes gridAnchors(NDManager manager, int level, long gridH, long gridW, int stride) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray sx = scope.arange(0, (int) gridW, 1, DataType.FLOAT32).mul(stride); // [W]
      NDArray sy = scope.arange(0, (int) gridH, 1, DataType.FLOAT32).mul(stride); // [H]
      NDArray gx = sx.reshape(1, gridW).broadcast(gridH, gridW).flatten();
      NDArray gy = sy.reshape(gridH, 1).broadcast(gridH, gridW).flatten();
      NDArray shifts = NDArrays.stack(new NDList(gx, gy, gx, gy), 1); // [H W, 4]
      NDArray cell = cellAnchors(scope, level); // [A, 4]
      NDArray all = shifts.expandDims(1).add(cell.expandDims(0)).reshape(-1, 4);
      return new Boxes(scope.ret(all));
    }
  }

  /** Anchors for each level's feature map {@code [B, C, H_l, W_l]} with the given strides. */
  public List<Boxes> forward(List<NDArray> features, List<ShapeSpec> specs) {
    if (features.size() != cellAnchors.size() || specs.size() != features.size()) {
      throw new IllegalArgumentException("AnchorGenerator has " + cellAnchors.size() + " levels but got "
          + features.size() + " feature maps and " + specs.size() + " shape specs");
    }
    List<Boxes> out = new ArrayList<>();
    for (int l = 0; l < features.size(); l++) {
      Shape s = features.get(l).getShape();
      out.add(gridAnchors(features.get(l).getManager(), l, s.get(2), s.get(3), specs.get(l).stride()));
    }
    return out;
  }
}
