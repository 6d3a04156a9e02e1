package org.maskprop.model;

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
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.FramePair;
import org.maskprop.data.FrameTargets;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.PairBatch;
import org.maskprop.model.propagation.PropagatedMasks;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.LossNames;
import org.maskprop.ops.LossTerms;

/**
 * The assembled model built by {@link ModelFactory} from the cpu-tiny preset (anchors and budgets
 * shrunk for a 64 x 64 frame) on a hand-built pair: a bright square (class 1) and a grey rectangle
 * (class 2) that move by a few pixels between t and t'.
 */
class VideoMaskRcnnTest {
  static final int SIZE = 64;

  /** Two objects; frame t' shifts both by (dx, dy) = (3, 2). */
  static final int[][] BOXES_T = {{8, 8, 28, 28}, {30, 36, 58, 60}};

  static final List<String> TINY = List.of("rpn.anchorSizes=[8, 16, 32, 64, 128]",
      "rpn.preNmsTopN.train=100", "rpn.preNmsTopN.test=100", "rpn.postNmsTopN.train=30",
      "rpn.postNmsTopN.test=30", "rpn.batchSizePerImage=64", "roiHeads.batchSizePerImage=32",
      "backbone.fpnChannels=16");

  static MaskPropConfig config(String... extra) {
    List<String> sets = new ArrayList<>(TINY);
    sets.addAll(List.of(extra));
    return MaskPropConfig.fromPreset("cpu-tiny", sets);
  }

