package org.maskprop.model.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.LossNames;
import org.maskprop.ops.LossTerms;
import org.maskprop.ops.ShapeSpec;

class RoiHeadsTest {
  static final int C = 8;
  static final int K = 2;
  static final int M = 8;

  static CascadeRoiHeads heads(int stages, boolean agnostic, boolean semantic) {
    CascadeRoiHeads.Builder b = CascadeRoiHeads.builder();
    double[] ious = {0.5, 0.6, 0.7};
    double[] weights = {1, 0.5, 0.25};
    for (int k = 0; k < stages; k++) {
      b.addStage(new StageHead(new BoxHead(32), new BoxPredictor(K, agnostic), ious[k], StageHead.standardCoder(k)),
          weights[k]);
    }
    b.setMaskHead(new MaskHead(C, 2, M, K)).optSampling(64, 0.25).optPostprocess(0.05, 0.5, 10);
    if (semantic) {
      b.optSemanticHead(new SemanticHead(4, C, 1, K), 0.2);
    }
    return b.build();
  }

  static List<ShapeSpec> specs() {
    List<ShapeSpec> s = new ArrayList<>();
    for (int l = 0; l < 5; l++) {
      s.add(new ShapeSpec(C, 4 << l));
    }
    return s;
  }

  static List<NDArray> features(NDManager m, int size) {
    List<NDArray> f = new ArrayList<>();
    for (int l = 0; l < 5; l++) {
      int s = 4 << l;
      f.add(m.randomNormal(new Shape(1, C, (size + s - 1) / s, (size + s - 1) / s)));
    }
    return f;
  }

  /** Two GT instances on a 32 x 32 image: classes 1 and 2, masks filling their boxes. */
  static GtInstances gt(NDManager m) {
    float[] mask = new float[2 * 32 * 32];
    for (int y = 4; y < 20; y++) {
      for (int x = 2; x < 14; x++) {
        mask[y * 32 + x] = 1;
      }
    }
    for (int y = 16; y < 30; y++) {
      for (int x = 18; x < 30; x++) {
        mask[32 * 32 + y * 32 + x] = 1;
      }
    }
    return new GtInstances(new Boxes(m.create(new float[] {2, 4, 14, 20, 18, 16, 30, 30}, new Shape(2, 4))),
        m.create(new long[] {1, 2}), m.create(mask, new Shape(2, 32, 32)));
  }

  static Proposals proposals(NDManager m) {
    float[] b = {0, 0, 16, 16, 3, 5, 15, 19, 16, 16, 32, 32, 17, 15, 29, 31, 5, 5, 25, 25, 0, 20, 10, 32};
    return new Proposals(new Boxes(m.create(b, new Shape(6, 4))), m.create(new float[] {.9f, .8f, .7f, .6f, .5f, .4f}));
  }

