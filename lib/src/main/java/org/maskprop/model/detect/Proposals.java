package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.maskprop.ops.Boxes;

/**
 * RPN proposals of one image: {@code boxes} {@code [N, 4]} XYXY in input pixels and {@code
 * objectness} {@code [N]} probabilities (sigmoid of the RPN logit, as torchvision returns them), by
 * descending objectness. Both carry no gradient (TV5: proposals are decoded from detached deltas).
 */
public record Proposals(Boxes boxes, NDArray objectness) {
  public Proposals {
    if (objectness.getShape().dimension() != 1 || objectness.size() != boxes.size()) {
      throw new IllegalArgumentException(
          "Proposals: " + boxes.size() + " boxes but objectness " + objectness.getShape());
    }
  }

  public long size() {
    return boxes.size();
  }

  /** The proposals at the given int64 indices or boolean mask. */
  public Proposals select(NDArray indexOrMask) {
    return new Proposals(boxes.select(indexOrMask), pick(objectness, indexOrMask));
  }

  /** Rows of all parts, in order (parts of one image). */
  public static Proposals concat(List<Proposals> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("Proposals.concat: no parts");
    }
    NDList b = new NDList();
    NDList o = new NDList();
    for (Proposals p : parts) {
      b.add(p.boxes.tensor());
      o.add(p.objectness);
    }
    return new Proposals(new Boxes(Concat.of(b, 0)), Concat.of(o, 0));
  }

  static NDArray pick(NDArray a, NDArray indexOrMask) {
    return indexOrMask.getDataType() == DataType.BOOLEAN ? a.get(indexOrMask) : a.get(new NDIndex("{}", indexOrMask));
  }
}
