package org.maskprop.model.track;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.maskprop.ops.BoxOps;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.ShapeSpec;

/** {@link TrackHead} on hand-made FPN maps of a 64 x 64 frame (P2..P5, strides 4..32). */
class TrackHeadTest {
  static final int SIZE = 64;
  static final List<ShapeSpec> SPECS =
      List.of(new ShapeSpec(2, 4), new ShapeSpec(2, 8), new ShapeSpec(2, 16), new ShapeSpec(2, 32));

  /** P2..P5 {@code [1, c, 64 / s, 64 / s]} filled with {@code value}, or random when value is NaN. */
  static List<NDArray> levels(NDManager m, int c, float value) {
    List<NDArray> out = new ArrayList<>();
    for (ShapeSpec s : SPECS) {
      Shape shape = new Shape(1, c, SIZE / s.stride(), SIZE / s.stride());
      out.add(Float.isNaN(value) ? m.randomNormal(shape) : m.full(shape, value));
    }
    return out;
  }

  static TrackHead head(NDManager m, int c, int fcDim, int embedDim, int rois) {
    TrackHead h = new TrackHead(fcDim, embedDim, rois);
    h.initialize(m, DataType.FLOAT32, new Shape(1, c, TrackHead.POOLED, TrackHead.POOLED));
    return h;
  }

  static Boxes boxes(NDManager m, float[]... b) {
    float[] flat = new float[4 * b.length];
    for (int i = 0; i < b.length; i++) {
      System.arraycopy(b[i], 0, flat, 4 * i, 4);
    }
    return new Boxes(m.create(flat, new Shape(b.length, 4)));
  }

