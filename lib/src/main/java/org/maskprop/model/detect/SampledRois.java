package org.maskprop.model.detect;

import static org.maskprop.model.detect.Proposals.pick;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;
import org.maskprop.ops.Boxes;

/**
 * Training RoIs of one image after matching and sampling (D3, TV3): {@code boxes} {@code [N, 4]},
 * {@code gtClasses} {@code [N]} int64 (0 = background, 1..K = the matched GT's class), {@code
 * gtBoxes} {@code [N, 4]} the matched GT boxes (meaningful where {@code gtClasses > 0}), {@code
 * matched} {@code [N]} int64 index of the matched GT instance (for the mask targets). No gradient
 * flows through any field.
 */
public record SampledRois(Boxes boxes, NDArray gtClasses, Boxes gtBoxes, NDArray matched) {
  public SampledRois {
    long n = boxes.size();
    if (gtClasses.size() != n || gtBoxes.size() != n || matched.size() != n) {
      throw new IllegalArgumentException("SampledRois: " + n + " boxes but " + gtClasses.size() + " classes, "
          + gtBoxes.size() + " gt boxes, " + matched.size() + " matches");
    }
  }

  public long size() {
    return boxes.size();
  }

  /** {@code [N]} boolean: foreground RoIs. */
  public NDArray foreground() {
    return gtClasses.gt(0);
  }

  public SampledRois select(NDArray indexOrMask) {
    return new SampledRois(boxes.select(indexOrMask), pick(gtClasses, indexOrMask), gtBoxes.select(indexOrMask),
        pick(matched, indexOrMask));
  }

  /** Rows of all parts, in order (parts of one image: {@code matched} indexes the same GT list). */
  public static SampledRois concat(List<SampledRois> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("SampledRois.concat: no parts");
    }
    NDList b = new NDList();
    NDList c = new NDList();
    NDList g = new NDList();
    NDList m = new NDList();
    for (SampledRois p : parts) {
      b.add(p.boxes.tensor());
      c.add(p.gtClasses);
      g.add(p.gtBoxes.tensor());
      m.add(p.matched);
    }
    return new SampledRois(new Boxes(Concat.of(b, 0)), Concat.of(c, 0),
        new Boxes(Concat.of(g, 0)), Concat.of(m, 0));
  }
}
