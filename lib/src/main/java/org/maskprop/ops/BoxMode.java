package org.maskprop.ops;

/** Coordinate convention of an {@code [N, 4]} box array (detectron2's {@code BoxMode}). */
public enum BoxMode {
  /** (x1, y1, x2, y2) in absolute pixels; the convention of every {@link Boxes}. */
  XYXY_ABS,
  /** (x, y, width, height) in absolute pixels, as YouTube-VIS {@code bboxes}. */
  XYWH_ABS
}
