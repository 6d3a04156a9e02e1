package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Boxes as an {@code [N, 4]} float array in {@link BoxMode#XYXY_ABS} (detectron2's {@code Boxes}).
 * The shape and floating type are checked here, once; conversion from other modes happens at the
 * data boundary through {@link #of(NDArray, BoxMode)}.
 */
public record Boxes(NDArray tensor) {
  public Boxes {
    Shape s = tensor.getShape();
    if (s.dimension() != 2 || s.get(1) != 4) {
      throw new IllegalArgumentException("Boxes needs an [N, 4] array, got " + s);
    }
    DataType t = tensor.getDataType();
    if (t != DataType.FLOAT32 && t != DataType.FLOAT64 && t != DataType.FLOAT16) {
      throw new IllegalArgumentException("Boxes needs a floating array, got " + t);
    }
  }

  /** Converts {@code [N, 4]} boxes in {@code mode} to XYXY_ABS. */
  public static Boxes of(NDArray array, BoxMode mode) {
    return switch (mode) {
      case XYXY_ABS -> new Boxes(array);
      case XYWH_ABS -> {
        NDArray xy = array.get(":, 0:2");
        NDArray wh = array.get(":, 2:4");
        yield new Boxes(xy.concat(xy.add(wh), 1));
      }
    };
  }

  /** Number of boxes N. */
  public long size() {
    return tensor.getShape().get(0);
  }

  /** {@code [N]} areas (x2 - x1) * (y2 - y1); negative sides are not clamped (as torchvision). */
  public NDArray area() {
    return x2().sub(x1()).mul(y2().sub(y1()));
  }

  /** Clips to an image of {@code height x width} pixels: x in [0, width], y in [0, height]. */
  public Boxes clip(int height, int width) {
    NDArray x = tensor.get(":, 0::2").clip(0, width);
    NDArray y = tensor.get(":, 1::2").clip(0, height);
    // [N, 2] + [N, 2] -> interleave back to x1, y1, x2, y2
    return new Boxes(NDArrays.stack(new ai.djl.ndarray.NDList(x, y), 2).reshape(-1, 4));
  }

  /** {@code [N]} boolean: both sides longer than {@code threshold}. */
  public NDArray nonEmpty(float threshold) {
    return x2().sub(x1()).gt(threshold).logicalAnd(y2().sub(y1()).gt(threshold));
  }

  /** The boxes at the given indices (int64 array) or boolean mask. */
  public Boxes select(NDArray indexOrMask) {
    if (indexOrMask.getDataType() == DataType.BOOLEAN) {
      return new Boxes(tensor.get(indexOrMask));
    }
    return new Boxes(tensor.get(new ai.djl.ndarray.index.NDIndex("{}", indexOrMask)));
  }

  /** {@code [N]} x1. */
  public NDArray x1() {
    return tensor.get(":, 0");
  }

  /** {@code [N]} y1. */
  public NDArray y1() {
    return tensor.get(":, 1");
  }

  /** {@code [N]} x2. */
  public NDArray x2() {
    return tensor.get(":, 2");
  }

  /** {@code [N]} y2. */
  public NDArray y2() {
    return tensor.get(":, 3");
  }
}