  @Test
  void forwardTrainGivesEveryLossFiniteWithGradientsInEveryPart() {
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(config(), m, SIZE, SIZE);
      ParameterStore ps = new ParameterStore(m, false);
      try (NDManager step = m.newSubManager(); PairBatch batch = pair(step, 0, 3, 2);
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        LossTerms losses = model.forwardTrain(ps, batch);
        assertEquals(List.of(LossNames.RPN_OBJECTNESS, LossNames.RPN_BOX_REG, LossNames.cls(0), LossNames.box(0),
            LossNames.MASK, LossNames.PROP, LossNames.TRACK), List.copyOf(losses.asMap().keySet()));
        for (Map.Entry<String, NDArray> e : losses.asMap().entrySet()) {
          float v = e.getValue().getFloat();
          assertEquals(0, e.getValue().getShape().dimension(), e.getKey());
          assertTrue(Float.isFinite(v) && v >= 0, e.getKey() + " = " + v);
        }
        // L_prop is (1/n) sum (1 - sIoU): in [0, 1] before weighting (weight 1 in cpu-tiny)
        assertTrue(losses.get(LossNames.PROP).getFloat() <= 1);
        gc.backward(losses.sum());
      }
      for (Pair<String, Block> child : model.getChildren()) {
        double sum = 0;
        for (Pair<String, Parameter> p : child.getValue().getParameters()) {
          if (p.getValue().requiresGradient()) {
            float g = p.getValue().getArray().getGradient().abs().sum().getFloat();
            assertTrue(Float.isFinite(g), p.getKey());
            sum += g;
          }
        }
        assertTrue(sum > 0, "no gradient reaches " + child.getKey());
      }
      // the propagation branch's deformable convs and logits get gradient from L_prop alone
      assertTrue(gradient(model.propagation(), "deform") > 0);
      assertTrue(gradient(model.propagation(), "mask_logits") > 0);
      assertTrue(gradient(model.backbone(), "body") > 0);
    }
  }

  @Test
  void propagationRunsOnTheConfiguredLevel() {
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(config("propagation.level=p2", "track.enabled=false"), m, SIZE, SIZE);
      assertEquals("p2", model.propagationLevel());
      assertEquals(4, model.propagation().stride());
      ParameterStore ps = new ParameterStore(m, false);
      try (NDManager step = m.newSubManager(); PairBatch batch = pair(step, 0, 3, 2);
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        LossTerms losses = model.forwardTrain(ps, batch);
        float prop = losses.get(LossNames.PROP).getFloat();
        assertTrue(prop > 0 && prop <= 1, "loss_prop " + prop);
        gc.backward(losses.sum());
        assertTrue(gradient(model.propagation(), "deform") > 0);
      }
      try (NDManager frame = m.newSubManager()) {
        FrameOutput out = model.detect(ps, frame.randomUniform(0, 1, new Shape(3, SIZE, SIZE)));
        assertEquals("p2", out.propagationLevel());
        assertEquals(new Shape(1, 16, SIZE / 4, SIZE / 4), out.p3().getShape()); // fpnChannels 16, stride 4
      }
      assertEquals("p3", ModelFactory.build(config(), m, SIZE, SIZE).propagationLevel()); // the paper's level
    }
  }

  @Test
  void detectingBothFramesAveragesEachDetectorTermOverTheTwoFrames() {
    try (NDManager m = NDManager.newBaseManager()) {
      // the same weights (same seed) with and without t' in the detector losses; the second model's
      // detector terms on a pair whose t' equals t (no shift) must equal the first's on t alone
      VideoMaskRcnn one = ModelFactory.build(config("track.enabled=false"), m, SIZE, SIZE);
      VideoMaskRcnn both = ModelFactory.build(config("track.enabled=false", "train.detectBothFrames=true"), m, SIZE,
          SIZE);
      ParameterStore ps = new ParameterStore(m, false);
      for (Pair<String, Parameter> p : both.getParameters()) {
        p.getValue().getArray().set(one.getParameters().get(p.getKey()).getArray().toFloatArray());
      }
      try (NDManager step = m.newSubManager(); PairBatch still = pair(step, 0, 0, 0);
          PairBatch moved = pair(step, 0, 3, 2)) {
        LossTerms a = one.forwardTrain(ps, still);
        LossTerms b = both.forwardTrain(ps, still);
        LossTerms c = both.forwardTrain(ps, moved);
        for (String term : List.of(LossNames.RPN_OBJECTNESS, LossNames.cls(0), LossNames.MASK)) {
          // samplers draw differently for the second frame, so equal within sampling noise only: the
          // mean of two draws on the same frame stays near one draw
          float va = a.get(term).getFloat();
          float vb = b.get(term).getFloat();
          assertTrue(Math.abs(va - vb) < 0.5 * Math.max(va, 0.05), term + ": " + va + " vs " + vb);
          assertTrue(Float.isFinite(c.get(term).getFloat()), term);
        }
        assertEquals(List.copyOf(a.asMap().keySet()), List.copyOf(b.asMap().keySet()));
      }
    }
  }

  @Test
  void semanticHeadAndCascadeAddTheirTerms() {
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(config("roiHeads.semanticHead=true", "roiHeads.stages=2",
          "roiHeads.stageIous=[0.5, 0.6]", "roiHeads.stageLossWeights=[1.0, 0.5]",
          "propagation.lossWeight=0.5"), m, SIZE, SIZE);
      ParameterStore ps = new ParameterStore(m, false);
      try (NDManager step = m.newSubManager(); PairBatch batch = pair(step, 0, 3, 2)) {
        LossTerms losses = model.forwardTrain(ps, batch);
        assertEquals(List.of(LossNames.RPN_OBJECTNESS, LossNames.RPN_BOX_REG, LossNames.cls(0), LossNames.box(0),
            LossNames.cls(1), LossNames.box(1), LossNames.MASK, LossNames.SEMANTIC, LossNames.PROP, LossNames.TRACK),
            List.copyOf(losses.asMap().keySet()));
        // weight 0.5 on a term in [0, 1]
        float prop = losses.get(LossNames.PROP).getFloat();
        assertTrue(prop > 0 && prop <= 0.5f, "loss_prop " + prop);
      }
    }
  }

  @Test
  void twentySgdStepsLowerTheLossWithoutLeakingArraysThenDetectAndPropagate() {
    // detector and propagation only: whether 20 steps already give a detection above the score
    // threshold depends on the trajectory; joint training with the tracking head: VideoMaskRcnnTrackTest
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(config("track.enabled=false"), m, SIZE, SIZE);
      ParameterStore ps = new ParameterStore(m, false);
      List<Parameter> params = new ArrayList<>();
      for (Pair<String, Parameter> p : model.getParameters()) {
        if (p.getValue().requiresGradient()) {
          params.add(p.getValue());
        }
      }
      float lr = 0.02f;
      List<Float> totals = new ArrayList<>();
      List<Float> props = new ArrayList<>();
      int arrays = -1;
      for (int step = 0; step < 20; step++) {
        try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, step, 3, 2)) {
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            LossTerms losses = model.forwardTrain(ps, batch);
            NDArray total = losses.sum();
            totals.add(total.getFloat());
            props.add(losses.get(LossNames.PROP).getFloat());
            gc.backward(total);
          }
          for (Parameter p : params) { // plain SGD; getGradient() makes a new handle each call: close it
            NDArray w = p.getArray();
            try (NDArray g = w.getGradient(); NDArray update = g.mul(lr)) {
              w.subi(update);
              g.subi(g);
            }
          }
        }
        int count = m.getManagedArrays().size(); // parameters and their gradients only
        if (step == 0) {
          arrays = count;
        }
        assertEquals(arrays, count, "arrays left after step " + step);
      }
      assertTrue(totals.stream().allMatch(Float::isFinite), totals.toString());
      float first = (totals.get(0) + totals.get(1) + totals.get(2)) / 3;
      float last = (totals.get(17) + totals.get(18) + totals.get(19)) / 3;
      assertTrue(last < 0.8f * first, "loss did not fall: " + totals);
      // the propagation branch learns too (L_prop alone, measured: 0.98 -> 0.44)
      assertTrue(props.get(19) < 0.8f * props.get(0), "loss_prop did not fall: " + props);

      try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, 0, 3, 2)) {
        FrameOutput t = model.detect(ps, batch.frameT());
        FrameOutput tPrime = model.detect(ps, batch.frameTPrime());
        assertEquals(List.of("p2", "p3", "p4", "p5", "p6"), List.copyOf(t.features().keySet()));
        assertEquals(new Shape(1, 16, SIZE / 8, SIZE / 8), t.p3().getShape());
        long n = t.detections().size();
        assertTrue(n > 0, "no detections after training");
        assertEquals(new Shape(n, 14, 14), t.detections().maskLogits().getShape());
        PropagatedMasks p = model.propagate(ps, t, tPrime);
        assertEquals(new Shape(n, SIZE, SIZE), p.masks().getShape());
        NDArray gtT = batch.targetsT().masks().toType(DataType.FLOAT32, false);
        PropagatedMasks q = model.propagate(ps, t, tPrime, gtT);
        assertEquals(new Shape(2, SIZE, SIZE), q.masks().getShape());
        float max = q.masks().max().getFloat();
        assertTrue(q.masks().min().getFloat() >= 0 && max <= 1, "probabilities expected, max " + max);
        // inference leaves no array behind beyond what it returns
        int before = s.getManagedArrays().size();
        model.detect(ps, batch.frameT());
        int added = s.getManagedArrays().size() - before;
        assertEquals(5 + 4, added, "features (5) and detection fields (4) only");
      }
    }
  }

  @Test
  void framesOfAnySizeTrainAndDetect() {
    // 64 x 85: what cpu-tiny's resize makes of a 480 x 640 video; neither side a multiple of 32
    int h = 64;
    int w = 85;
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(config(), m, h, w);
      ParameterStore ps = new ParameterStore(m, false);
      try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, 0, 3, 2, h, w)) {
        LossTerms losses = model.forwardTrain(ps, batch);
        assertTrue(losses.asMap().values().stream().allMatch(v -> Float.isFinite(v.getFloat())), losses.toString());
        FrameOutput t = model.detect(ps, batch.frameT());
        assertEquals(new Shape(1, 16, 8, 11), t.p3().getShape()); // ceil(H / 8), ceil(W / 8)
        assertEquals(h, t.height());
        assertEquals(w, t.width());
        PropagatedMasks p = model.propagate(ps, t, model.detect(ps, batch.frameTPrime()));
        assertEquals(new Shape(t.detections().size(), h, w), p.masks().getShape());
        // the DJL adapter gives the same detections as detect()
        NDList out = model.forward(ps, new NDList(batch.frameT()), false);
        assertEquals(4, out.size());
        assertEquals(t.detections().boxes().tensor().getShape(), out.get(0).getShape());
        assertTrue(t.detections().scores().eq(out.get(1)).all().getBoolean());
        assertThrows(UnsupportedOperationException.class, () -> model.forward(ps, new NDList(batch.frameT()), true));
      }
    }
  }

  @Test
  void everyOptionalBranchKeepsTheArrayCountFlat() {
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(config("propagation.trainWith=PREDICTED", "refine.enabled=true",
          "refine.patchSize=16", "refine.channels=8", "roiHeads.semanticHead=true", "roiHeads.stages=2",
          "roiHeads.stageIous=[0.5, 0.6]", "roiHeads.stageLossWeights=[1.0, 0.5]"), m, SIZE, SIZE);
      ParameterStore ps = new ParameterStore(m, false);
      int arrays = -1;
      for (int step = 0; step < 3; step++) {
        try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, step, 3, 2);
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          LossTerms losses = model.forwardTrain(ps, batch);
          assertEquals(11, losses.size(), losses.toString());
          gc.backward(losses.sum());
        }
        int count = m.getManagedArrays().size();
        if (step == 0) {
          arrays = count;
        }
        assertEquals(arrays, count, "arrays left after step " + step);
      }
    }
  }

  @Test
  void refusesABatchWithoutTargets() {
    try (NDManager m = NDManager.newBaseManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      VideoMaskRcnn model = ModelFactory.build(config(), m, SIZE, SIZE);
      try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, 0, 3, 2)) {
        PairBatch noTargets = new PairBatch(0, batch.pair(), batch.transform(), batch.frameT(), batch.frameTPrime(),
            null, null, s);
        IllegalArgumentException absent =
            assertThrows(IllegalArgumentException.class, () -> model.forwardTrain(ps, noTargets));
        assertTrue(absent.getMessage().contains("no targets"), absent.getMessage());
      }
    }
  }

  @Test
  void predictedMasksOfTChangeOnlyThePropagationLoss() {
    try (NDManager m = NDManager.newBaseManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      // same seed: identical initial weights and samples
      VideoMaskRcnn gt = ModelFactory.build(config(), m, SIZE, SIZE);
      VideoMaskRcnn predicted = ModelFactory.build(config("propagation.trainWith=PREDICTED"), m, SIZE, SIZE);
      try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, 0, 3, 2)) {
        Map<String, NDArray> a = gt.forwardTrain(ps, batch).asMap();
        Map<String, NDArray> b = predicted.forwardTrain(ps, batch).asMap();
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
          float x = a.get(name).getFloat();
          float y = b.get(name).getFloat();
          if (name.equals(LossNames.PROP)) {
            assertTrue(Math.abs(x - y) > 1e-3, "GT and predicted masks give the same loss_prop " + x);
            assertTrue(Float.isFinite(y) && y >= 0 && y <= 1, "loss_prop " + y);
          } else {
            assertEquals(x, y, 1e-5 * Math.max(1, Math.abs(x)), name);
          }
        }
      }
    }
  }

  @Test
  void refinerLearnsFromItsOwnLoss() {
    try (NDManager m = NDManager.newBaseManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      VideoMaskRcnn model =
          ModelFactory.build(config("refine.enabled=true", "refine.patchSize=16", "refine.channels=8"), m, SIZE, SIZE);
      try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, 0, 3, 2);
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        LossTerms losses = model.forwardTrain(ps, batch);
        assertTrue(losses.contains(LossNames.REFINE), losses.toString());
        float refine = losses.get(LossNames.REFINE).getFloat();
        assertTrue(Float.isFinite(refine) && refine > 0, "loss_refine " + refine);
        gc.backward(losses.get(LossNames.REFINE));
      }
      assertTrue(gradient(model.refiner().orElseThrow(), "mask_delta") > 0);
      // the refiner's input masks are detached: its loss trains no other part
      assertEquals(0, gradient(model.roiHeads(), ""));
      assertEquals(0, gradient(model.backbone(), ""));
    }
  }

  @Test
  void factoryWiresTheSectionsInParameterFileOrder() {
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn plain = ModelFactory.build(config());
      assertEquals(List.of("backbone", "rpn", "roi_heads", "propagation", "track"), childNames(plain));
      assertTrue(plain.refiner().isEmpty());
      assertEquals(List.of("backbone", "rpn", "roi_heads", "propagation"),
          childNames(ModelFactory.build(config("track.enabled=false"))));
      VideoMaskRcnn refined = ModelFactory.build(config("refine.enabled=true", "refine.patchSize=16"));
      assertEquals(List.of("backbone", "rpn", "roi_heads", "propagation", "refine", "track"), childNames(refined));
      refined.initialize(m, SIZE, SIZE);
      assertTrue(refined.isInitialized());
      // box predictor sized by data.numClasses (8 in cpu-tiny): K + 1 class logits
      assertEquals(8, refined.roiHeads().stages().get(0).predictor().numClasses());
      assertEquals(1024 / 8, ModelFactory.boxHeadWidth(config().backbone()));
    }
  }

  static List<String> childNames(VideoMaskRcnn model) {
    List<String> names = new ArrayList<>();
    for (Pair<String, Block> c : model.getChildren()) {
      names.add(c.getKey().replaceFirst("^\\d+", "")); // DJL prefixes the insertion index
    }
    return names;
  }

  static double gradient(Block block, String nameContains) {
    double sum = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getKey().contains(nameContains) && p.getValue().requiresGradient()) {
        sum += p.getValue().getArray().getGradient().abs().sum().getFloat();
      }
    }
    return sum;
  }

  /** The pair (t = 0, t' = 1) on a sub-manager of {@code parent}; t' has the objects moved by (dx, dy). */
  static PairBatch pair(NDManager parent, long iteration, int dx, int dy) {
    return pair(parent, iteration, dx, dy, SIZE, SIZE);
  }

  static PairBatch pair(NDManager parent, long iteration, int dx, int dy, int h, int w) {
    NDManager m = parent.newSubManager();
    FramePair fp = new FramePair(1, 0, 1, new int[] {11, 12}, new int[] {11, 12}, new int[0]);
    return new PairBatch(iteration, fp, FrameTransform.identity(h, w), image(m, 0, 0, h, w), image(m, dx, dy, h, w),
        targets(m, 0, 0, h, w), targets(m, dx, dy, h, w), m);
  }

  /** A dark frame with a bright square and a reddish rectangle, shifted by (dx, dy); [3, H, W]. */
  static NDArray image(NDManager m, int dx, int dy, int h, int w) {
    float[] px = new float[3 * h * w];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float v = -1;
          if (inside(BOXES_T[0], x - dx, y - dy)) {
            v = 2;
          } else if (inside(BOXES_T[1], x - dx, y - dy)) {
            v = c == 0 ? 1 : 0;
          }
          px[(c * h + y) * w + x] = v;
        }
      }
    }
    return m.create(px, new Shape(3, h, w));
  }

  static boolean inside(int[] b, int x, int y) {
    return x >= b[0] && x < b[2] && y >= b[1] && y < b[3];
  }

  static FrameTargets targets(NDManager m, int dx, int dy, int h, int w) {
    byte[] masks = new byte[2 * h * w];
    float[] boxes = new float[8];
    for (int i = 0; i < 2; i++) {
      int[] b = BOXES_T[i];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          masks[(i * h + y) * w + x] = (byte) (inside(b, x - dx, y - dy) ? 1 : 0);
        }
      }
      float[] shifted = {b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy};
      System.arraycopy(shifted, 0, boxes, 4 * i, 4);
    }
    return new FrameTargets(new Boxes(m.create(boxes, new Shape(2, 4))), m.create(new long[] {1, 2}),
        m.create(masks, new Shape(2, h, w)).toType(DataType.UINT8, false), new int[] {11, 12}, h, w);
  }
}
