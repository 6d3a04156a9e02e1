package org.maskprop.model.propagation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.config.PropagationConfig;
import org.maskprop.config.PropagationConfig.MaskSource;
import org.maskprop.ops.ShapeSpec;

class MaskPropagationHeadTest {
  private static final int C = 8;
  private static final int STRIDE = 8;
  private static final int GRID = 6;
  private static final int FRAME = GRID * STRIDE;

  private static MaskPropagationHead head(NDManager m, long n) {
    MaskPropagationHead head =
        MaskPropagationHead.of(
            new PropagationConfig(6, List.of(1, 2), true, 1.0, MaskSource.GT, 1.0), new ShapeSpec(C, STRIDE));
    Shape f = new Shape(1, C, GRID, GRID);
    head.initialize(m, DataType.FLOAT32, f, f, new Shape(n, FRAME, FRAME));
    return head;
  }

  private static NDArray features(NDManager m) {
    return m.randomNormal(new Shape(1, C, GRID, GRID));
  }

  /** Random blob-ish frame masks in [0, 1]. */
  private static NDArray frameMasks(NDManager m, long n) {
    return m.randomUniform(0f, 1f, new Shape(n, FRAME, FRAME)).gt(0.6).toType(DataType.FLOAT32, false);
  }

  private static Parameter param(Block b, String name) {
    return b.getParameters().get(name);
  }

