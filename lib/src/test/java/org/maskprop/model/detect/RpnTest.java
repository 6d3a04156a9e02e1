package org.maskprop.model.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.maskprop.config.TrainTest;
import org.maskprop.ops.AnchorGenerator;
import org.maskprop.ops.BoxOps;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.LossNames;
import org.maskprop.ops.LossTerms;
import org.maskprop.ops.ShapeSpec;

class RpnTest {
  static final int C = 8;

  static List<ShapeSpec> specs(int levels) {
    List<ShapeSpec> s = new ArrayList<>();
    for (int l = 0; l < levels; l++) {
      s.add(new ShapeSpec(C, 4 << l));
    }
    return s;
  }

  static Rpn rpn(int levels, int pre, int post) {
    return rpn(levels, pre, post, 8);
  }

  static Rpn rpn(int levels, int pre, int post, int baseSize) {
    List<double[]> sizes = new ArrayList<>();
    List<double[]> ratios = new ArrayList<>();
    for (int l = 0; l < levels; l++) {
      sizes.add(new double[] {baseSize << l});
      ratios.add(new double[] {0.5, 1, 2});
    }
    AnchorGenerator gen = new AnchorGenerator(sizes, ratios);
    return new Rpn(new RpnHead(C, 3), gen, new TrainTest<>(pre, pre), new TrainTest<>(post, post), 0.7, 0.7, 0.3,
        256, 0.5);
  }

  /** P2..P(levels+1) of a size x size image: [B, C, ceil(size / s), ceil(size / s)]. */
  static List<NDArray> features(NDManager m, int batch, int size, int levels) {
    List<NDArray> f = new ArrayList<>();
    for (int l = 0; l < levels; l++) {
      int s = 4 << l;
      f.add(m.randomNormal(new Shape(batch, C, (size + s - 1) / s, (size + s - 1) / s)));
    }
    return f;
  }

  @Test
  void headOutputsPerLevelAndProposalsAreSortedClippedAndBounded() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(1);
      Rpn rpn = rpn(5, 50, 20);
      List<NDArray> f = features(m, 2, 64, 5);
      rpn.initialize(m, DataType.FLOAT32, f.get(0).getShape());
      ParameterStore ps = new ParameterStore(m, false);
      NDList raw = rpn.forward(ps, new NDList(f), false);
      assertEquals(10, raw.size());
      for (int l = 0; l < 5; l++) {
        long g = f.get(l).getShape().get(2);
        assertEquals(new Shape(2, 3, g, g), raw.get(l).getShape());
        assertEquals(new Shape(2, 12, g, g), raw.get(5 + l).getShape());
      }
      RpnOutput out = rpn.forward(ps, f, specs(5), 64, 60, null, false, new Random(0));
      assertTrue(out.losses().isEmpty());
      assertEquals(2, out.proposals().size());
      for (Proposals p : out.proposals()) {
        assertTrue(p.size() > 0 && p.size() <= 20, "post-NMS budget: " + p.size());
        float[] s = p.objectness().toFloatArray();
        for (int i = 1; i < s.length; i++) {
          assertTrue(s[i] <= s[i - 1], "sorted by objectness");
        }
        float[] b = p.boxes().tensor().toFloatArray();
        for (int i = 0; i < b.length; i += 4) {
          assertTrue(b[i] >= 0 && b[i + 2] <= 60 && b[i + 1] >= 0 && b[i + 3] <= 64, "clipped");
          assertTrue(b[i + 2] - b[i] > Rpn.MIN_SIZE && b[i + 3] - b[i + 1] > Rpn.MIN_SIZE, "no empty box");
        }
      }
    }
  }

  @Test
  void oneLevelProposalsAreNmsed() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(2);
      Rpn rpn = rpn(1, 1000, 1000, 32); // 32-pixel anchors every 4 pixels: neighbours overlap with IoU 0.78
      List<NDArray> f = features(m, 1, 32, 1);
      rpn.initialize(m, DataType.FLOAT32, f.get(0).getShape());
      RpnOutput out = rpn.forward(new ParameterStore(m, false), f, specs(1), 32, 32, null, false, new Random(0));
      Boxes b = out.proposals().get(0).boxes();
      // anchors of 3 ratios at 64 locations; the survivors of NMS at 0.7 overlap pairwise at most 0.7
      assertTrue(b.size() < 8 * 8 * 3, "NMS removed nothing: " + b.size());
      float[] iou = BoxOps.pairwiseIou(b, b).toFloatArray();
      int n = (int) b.size();
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          assertTrue(i == j || iou[i * n + j] <= 0.7f + 1e-6f, "IoU " + iou[i * n + j]);
        }
      }
    }
  }

  @Test
  void lossesOnTwoAnchorsMatchHandComputedValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      Rpn rpn = rpn(1, 10, 10);
      Boxes anchors = new Boxes(m.create(new float[] {0, 0, 10, 10, 20, 20, 30, 30}, new Shape(2, 4)));
      Boxes gt = new Boxes(m.create(new float[] {0, 0, 10, 10}, new Shape(1, 4)));
      NDArray logits = m.create(new float[] {2, -1}, new Shape(1, 2));
      NDArray deltas = m.create(new float[] {0.1f, 0, 0.05f, -0.2f, 9, 9, 9, 9}, new Shape(1, 2, 4));
      NDArray[] l = rpn.losses(anchors, logits, deltas, List.of(gt), new Random(0));
      // anchor 0 is positive (IoU 1), anchor 1 negative (IoU 0); both sampled
      double bce = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2;
      double beta = 1.0 / 9;
      double box = (0.5 * 0.01 / beta + 0 + 0.5 * 0.0025 / beta + (0.2 - 0.5 * beta)) / 2; // target 0, 2 sampled
      assertEquals(bce, l[0].getFloat(), 1e-6);
      assertEquals(box, l[1].getFloat(), 1e-6);
    }
  }

  @Test
  void trainingReturnsBothLossesWithGradientAndNeedsTargets() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      Rpn rpn = rpn(2, 100, 50);
      List<NDArray> f = features(m, 1, 32, 2);
      rpn.initialize(m, DataType.FLOAT32, f.get(0).getShape());
      ParameterStore ps = new ParameterStore(m, false);
      Boxes gt = new Boxes(m.create(new float[] {4, 4, 20, 24}, new Shape(1, 4)));
      assertThrows(IllegalArgumentException.class,
          () -> rpn.forward(ps, f, specs(2), 32, 32, null, true, new Random(0)));
      try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        RpnOutput out = rpn.forward(ps, f, specs(2), 32, 32, List.of(gt), true, new Random(0));
        LossTerms l = out.losses();
        assertTrue(l.get(LossNames.RPN_BOX_REG).getFloat() > 0);
        gc.backward(l.sum());
        NDArray g = rpn.head().getParameters().get("02cls_logits_weight").getArray().getGradient();
        assertTrue(g.abs().sum().getFloat() > 0);
      }
      // a training pass in a scope leaves nothing behind in the parent manager
      int before = m.getManagedArrays().size();
      try (NDManager s = m.newSubManager()) {
        List<NDArray> fs = features(s, 1, 32, 2);
        Boxes gs = new Boxes(s.create(new float[] {4, 4, 20, 24}, new Shape(1, 4)));
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
          gc.backward(rpn.forward(ps, fs, specs(2), 32, 32, List.of(gs), true, new Random(0)).losses().sum());
        }
      }
      assertEquals(before, m.getManagedArrays().size());
    }
  }
}