  @Test
  void fastRcnnLossMatchesHandComputedValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(new float[] {1, 2, 0, 0.5f, 0, 0}, new Shape(2, 3));
      NDArray classes = m.create(new long[] {1, 0});
      double ce0 = -(2 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0)));
      double ce1 = -(0.5 - Math.log(Math.exp(0.5) + 2));
      assertEquals((ce0 + ce1) / 2, BoxLosses.classification(logits, classes).getFloat(), 1e-6);
      float[] d = new float[24];
      d[4] = 0.1f; // RoI 0, class 1: (0.1, 0, 0, 0.5)
      d[7] = 0.5f;
      d[12 + 1] = 7; // RoI 1 is background: its deltas do not count
      NDArray deltas = m.create(d, new Shape(2, 12));
      NDArray targets = m.zeros(new Shape(2, 4));
      double beta = 1.0 / 9;
      double want = (0.5 * 0.01 / beta + (0.5 - 0.5 * beta)) / 2; // summed over the positive, / N = 2
      assertEquals(want, BoxLosses.boxRegression(deltas, classes, targets).getFloat(), 1e-6);
      // class-agnostic deltas: the single set counts
      NDArray agnostic = m.create(new float[] {0.1f, 0, 0, 0.5f, 3, 3, 3, 3}, new Shape(2, 4));
      assertEquals(want, BoxLosses.boxRegression(agnostic, classes, targets).getFloat(), 1e-6);
    }
  }

  @Test
  void postprocessKeepsTheExpectedBoxes() {
    try (NDManager m = NDManager.newBaseManager()) {
      CascadeRoiHeads h = heads(1, true, false);
      // A and B overlap with IoU 0.81, C is apart
      NDArray boxes = m.create(new float[] {0, 0, 10, 10, 1, 1, 10, 10, 20, 20, 30, 30}, new Shape(3, 4));
      NDArray probs = m.create(new float[] {.1f, .8f, .1f, .2f, .7f, .1f, .3f, .02f, .68f}, new Shape(3, 3));
      Detections d = h.postprocess(boxes, probs, 32, 32);
      // class 1: A kept, B suppressed by A, C below the 0.05 threshold; class 2: C kept, A kept, B suppressed
      assertArrayEquals(new float[] {.8f, .68f, .1f}, d.scores().toFloatArray(), 1e-6f);
      assertArrayEquals(new long[] {1, 2, 2}, d.classes().toLongArray());
      assertArrayEquals(new float[] {0, 0, 10, 10, 20, 20, 30, 30, 0, 0, 10, 10}, d.boxes().tensor().toFloatArray());
      // class-specific boxes: class 2's box of C is taken from columns 8..11, and clipped to the image
      CascadeRoiHeads hs = heads(1, false, false);
      float[] b = new float[3 * 12];
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++) {
          System.arraycopy(boxes.get(r).toFloatArray(), 0, b, r * 12 + c * 4, 4);
        }
      }
      b[2 * 12 + 8 + 2] = 40; // C, class 2, x2 = 40 -> clipped to 32
      Detections ds = hs.postprocess(m.create(b, new Shape(3, 12)), probs, 32, 32);
      assertArrayEquals(new float[] {20, 20, 32, 30}, ds.boxes().tensor().get(1).toFloatArray());
    }
  }

  @Test
  void projectedMasksAreRoiAlignedCrops() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] mask = new float[64];
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 4; x++) {
          mask[y * 8 + x] = 1;
        }
      }
      NDArray gtMasks = m.zeros(new Shape(1, 8, 8)).concat(m.create(mask, new Shape(1, 8, 8)), 0);
      Boxes box = new Boxes(m.create(new float[] {0, 0, 8, 8}, new Shape(1, 4)));
      NDArray t = MaskLosses.projectMasks(gtMasks, m.create(new long[] {1}), box, 2);
      // bins of 4 x 4 px, 4 x 4 samples at 0.5, 1.5, 2.5, 3.5: the last one reads (1 + 0) / 2
      assertArrayEquals(new float[] {0.875f, 0, 0.875f, 0}, t.toFloatArray(), 1e-6f);
    }
  }

  @Test
  void maskLossMatchesHandComputedValue() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] l = new float[3 * 4];
      float[] ch2 = {2, -1, 0.5f, -3};
      System.arraycopy(ch2, 0, l, 8, 4);
      l[0] = 9; // other channels do not count
      l[4] = -9;
      NDArray logits = m.create(l, new Shape(1, 3, 2, 2));
      NDArray targets = m.create(new float[] {1, 0, 0, 1}, new Shape(1, 2, 2));
      double want = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1)) + (0.5 + Math.log1p(Math.exp(-0.5)))
          + (3 + Math.log1p(Math.exp(-3)))) / 4;
      assertEquals(want, MaskLosses.mask(logits, m.create(new long[] {2}), targets).getFloat(), 1e-5);
      NDArray none = MaskLosses.mask(m.zeros(new Shape(0, 3, 2, 2)), m.zeros(new Shape(0), DataType.INT64),
          m.zeros(new Shape(0, 2, 2)));
      assertEquals(0f, none.getFloat());
    }
  }

  @Test
  void semanticTargetIsTheUnionPerClassOnTheStrideGrid() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] a = new float[2 * 16 * 16];
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          a[y * 16 + x] = x < 8 ? 1 : 0; // instance 0 (class 1): left half
          a[256 + y * 16 + x] = y >= 8 ? 1 : 0; // instance 1 (class 2): bottom half
        }
      }
      NDArray t = SemanticHead.target(m.create(a, new Shape(2, 16, 16)), m.create(new long[] {1, 2}), 8, 2, 2);
      // samples at (0, 0), (0, 8), (8, 0), (8, 8); overlaps take the larger class id [U]
      assertArrayEquals(new long[] {1, 0, 2, 2}, t.toLongArray());
    }
  }

  @Test
  void singleStageTrainsWithAllLossesAndInfersMasks() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(5);
      CascadeRoiHeads h = heads(1, false, false);
      List<NDArray> f = features(m, 32);
      h.initialize(m, DataType.FLOAT32, f.get(0).getShape());
      ParameterStore ps = new ParameterStore(m, false);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        RoiOutput out = h.forward(ps, f, specs(), List.of(proposals(m)), List.of(gt(m)), 32, 32, true, new Random(1));
        LossTerms l = out.losses();
        assertEquals(List.of(LossNames.cls(0), LossNames.box(0), LossNames.MASK), List.copyOf(l.asMap().keySet()));
        assertTrue(out.detections().isEmpty());
        for (NDArray v : l.asMap().values()) {
          assertTrue(Float.isFinite(v.getFloat()) && v.getFloat() > 0);
        }
        gc.backward(l.sum());
      }
      RoiOutput inf = h.forward(ps, f, specs(), List.of(proposals(m)), null, 32, 32, false, new Random(1));
      assertTrue(inf.losses().isEmpty());
      Detections d = inf.detections().get(0);
      assertTrue(d.size() > 0 && d.size() <= 10);
      assertEquals(new Shape(d.size(), M, M), d.maskLogits().getShape());
      // the given-boxes path returns channel classes[i] of the mask head's logits for the same boxes
      NDArray all = h.maskHead().logits(ps, f.subList(0, 4), specs().subList(0, 4), List.of(d.boxes()), false);
      NDArray want = MaskLosses.pickClass(all, d.classes());
      assertTrue(want.sub(d.maskLogits()).abs().max().getFloat() < 1e-5f);
      assertThrows(IllegalArgumentException.class,
          () -> h.forward(ps, f, specs(), List.of(proposals(m)), null, 32, 32, true, new Random(1)));
      // a training and an inference pass in a scope leave nothing behind in the parent manager
      int before = m.getManagedArrays().size();
      try (NDManager s = m.newSubManager()) {
        List<NDArray> fs = features(s, 32);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(h.forward(ps, fs, specs(), List.of(proposals(s)), List.of(gt(s)), 32, 32, true, new Random(2))
              .losses().sum());
        }
        h.forward(ps, fs, specs(), List.of(proposals(s)), null, 32, 32, false, new Random(2));
      }
      assertEquals(before, m.getManagedArrays().size());
    }
  }

  @Test
  void threeStageCascadeWithSemanticHead() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(6);
      CascadeRoiHeads h = heads(3, true, true);
      List<NDArray> f = features(m, 32);
      h.initialize(m, DataType.FLOAT32, f.get(0).getShape());
      ParameterStore ps = new ParameterStore(m, false);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        RoiOutput out = h.forward(ps, f, specs(), List.of(proposals(m)), List.of(gt(m)), 32, 32, true, new Random(1));
        LossTerms l = out.losses();
        assertEquals(List.of("loss_cls_stage0", "loss_box_stage0", "loss_cls_stage1", "loss_box_stage1",
            "loss_cls_stage2", "loss_box_stage2", "loss_mask", "loss_semantic"), List.copyOf(l.asMap().keySet()));
        // stage weights 1, 0.5, 0.25 on near-uniform initial classifiers: CE ~ log 3 times the weight
        assertEquals(Math.log(3), l.get(LossNames.cls(0)).getFloat(), 0.05);
        assertEquals(0.5 * Math.log(3), l.get(LossNames.cls(1)).getFloat(), 0.05);
        assertEquals(0.25 * Math.log(3), l.get(LossNames.cls(2)).getFloat(), 0.05);
        gc.backward(l.sum());
      }
      Detections d = h.forward(ps, f, specs(), List.of(proposals(m)), null, 32, 32, false, new Random(1))
          .detections().get(0);
      assertEquals(d.size(), d.maskLogits().getShape().get(0));
      assertThrows(IllegalArgumentException.class, () -> heads(2, false, false));
    }
  }

  @Test
  void transposedConvPlacesEachInputPixelInItsOwn2x2Window() {
    try (NDManager m = NDManager.newBaseManager()) {
      ConvTranspose2x2 t = new ConvTranspose2x2(1);
      t.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 2));
      // W[c = 0, o = 0] = [[1, 0], [0, 0]], W[c = 1, o = 0] = [[0, 0], [0, 1]]
      t.getParameters().get("weight").getArray().set(new float[] {1, 0, 0, 0, 0, 0, 0, 1});
      t.getParameters().get("bias").getArray().set(new float[] {0.5f});
      NDArray x = m.create(new float[] {1, 3, 2, 4}, new Shape(1, 2, 1, 2)); // channel 0: (1, 3), channel 1: (2, 4)
      NDArray y = t.forward(new ParameterStore(m, false), new ai.djl.ndarray.NDList(x), false).singletonOrThrow();
      assertEquals(new Shape(1, 1, 2, 4), y.getShape());
      assertArrayEquals(new float[] {1.5f, .5f, 3.5f, .5f, .5f, 2.5f, .5f, 4.5f}, y.toFloatArray(), 1e-6f);
    }
  }

  @Test
  void noGtAndNoProposalsAreHandled() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(8);
      CascadeRoiHeads h = heads(2, true, true);
      List<NDArray> f = features(m, 32);
      h.initialize(m, DataType.FLOAT32, f.get(0).getShape());
      ParameterStore ps = new ParameterStore(m, false);
      GtInstances none = new GtInstances(new Boxes(m.zeros(new Shape(0, 4))), m.zeros(new Shape(0), DataType.INT64),
          m.zeros(new Shape(0, 32, 32)));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        LossTerms l = h.forward(ps, f, specs(), List.of(proposals(m)), List.of(none), 32, 32, true, new Random(1))
            .losses();
        // every RoI is background: no box or mask loss, but the terms exist and backpropagate
        assertEquals(0f, l.get(LossNames.box(0)).getFloat());
        assertEquals(0f, l.get(LossNames.MASK).getFloat());
        assertTrue(l.get(LossNames.cls(0)).getFloat() > 0);
        gc.backward(l.sum());
      }
      Proposals empty = new Proposals(new Boxes(m.zeros(new Shape(0, 4))), m.zeros(new Shape(0)));
      Detections d = h.forward(ps, f, specs(), List.of(empty), null, 32, 32, false, new Random(1)).detections().get(0);
      assertEquals(0, d.size());
      assertEquals(new Shape(0, M, M), d.maskLogits().getShape());
    }
  }

  @Test
  void scaleGradientIsIdentityForwardAndScalesBackward() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, -2, 3});
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = CascadeRoiHeads.scaleGradient(x, 1.0 / 3);
        assertArrayEquals(new float[] {1, -2, 3}, y.toFloatArray(), 1e-6f);
        gc.backward(y.mul(2).sum());
      }
      assertArrayEquals(new float[] {2f / 3, 2f / 3, 2f / 3}, x.getGradient().toFloatArray(), 1e-6f);
    }
  }
}