  @Test
  void shapesAndBackgroundSoftmaxForOneAndThreeInstances() {
    for (int n : new int[] {1, 3}) {
      try (NDManager m = NDManager.newBaseManager()) {
        m.getEngine().setRandomSeed(11);
        MaskPropagationHead head = head(m, n);
        ParameterStore ps = new ParameterStore(m, false);
        NDArray fT = features(m);
        NDArray fTp = features(m);
        NDArray masksT = frameMasks(m, n);
        PropagatedMasks out = head.propagate(ps, fT, fTp, masksT, FRAME, FRAME, false);
        // The DJL adapter gives the same masks (frame size taken from the frame-resolution masks).
        NDList adapted = head.forward(ps, new NDList(fT, fTp, masksT), false);
        assertClose(out.masks(), adapted.singletonOrThrow(), 1e-6, "adapter");
        assertEquals(out.masks().getShape(), head.getOutputShapes(new NDList(fT, fTp, masksT).getShapes())[0]);
        assertEquals(new Shape(n, FRAME, FRAME), out.masks().getShape());
        assertEquals(new Shape(n, GRID, GRID), out.gridMasks().getShape());
        assertEquals(new Shape(n, GRID, GRID), out.instanceProbabilities().getShape());
        assertEquals(new Shape(1, GRID, GRID), out.attention().getShape());
        NDArray p = out.instanceProbabilities();
        assertTrue(p.gt(0).all().getBoolean() && p.lt(1).all().getBoolean(), "instance probabilities in (0, 1)");
        // The background slot takes the rest: strictly between 0 and 1 at every cell.
        NDArray background = p.sum(new int[] {0}).neg().add(1);
        assertTrue(background.gt(0).all().getBoolean() && background.lt(1).all().getBoolean());
        float[] masks = out.masks().toFloatArray();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : masks) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        assertTrue(min >= 0 && max <= 1 && max - min > 1e-3, "n = " + n + ": masks vary, range " + min + ".." + max);
      }
    }
  }

  @Test
  void oneInstanceIsNotIdenticallyOneAndHasAGradient() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      MaskPropagationHead head = head(m, 1);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray masks = frameMasks(m, 1);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        PropagationOutput out =
            head.propagateWithLoss(ps, features(m), features(m), masks, masks, FRAME, FRAME, true);
        assertTrue(out.propagated().instanceProbabilities().lt(0.999).any().getBoolean());
        assertEquals(List.of(MaskPropagationHead.LOSS_PROP), List.copyOf(out.losses().asMap().keySet()));
        gc.backward(out.loss());
      }
      assertTrue(head.backgroundLogit().getArray().getGradient().abs().getFloat() > 0);
      assertTrue(param(head.maskLogitsConv(), "weight").getArray().getGradient().abs().sum().getFloat() > 0);
    }
  }

  @Test
  void softmaxWithoutBackgroundSlotIsIdenticallyOneForOneInstance() {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskPropagationHead head =
          MaskPropagationHead.builder()
              .setFeatureShape(new ShapeSpec(C, STRIDE))
              .optResidualChannels(4)
              .optDilations(List.of(1))
              .optBackgroundSlot(false)
              .build();
      Shape f = new Shape(1, C, GRID, GRID);
      head.initialize(m, DataType.FLOAT32, f, f, new Shape(1, GRID, GRID));
      PropagatedMasks out =
          head.propagate(new ParameterStore(m, false), features(m), features(m), m.ones(new Shape(1, GRID, GRID)),
              FRAME, FRAME, false);
      assertTrue(out.instanceProbabilities().eq(1).all().getBoolean(), "the degenerate case the slot avoids");
    }
  }

  /**
   * At initialisation the offsets are zero, so each deformable level is a plain dilated conv with the
   * same weights; the grid output then equals a reference built from DJL conv2d, explicit
   * exponentials for the background softmax and the sigmoid attention.
   */
  @Test
  void zeroOffsetsAtInitGiveThePlainDilatedConvPath() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(5);
      int n = 3;
      MaskPropagationHead head = head(m, n);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray fT = features(m);
      NDArray fTp = features(m);
      NDArray gridMasks = m.randomUniform(0f, 1f, new Shape(n, GRID, GRID));
      // Non-trivial background logit, so the reference must place it right.
      head.backgroundLogit().getArray().set(new float[] {0.7f});

      NDList offsets = head.offsets(ps, fT, fTp, false);
      assertEquals(2, offsets.size());
      for (NDArray o : offsets) {
        assertEquals(new Shape(1, 18, GRID, GRID), o.getShape());
        assertEquals(0f, o.abs().max().getFloat());
      }
      NDArray g = gridMasks.expandDims(1).mul(fT); // [n, C, h, w]
      NDArray expectedWarp = null;
      List<Integer> dil = head.dilations();
      for (int i = 0; i < dil.size(); i++) {
        int d = dil.get(i);
        NDArray level =
            Conv2d.conv2d(g, param(head.deformConv(i), "weight").getArray(), param(head.deformConv(i), "bias").getArray(),
                    new Shape(1, 1), new Shape(d, d), new Shape(d, d))
                .singletonOrThrow();
        expectedWarp = expectedWarp == null ? level : expectedWarp.add(level);
      }
      NDArray warp = head.warp(ps, g, offsets, false);
      assertClose(expectedWarp, warp, 1e-5, "warp");

      NDArray logits =
          Conv2d.conv2d(expectedWarp.add(fTp), param(head.maskLogitsConv(), "weight").getArray(),
                  param(head.maskLogitsConv(), "bias").getArray())
              .singletonOrThrow()
              .reshape(n, GRID, GRID);
      NDArray e = logits.exp();
      NDArray probs = e.div(e.sum(new int[] {0}).add(Math.exp(0.7)));
      NDArray attention =
          Conv2d.conv2d(fTp, param(head.attentionConv(), "weight").getArray(), param(head.attentionConv(), "bias").getArray())
              .singletonOrThrow()
              .neg()
              .exp()
              .add(1)
              .pow(-1)
              .reshape(1, GRID, GRID);
      PropagatedMasks out = head.propagate(ps, fT, fTp, gridMasks, FRAME, FRAME, false);
      assertClose(probs, out.instanceProbabilities(), 1e-5, "softmax with background");
      assertClose(attention, out.attention(), 1e-6, "attention");
      assertClose(probs.mul(attention), out.gridMasks(), 1e-5, "grid masks");
    }
  }

  @Test
  void aTrainerWideWeightInitializerKeepsTheOffsetsAtZero() {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskPropagationHead head =
          MaskPropagationHead.builder().setFeatureShape(new ShapeSpec(C, STRIDE)).optResidualChannels(4).build();
      // What DJL's Trainer does with a configured initializer: set it on every weight.
      head.setInitializer(new ai.djl.training.initializer.NormalInitializer(1f), Parameter.Type.WEIGHT);
      Shape f = new Shape(1, C, GRID, GRID);
      head.initialize(m, DataType.FLOAT32, f, f, new Shape(1, GRID, GRID));
      for (NDArray o : head.offsets(new ParameterStore(m, false), features(m), features(m), false)) {
        assertEquals(0f, o.abs().max().getFloat());
      }
      assertTrue(param(head.deformConv(0), "weight").getArray().abs().sum().getFloat() > 0);
    }
  }

  @Test
  void gradientsReachEveryPart() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(7);
      int n = 2;
      MaskPropagationHead head = head(m, n);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray fT = features(m);
      NDArray fTp = features(m);
      NDArray masks = frameMasks(m, n);
      NDArray gt = frameMasks(m, n);
      List<Block> parts = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < head.dilations().size(); i++) {
        parts.add(head.offsetConv(i));
        names.add("offsets " + i);
        parts.add(head.deformConv(i));
        names.add("deform " + i);
      }
      parts.add(head.maskLogitsConv());
      names.add("mask logits");
      parts.add(head.attentionConv());
      names.add("attention");
      assertAllNonZero(head, ps, fT, fTp, masks, gt, parts, names);
      // The residual block reaches the loss through the offset convs, which start at zero (so its
      // gradient is zero so far): with non-zero offset weights its gradients are non-zero too.
      for (int i = 0; i < head.dilations().size(); i++) {
        NDArray w = param(head.offsetConv(i), "weight").getArray();
        w.addi(m.randomNormal(0f, 0.1f, w.getShape(), DataType.FLOAT32));
      }
      assertAllNonZero(head, ps, fT, fTp, masks, gt, head.residualConvs(), List.of("res conv1", "res conv2", "shortcut"));
    }
  }

  private static void assertAllNonZero(
      MaskPropagationHead head, ParameterStore ps, NDArray fT, NDArray fTp, NDArray masks, NDArray gt,
      List<Block> parts, List<String> names) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(head.propagateWithLoss(ps, fT, fTp, masks, gt, FRAME, FRAME, true).loss());
    }
    for (int i = 0; i < parts.size(); i++) {
      for (String p : new String[] {"weight", "bias"}) {
        float g = param(parts.get(i), p).getArray().getGradient().abs().sum().getFloat();
        assertTrue(g > 0 && Float.isFinite(g), names.get(i) + " " + p + " gradient " + g);
      }
    }
  }

  @Test
  void repeatedForwardBackwardKeepsTheArrayCountFlat() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(9);
      int n = 2;
      MaskPropagationHead head = head(m, n);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray fT = features(m);
      NDArray fTp = features(m);
      NDArray masks = frameMasks(m, n);
      NDArray gt = frameMasks(m, n);
      int before = -1;
      for (int i = 0; i < 6; i++) {
        try (NDManager step = m.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray a = fT.duplicate();
          a.attach(step);
          PropagationOutput out = head.propagateWithLoss(ps, a, fTp, masks, gt, FRAME, FRAME, true);
          gc.backward(out.loss());
        }
        int count = m.getManagedArrays().size();
        if (i == 0) {
          before = count;
        }
        assertEquals(before, count, "iteration " + i);
      }
    }
  }

  @Test
  void rejectsMisshapedInputs() {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskPropagationHead head = head(m, 1);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray f = features(m);
      assertThrows(IllegalArgumentException.class,
          () -> head.propagate(ps, f, f, m.ones(new Shape(1, 7, 7)), FRAME, FRAME, false));
      assertThrows(IllegalArgumentException.class,
          () -> head.propagate(ps, f, m.ones(new Shape(1, C, GRID + 1, GRID)), m.ones(new Shape(1, GRID, GRID)),
              FRAME, FRAME, false));
      assertThrows(IllegalArgumentException.class,
          () -> head.propagate(ps, f, f, m.ones(new Shape(1, GRID, GRID)), FRAME + STRIDE, FRAME, false));
      assertThrows(IllegalArgumentException.class,
          () -> MaskPropagationHead.builder().setFeatureShape(new ShapeSpec(C, STRIDE)).optDilations(List.of()).build());
    }
  }

  @Test
  void noInstancesGiveEmptyMasksAndAZeroLoss() {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskPropagationHead head = head(m, 1);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray f = features(m);
      NDArray none = m.zeros(new Shape(0, FRAME, FRAME));
      PropagationOutput out = head.propagateWithLoss(ps, f, f, none, none, FRAME, FRAME, false);
      assertEquals(new Shape(0, FRAME, FRAME), out.propagated().masks().getShape());
      assertEquals(0f, out.loss().getFloat());
    }
  }

  private static void assertClose(NDArray expected, NDArray actual, double atol, String what) {
    assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), what + ": shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      assertTrue(Math.abs(e[i] - a[i]) <= atol + 1e-5 * Math.abs(e[i]),
          what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
    }
  }
}
