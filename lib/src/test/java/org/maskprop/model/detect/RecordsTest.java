package org.maskprop.model.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.ops.Boxes;

/** select / concat apply to every field, and the compact constructors reject mismatched lengths. */
class RecordsTest {
  @Test
  void detectionsSelectAndConcatKeepFieldsAligned() {
    try (NDManager m = NDManager.newBaseManager()) {
      Detections d = new Detections(new Boxes(m.create(new float[] {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, new Shape(3, 4))),
          m.create(new float[] {.9f, .5f, .7f}), m.create(new long[] {1, 2, 1}),
          m.arange(0f, 12f).reshape(3, 2, 2), 8, 8);
      Detections s = d.select(m.create(new long[] {2, 0}));
      assertArrayEquals(new float[] {.7f, .9f}, s.scores().toFloatArray());
      assertArrayEquals(new long[] {1, 1}, s.classes().toLongArray());
      assertArrayEquals(new float[] {4, 4, 5, 5, 0, 0, 1, 1}, s.boxes().tensor().toFloatArray());
      assertArrayEquals(new float[] {8, 9, 10, 11, 0, 1, 2, 3}, s.maskLogits().toFloatArray());
      Detections b = d.select(m.create(new boolean[] {false, true, false}));
      Detections c = Detections.concat(List.of(s, b));
      assertArrayEquals(new float[] {.7f, .9f, .5f}, c.scores().toFloatArray());
      assertEquals(new Shape(3, 2, 2), c.maskLogits().getShape());
      assertThrows(IllegalArgumentException.class, () -> Detections.concat(List.of(s, s.withMaskLogits(null))));
      assertThrows(IllegalArgumentException.class,
          () -> new Detections(d.boxes(), m.create(new float[] {1}), d.classes(), null, 8, 8));
    }
  }

  @Test
  void proposalsAndSampledRoisSelectAndConcat() {
    try (NDManager m = NDManager.newBaseManager()) {
      Boxes boxes = new Boxes(m.create(new float[] {0, 0, 1, 1, 2, 2, 3, 3}, new Shape(2, 4)));
      Proposals p = new Proposals(boxes, m.create(new float[] {.8f, .3f}));
      Proposals q = Proposals.concat(List.of(p.select(m.create(new long[] {1})), p));
      assertArrayEquals(new float[] {.3f, .8f, .3f}, q.objectness().toFloatArray());
      SampledRois r = new SampledRois(boxes, m.create(new long[] {0, 2}), boxes, m.create(new long[] {0, 1}));
      SampledRois fg = r.select(r.foreground());
      assertEquals(1, fg.size());
      assertArrayEquals(new long[] {1}, fg.matched().toLongArray());
      assertEquals(3, SampledRois.concat(List.of(r, fg)).size());
      assertThrows(IllegalArgumentException.class, () -> new Proposals(boxes, m.create(new float[] {1})));
    }
  }
}
