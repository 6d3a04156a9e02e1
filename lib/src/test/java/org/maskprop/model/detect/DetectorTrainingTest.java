package org.maskprop.model.detect;

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
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.maskprop.config.BackboneConfig;
import org.maskprop.config.BackboneConfig.Arch;
import org.maskprop.config.RoiHeadsConfig;
import org.maskprop.config.RpnConfig;
import org.maskprop.config.TrainTest;
import org.maskprop.model.backbone.FpnBackbone;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.LossTerms;
import org.maskprop.ops.ShapeSpec;

/**
 * Backbone (R18, width / 8) + RPN + RoI heads built from config sections, trained with plain SGD on
 * one synthetic 64 x 64 image with two objects: the total loss must fall clearly in 30 steps.
 */
class DetectorTrainingTest {
  static final int SIZE = 64;

  @Test
  void thirtySgdStepsReduceTheTotalLossOnOneImage() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(7);
      FpnBackbone backbone = FpnBackbone.of(new BackboneConfig(Arch.R18, 16, true, 0, 8));
      Map<String, ShapeSpec> shapes = backbone.outputShapes();
      Rpn rpn = Rpn.of(new RpnConfig(List.of(8, 16, 32, 64, 128), List.of(0.5, 1.0, 2.0),
          new TrainTest<>(100, 100), new TrainTest<>(30, 30), 0.7, 0.7, 0.3, 64, 0.5), shapes);
      CascadeRoiHeads heads = CascadeRoiHeads.of(new RoiHeadsConfig(1, List.of(0.5), List.of(1.0), true,
          32, 0.25, 2, 14, false, 0.2, 0.05, 0.5, 20), shapes, 2, 64);
      Shape in = new Shape(1, 3, SIZE, SIZE);
      backbone.initialize(m, DataType.FLOAT32, in);
      Shape p2 = backbone.getOutputShapes(new Shape[] {in})[0];
      rpn.initialize(m, DataType.FLOAT32, p2);
      heads.initialize(m, DataType.FLOAT32, p2);
      List<Parameter> params = new ArrayList<>();
      for (var block : List.of(backbone, rpn, heads)) {
        for (Pair<String, Parameter> p : block.getParameters()) {
          if (p.getValue().requiresGradient()) {
            params.add(p.getValue());
          }
        }
      }
      List<ShapeSpec> specs = List.copyOf(shapes.values());
      ParameterStore ps = new ParameterStore(m, false);
      Random random = new Random(11);
      float lr = 0.02f;
      List<Float> totals = new ArrayList<>();
      for (int step = 0; step < 30; step++) {
        try (NDManager s = m.newSubManager()) {
          NDArray image = image(s);
          GtInstances gt = gt(s);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            List<NDArray> f = List.copyOf(backbone.features(ps, image, true).values());
            RpnOutput r = rpn.forward(ps, f, specs, SIZE, SIZE, List.of(gt.boxes()), true, random);
            RoiOutput o = heads.forward(ps, f, specs, r.proposals(), List.of(gt), SIZE, SIZE, true, random);
            LossTerms losses = r.losses().merge(o.losses());
            assertEquals(2 + 2 + 1, losses.size()); // rpn (2), stage 0 (cls, box), mask
            NDArray total = losses.sum();
            totals.add(total.getFloat());
            gc.backward(total);
          }
          for (Parameter p : params) { // plain SGD, then clear the accumulated gradient
            NDArray w = p.getArray();
            NDArray g = w.getGradient();
            w.subi(g.mul(lr));
            g.subi(g);
          }
        }
      }
      float first = (totals.get(0) + totals.get(1) + totals.get(2)) / 3;
      float last = (totals.get(27) + totals.get(28) + totals.get(29)) / 3;
      assertTrue(totals.stream().allMatch(t -> Float.isFinite(t)), totals.toString());
      assertTrue(last < 0.7f * first, "loss did not fall clearly: " + totals);
      // inference runs on the trained model and gives masks for every detection
      try (NDManager s = m.newSubManager()) {
        List<NDArray> f = List.copyOf(backbone.features(ps, image(s), false).values());
        RpnOutput r = rpn.forward(ps, f, specs, SIZE, SIZE, null, false, random);
        Detections d = heads.forward(ps, f, specs, r.proposals(), null, SIZE, SIZE, false, random).detections().get(0);
        assertEquals(d.size(), d.maskLogits().getShape().get(0));
      }
    }
  }

  /** A dark image with a bright square (class 1) and a mid-grey rectangle (class 2). */
  static NDArray image(NDManager m) {
    float[] px = new float[3 * SIZE * SIZE];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          float v = -1;
          if (y >= 8 && y < 28 && x >= 8 && x < 28) {
            v = 2;
          } else if (y >= 36 && y < 60 && x >= 30 && x < 58) {
            v = c == 0 ? 1 : 0;
          }
          px[(c * SIZE + y) * SIZE + x] = v;
        }
      }
    }
    return m.create(px, new Shape(1, 3, SIZE, SIZE));
  }

  static GtInstances gt(NDManager m) {
    float[] mask = new float[2 * SIZE * SIZE];
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        mask[y * SIZE + x] = y >= 8 && y < 28 && x >= 8 && x < 28 ? 1 : 0;
        mask[SIZE * SIZE + y * SIZE + x] = y >= 36 && y < 60 && x >= 30 && x < 58 ? 1 : 0;
      }
    }
    return new GtInstances(new Boxes(m.create(new float[] {8, 8, 28, 28, 30, 36, 58, 60}, new Shape(2, 4))),
        m.create(new long[] {1, 2}), m.create(mask, new Shape(2, SIZE, SIZE)));
  }
}
