package org.maskprop.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.maskprop.ops.Boxes;

/**
 * The GT instances of one frame as training targets (STYLE.md {@code data}; detectron2's {@code
 * Instances}): every field has the same N, checked here.
 *
 * <ul>
 *   <li>{@code boxes}: {@code [N, 4]} float32 XYXY_ABS in the frame's (augmented) pixels, the tight
 *       box of the original mask mapped exactly by the {@link FrameTransform}.
 *   <li>{@code classes}: {@code [N]} int64 class indices in {@code 1..C} ({@link CategoryIndex}).
 *   <li>{@code masks}: {@code [N, height, width]} uint8 with values 0/1.
 *   <li>{@code trackIds}: the annotation ids, which identify an instance across the frames of a
 *       video (used to pair the instances of frames t and t').
 * </ul>
 *
 * <p>Which instances are included is decided by {@link FrameInstances#of}: present in the frame
 * (non-null, non-empty mask) and not crowd. The arrays belong to the caller's manager; {@code
 * trackIds} is copied on construction and must not be modified through the accessor.
 */
public record FrameTargets(Boxes boxes, NDArray classes, NDArray masks, int[] trackIds, int height, int width) {
  public FrameTargets {
    trackIds = trackIds.clone();
    long n = trackIds.length;
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("frame size must be positive, got " + height + "x" + width);
    }
    if (boxes.size() != n) {
      throw new IllegalArgumentException("boxes has " + boxes.size() + " rows but there are " + n + " track ids");
    }
    Shape c = classes.getShape();
    if (c.dimension() != 1 || c.get(0) != n || classes.getDataType() != DataType.INT64) {
      throw new IllegalArgumentException("classes must be int64 [" + n + "], got " + classes.getDataType() + " " + c);
    }
    Shape m = masks.getShape();
    if (!m.equals(new Shape(n, height, width))) {
      throw new IllegalArgumentException("masks must be [" + n + ", " + height + ", " + width + "], got " + m);
    }
  }

  /** Number of instances N. */
  public int size() {
    return trackIds.length;
  }

  /** Position of an instance by track id, or -1. */
  public int indexOf(int trackId) {
    for (int i = 0; i < trackIds.length; i++) {
      if (trackIds[i] == trackId) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Targets of one frame of a video without augmentation, on {@code manager}.
   *
   * @throws org.maskprop.InputException if an annotation names a category the index does not know
   */
  public static FrameTargets of(
      NDManager manager, YtvisDataset dataset, CategoryIndex categories, int videoId, int frame) {
    YtvisDataset.Video v = dataset.videoById(videoId);
    if (v == null) {
      throw new IllegalArgumentException("unknown video " + videoId);
    }
    return FrameInstances.of(v, dataset.annotationsOf(videoId), frame, categories).toTargets(manager);
  }
}
