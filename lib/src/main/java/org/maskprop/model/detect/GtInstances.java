package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.maskprop.ops.Boxes;

/**
 * Ground truth of one image as the detector consumes it: {@code boxes} {@code [G, 4]} XYXY, {@code
 * classes} {@code [G]} int64 in 1..K, {@code masks} {@code [G, H, W]} 0/1 (any numeric type) at the
 * input resolution. {@code data.FrameTargets} carries the same three arrays; keeping this record
 * here lets the detector depend on {@code ops} only.
 */
public record GtInstances(Boxes boxes, NDArray classes, NDArray masks) {
  public GtInstances {
    long g = boxes.size();
    if (classes.getShape().dimension() != 1 || classes.size() != g) {
      throw new IllegalArgumentException("GtInstances: " + g + " boxes but classes " + classes.getShape());
    }
    Shape m = masks.getShape();
    if (m.dimension() != 3 || m.get(0) != g) {
      throw new IllegalArgumentException("GtInstances: masks must be [" + g + ", H, W], got " + m);
    }
  }

  public long size() {
    return boxes.size();
  }
}