  static void set(TrackHead h, String name, float[] values) {
    for (Pair<String, Parameter> p : h.getParameters()) {
      if (p.getKey().endsWith(name)) {
        p.getValue().getArray().set(values);
        return;
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  @Test
  void embedsOneRowPerBox() {
    try (NDManager m = NDManager.newBaseManager()) {
      TrackHead h = head(m, 2, 16, 8, 4);
      ParameterStore ps = new ParameterStore(m, false);
      List<NDArray> f = levels(m, 2, Float.NaN);
      NDArray e = h.embed(ps, f, SPECS, boxes(m, new float[] {2, 2, 20, 30}, new float[] {10, 5, 60, 62},
          new float[] {0, 0, 64, 64}), false);
      assertEquals(new Shape(3, 8), e.getShape());
      assertEquals(new Shape(0, 8), h.embed(ps, f, SPECS, new Boxes(m.zeros(new Shape(0, 4))), false).getShape());
      assertArrayEquals(new Shape[] {new Shape(5, 8)}, h.getOutputShapes(new Shape[] {new Shape(5, 2, 7, 7)}));
    }
  }

  @Test
  void matchLossIsTheCrossEntropyOverTheNewSlotAndTheReferenceInstances() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray cur = m.create(new float[] {1, 0, 0, 2}, new Shape(2, 2));
      NDArray ref = m.create(new float[] {1, 0, 0, 1, 1, 1}, new Shape(3, 2));
      NDArray logits = TrackHead.matchLogits(cur, ref); // rows [0, 1, 0, 1], [0, 0, 2, 2]
      assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0, 2, 2}, logits.toFloatArray());
      NDArray loss = TrackHead.matchLoss(logits, m.create(new long[] {1, 0}));
      double z0 = Math.log(1 + Math.E + 1 + Math.E);
      double z1 = Math.log(1 + 1 + 2 * Math.exp(2));
      assertEquals(((z0 - 1) + (z1 - 0)) / 2, loss.getFloat(), 1e-5);
      assertEquals(0, loss.getShape().dimension());
      // no positives: 0
      assertEquals(0f, TrackHead.matchLoss(m.zeros(new Shape(0, 4)), m.zeros(new Shape(0), DataType.INT64)).getFloat());
    }
  }

  @Test
  void targetSlotsIndexTheReferenceFromOne() {
    assertArrayEquals(new int[] {2, 0, 1}, TrackHead.targetSlots(new int[] {11, 12}, new int[] {12, 13, 11}));
    assertArrayEquals(new int[0], TrackHead.targetSlots(new int[] {11}, new int[0]));
  }

  @Test
  void handSetWeightsGiveTheHandComputedTrainingLoss() {
    try (NDManager m = NDManager.newBaseManager()) {
      TrackHead h = head(m, 1, 2, 2, 0); // GT boxes only: one positive per instance of t'
      float[] w1 = new float[2 * 49];
      for (int k = 0; k < 49; k++) {
        w1[k] = 0.02f;
        w1[49 + k] = -0.01f;
      }
      set(h, "fc1_weight", w1);
      set(h, "fc1_bias", new float[] {0.1f, 0.2f});
      set(h, "fc2_weight", new float[] {1, 0, 2, 3});
      set(h, "fc2_bias", new float[] {0, 0.5f});
      ParameterStore ps = new ParameterStore(m, false);
      List<NDArray> ones = levels(m, 1, 1f); // RoIAlign of a constant map is that constant
      // h = relu([49 * 0.02 + 0.1, -49 * 0.01 + 0.2]) = [1.08, 0]; f = [1.08, 2 * 1.08 + 0.5] = [1.08, 2.66]
      NDArray e = h.embed(ps, ones, SPECS, boxes(m, new float[] {4, 4, 20, 20}), false);
      assertArrayEquals(new float[] {1.08f, 2.66f}, e.toFloatArray(), 1e-5f);
      // t has instances 11, 12; t' has 12 (slot 2) and 13 (new, slot 0); every embedding equals f
      double ff = 1.08 * 1.08 + 2.66 * 2.66;
      double logZ = Math.log(1 + 2 * Math.exp(ff));
      double expected = ((logZ - ff) + (logZ - 0)) / 2;
      NDArray loss = h.trainingLoss(ps, ones, ones, SPECS,
          boxes(m, new float[] {4, 4, 20, 20}, new float[] {30, 30, 60, 50}), new int[] {11, 12},
          boxes(m, new float[] {6, 4, 22, 20}, new float[] {32, 30, 62, 52}), new int[] {12, 13}, SIZE, SIZE,
          new Random(1));
      assertEquals(expected, loss.getFloat(), 1e-4 * expected);
    }
  }

  @Test
  void jitteredRoisArePositivesOfTheInstanceTheyOverlap() {
    try (NDManager m = NDManager.newBaseManager()) {
      TrackHead h = head(m, 1, 4, 4, 6);
      NDArray gt = boxes(m, new float[] {2, 2, 22, 30}, new float[] {36, 30, 62, 60}).tensor();
      TrackHead.Positives p = h.samplePositives(m, gt, new int[] {3, 0}, SIZE, SIZE, new Random(7));
      long n = p.boxes().size();
      assertTrue(n >= 2 && n <= 14, "positives " + n);
      // the GT boxes come first, with their own slots
      assertArrayEquals(new float[] {2, 2, 22, 30, 36, 30, 62, 60}, p.boxes().tensor().get("0:2").toFloatArray());
      NDArray iou = BoxOps.pairwiseIou(new Boxes(gt), p.boxes()); // [2, n]
      float[] flat = iou.toFloatArray();
      long[] slots = p.slots().toLongArray();
      int jittered = 0;
      for (int i = 0; i < n; i++) {
        int own = flat[i] >= flat[(int) n + i] ? 0 : 1; // the boxes are far apart: one overlap only
        assertTrue(Math.max(flat[i], flat[(int) n + i]) >= TrackHead.POSITIVE_IOU - 1e-6);
        assertEquals(own == 0 ? 3 : 0, slots[i], "slot of positive " + i);
        jittered += i >= 2 && flat[own * (int) n + i] < 0.999 ? 1 : 0;
      }
      assertTrue(jittered > 0, "no jittered RoI among " + n);
      // same generator seed, same RoIs
      TrackHead.Positives again = h.samplePositives(m, gt, new int[] {3, 0}, SIZE, SIZE, new Random(7));
      assertArrayEquals(p.boxes().tensor().toFloatArray(), again.boxes().tensor().toFloatArray());
    }
  }

  @Test
  void theLossTrainsTheHeadAndTheFeaturesOfBothFrames() {
    try (NDManager m = NDManager.newBaseManager()) {
      TrackHead h = head(m, 2, 8, 8, 2);
      ParameterStore ps = new ParameterStore(m, false);
      m.getEngine().setRandomSeed(3);
      List<NDArray> ref = levels(m, 2, Float.NaN);
      List<NDArray> cur = levels(m, 2, Float.NaN);
      ref.forEach(a -> a.setRequiresGradient(true));
      cur.forEach(a -> a.setRequiresGradient(true));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = h.trainingLoss(ps, ref, cur, SPECS, boxes(m, new float[] {4, 4, 30, 30}), new int[] {5},
            boxes(m, new float[] {8, 6, 34, 32}), new int[] {5}, SIZE, SIZE, new Random(2));
        assertTrue(loss.getFloat() > 0);
        gc.backward(loss);
      }
      for (Pair<String, Parameter> p : h.getParameters()) {
        assertTrue(p.getValue().getArray().getGradient().abs().sum().getFloat() > 0, p.getKey());
      }
      assertTrue(ref.get(0).getGradient().abs().sum().getFloat() > 0, "no gradient into frame t");
      assertTrue(cur.get(0).getGradient().abs().sum().getFloat() > 0, "no gradient into frame t'");
    }
  }
}
