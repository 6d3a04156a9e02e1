package org.maskprop.model.detect;

import static org.maskprop.model.detect.Proposals.pick;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;
import org.maskprop.ops.Boxes;

/**
 * Final instances of one image (DESIGN.md section 3): {@code boxes} {@code [N, 4]} XYXY in input
 * pixels, {@code scores} {@code [N]}, {@code classes} {@code [N]} int64 in 1..K, {@code maskLogits}
 * {@code [N, M, M]} (M = 28 at paper scale) for each detection's own class in the box's frame, and
 * the input image size. {@code maskLogits} is null until {@link MaskHead#forwardWithGivenBoxes} has
 * run ({@link #withMaskLogits}).
 */
public record Detections(Boxes boxes, NDArray scores, NDArray classes, NDArray maskLogits, int height, int width) {
  public Detections {
    long n = boxes.size();
    if (scores.size() != n || classes.size() != n) {
      throw new IllegalArgumentException(
          "Detections: " + n + " boxes but " + scores.size() + " scores, " + classes.size() + " classes");
    }
    if (maskLogits != null && (maskLogits.getShape().dimension() != 3 || maskLogits.getShape().get(0) != n)) {
      throw new IllegalArgumentException("Detections: mask logits must be [" + n + ", M, M], got "
          + maskLogits.getShape());
    }
  }

  public long size() {
    return boxes.size();
  }

  public boolean hasMasks() {
    return maskLogits != null;
  }

  /** The same detections with {@code [N, M, M]} mask logits. */
  public Detections withMaskLogits(NDArray logits) {
    return new Detections(boxes, scores, classes, logits, height, width);
  }

  public Detections select(NDArray indexOrMask) {
    return new Detections(boxes.select(indexOrMask), pick(scores, indexOrMask), pick(classes, indexOrMask),
        maskLogits == null ? null : pick(maskLogits, indexOrMask), height, width);
  }

  /** Rows of all parts of one image, in order; all must have masks or none. */
  public static Detections concat(List<Detections> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("Detections.concat: no parts");
    }
    Detections first = parts.get(0);
    NDList b = new NDList();
    NDList s = new NDList();
    NDList c = new NDList();
    NDList m = new NDList();
    for (Detections d : parts) {
      if (d.height != first.height || d.width != first.width || d.hasMasks() != first.hasMasks()) {
        throw new IllegalArgumentException("Detections.concat: parts of different images or with and without masks");
      }
      b.add(d.boxes.tensor());
      s.add(d.scores);
      c.add(d.classes);
      if (d.hasMasks()) {
        m.add(d.maskLogits);
      }
    }
    return new Detections(new Boxes(Concat.of(b, 0)), Concat.of(s, 0), Concat.of(c, 0),
        first.hasMasks() ? Concat.of(m, 0) : null, first.height, first.width);
  }
}
