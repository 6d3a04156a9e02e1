package org.maskprop.model.refine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.maskprop.config.RefineConfig;

class MaskRefinerTest {
  private static MaskRefiner refiner(NDManager m, int patch, int channels, int blocks, double margin, int h, int w) {
    MaskRefiner r = MaskRefiner.builder().setPatchSize(patch).optChannels(channels).optBlocks(blocks)
        .optMargin(margin).build();
    r.initialize(m, DataType.FLOAT32, new Shape(1, 3, h, w), new Shape(1, h, w), new Shape(1, 4));
    return r;
  }

  @Test
  void outputShapesForOneAndThreeInstances() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(1);
      int h = 40;
      int w = 56;
      MaskRefiner r = refiner(m, 32, 8, 2, 0.2, h, w);
      ParameterStore ps = new ParameterStore(m, false);
      for (int n : new int[] {1, 3}) {
        NDArray image = m.randomNormal(new Shape(1, 3, h, w));
        NDArray masks = m.randomUniform(0f, 1f, new Shape(n, h, w));
        NDArray gt = m.randomUniform(0f, 1f, new Shape(n, h, w));
        NDArray boxes = m.create(new float[] {2, 3, 30, 20, 10, 10, 50, 38, -5, 20, 20, 45}, new Shape(3, 4))
            .get("0:" + n);
        RefineOutput out = r.refine(ps, image, masks, boxes, gt, true);
        assertEquals(new Shape(n, h, w), out.masks().getShape());
        assertEquals(new Shape(n, 32, 32), out.patchLogits().getShape());
        assertEquals(new Shape(n, 4), out.cropBoxes().getShape());
        assertEquals(new Shape(), out.loss().getShape());
        assertTrue(Float.isFinite(out.loss().getFloat()));
        assertNull(r.refine(ps, image, masks, boxes, gt, false).loss(), "no loss in eval");
        assertNull(r.refine(ps, image, masks, boxes, null, true).loss(), "no loss without GT");
        NDList viaBlock = r.forward(ps, new NDList(image, masks, boxes, gt), true);
        assertEquals(4, viaBlock.size());
        assertEquals(r.getOutputShapes(new Shape[] {image.getShape(), masks.getShape(), boxes.getShape()})[1],
            viaBlock.get(1).getShape());
      }
    }
  }

  /** Square crop of side max(w, h) * (1 + margin) around the centre, whatever the aspect ratio. */
  @Test
  void cropBoxesAreSquaresAroundTheBoxCentre() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray boxes = m.create(new float[] {10, 20, 30, 60, 0, 0, 8, 2}, new Shape(2, 4));
      float[] crop = MaskRefiner.cropBoxes(boxes, 0.5).toFloatArray();
      // box 0: centre (20, 40), side 40 * 1.5 = 60; box 1: centre (4, 1), side 12
      float[] expected = {-10, 10, 50, 70, -2, -5, 10, 7};
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], crop[i], 1e-5, "coordinate " + i);
      }
    }
  }

  /**
   * With a crop side equal to the patch size each patch pixel samples one frame pixel centre, so the
   * centre pixel of an odd patch must be the pixel at the box centre (a marked pixel), for a wide and
   * a tall box off the frame centre.
   */
  @Test
  void patchCentrePixelIsTheBoxCentre() {
    try (NDManager m = NDManager.newBaseManager()) {
      int h = 48;
      int w = 64;
      int p = 15;
      MaskRefiner r = refiner(m, p, 4, 0, 0.5, h, w);
      NDArray image = m.zeros(new Shape(1, 3, h, w));
      image.set(new ai.djl.ndarray.index.NDIndex("0, :, 20, 40"), 1f);
      // Centre of pixel (y 20, x 40) is (40.5, 20.5); max side 10 -> crop side 15 = patch size.
      NDArray boxes = m.create(new float[] {35.5f, 17.5f, 45.5f, 23.5f, 37.5f, 15.5f, 43.5f, 25.5f}, new Shape(2, 4));
      NDArray crop = MaskRefiner.cropBoxes(boxes, r.margin());
      NDArray patches = r.cropImage(image, crop); // [2, 3, P, P]
      for (int i = 0; i < 2; i++) {
        NDArray patch = patches.get(i + ", 0");
        assertEquals(1f, patch.getFloat(7, 7), 1e-6, "box " + i + " centre");
        assertEquals(1f, patch.sum().getFloat(), 1e-5, "box " + i + ": only the marked pixel");
      }
    }
  }

  /** Parts of the crop outside the frame read as zero (more than one pixel out, RoIAlign's rule). */
  @Test
  void cropOutsideTheFrameIsZero() {
    try (NDManager m = NDManager.newBaseManager()) {
      int s = 16;
      MaskRefiner r = refiner(m, s, 4, 0, 0.0, s, s);
      NDArray image = m.ones(new Shape(1, 3, s, s));
      // Crop [-7.5, 8.5]: patch column j samples pixel-centre coordinate j - 7.5.
      NDArray crop = MaskRefiner.cropBoxes(m.create(new float[] {-7.5f, -7.5f, 8.5f, 8.5f}, new Shape(1, 4)), 0.0);
      NDArray patch = r.cropImage(image, crop).get("0, 0");
      for (int y = 0; y < s; y++) {
        for (int x = 0; x < s; x++) {
          float expected = y >= 7 && x >= 7 ? 1f : 0f;
          assertEquals(expected, patch.getFloat(y, x), 1e-6, "(" + y + ", " + x + ")");
        }
      }
    }
  }

  @Test
  void bceMatchesHandComputedValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(new float[] {0f, 2f, -1f, 30f});
      NDArray targets = m.create(new float[] {1f, 0f, 1f, 1f});
      // -log σ(0) = ln 2; -log(1 - σ(2)) = 2 + ln(1 + e^-2); -log σ(-1) = ln(1 + e); -log σ(30) ≈ e^-30
      double expected = (Math.log(2) + 2 + Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.E) + Math.exp(-30)) / 4;
      assertEquals(expected, MaskRefiner.bceWithLogits(logits, targets).getFloat(), 1e-6);
    }
  }

  /** The training loss is the BCE of the patch logits against the GT crop thresholded at 0.5. */
  @Test
  void lossIsBceAgainstTheGtCrop() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(2);
      int s = 12;
      int p = 9;
      MaskRefiner r = refiner(m, p, 4, 1, 0.5, s, s);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray image = m.randomNormal(new Shape(1, 3, s, s));
      NDArray masks = m.randomUniform(0f, 1f, new Shape(1, s, s));
      NDArray gt = m.randomUniform(0f, 1f, new Shape(1, s, s));
      // Box of side 6 centred on (5.5, 5.5): crop [1, 10] of side 9 = patch, one pixel per cell.
      NDArray boxes = m.create(new float[] {2.5f, 2.5f, 8.5f, 8.5f}, new Shape(1, 4));
      RefineOutput out = r.refine(ps, image, masks, boxes, gt, true);
      NDArray target = gt.get("0, 1:10, 1:10").gt(0.5).toType(DataType.FLOAT32, false);
      float[] x = out.patchLogits().toFloatArray();
      float[] y = target.toFloatArray();
      double sum = 0;
      for (int i = 0; i < x.length; i++) {
        sum += Math.max(x[i], 0) - x[i] * y[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
      }
      assertEquals(sum / x.length, out.loss().getFloat(), 1e-5);
    }
  }

  /** The residual starts at zero: before training, the frame mask comes back as it went in. */
  @Test
  void untrainedRefinerKeepsTheMaskInsideTheCrop() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      int s = 12;
      MaskRefiner r = refiner(m, 9, 4, 1, 0.5, s, s);
      NDArray masks = m.randomUniform(0.05f, 0.95f, new Shape(1, s, s));
      NDArray boxes = m.create(new float[] {2.5f, 2.5f, 8.5f, 8.5f}, new Shape(1, 4)); // crop [1, 10]
      RefineOutput out = r.refine(new ParameterStore(m, false), m.randomNormal(new Shape(1, 3, s, s)), masks, boxes,
          null, false);
      float max = out.masks().sub(masks).abs().max().getFloat();
      assertTrue(max < 1e-5, "max change " + max);
    }
  }

  /**
   * Box-relative masks are pasted into the frame first: an all-ones 8x8 mask in a box on pixel
   * boundaries no wider than the mask fills exactly the box; the refined output has the frame shape.
   */
  @Test
  void boxRelativeMasksArePastedIntoTheirBoxes() {
    try (NDManager m = NDManager.newBaseManager()) {
      int s = 16;
      NDArray boxes = m.create(new float[] {3, 5, 9, 12}, new Shape(1, 4));
      NDArray pasted = org.maskprop.ops.MaskPaster.paste(m.ones(new Shape(1, 8, 8)), boxes, s, s);
      NDArray expected = m.zeros(new Shape(1, s, s));
      expected.set(new ai.djl.ndarray.index.NDIndex("0, 5:12, 3:9"), 1f);
      assertTrue(pasted.sub(expected).abs().max().getFloat() < 1e-5, pasted.toDebugString(true));
      MaskRefiner r = refiner(m, 16, 4, 1, 0.2, s, s);
      RefineOutput out = r.refineBoxMasks(new ParameterStore(m, false), m.zeros(new Shape(1, 3, s, s)),
          m.ones(new Shape(1, 8, 8)), boxes, expected, true);
      assertEquals(new Shape(1, s, s), out.masks().getShape());
      assertTrue(out.hasLoss());
    }
  }

  @Test
  void disabledRefinementLeavesMasksUnchanged() {
    try (NDManager m = NDManager.newBaseManager()) {
      Optional<MaskRefiner> off = MaskRefiner.fromConfig(new RefineConfig(false, 384, 128, 3));
      assertTrue(off.isEmpty());
      NDArray masks = m.randomUniform(0f, 1f, new Shape(2, 10, 10));
      RefineOutput out = MaskRefiner.refineOrKeep(off, new ParameterStore(m, false), m.zeros(new Shape(1, 3, 10, 10)),
          masks, m.zeros(new Shape(2, 4)), masks, true);
      assertSame(masks, out.masks());
      assertNull(out.loss());
      MaskRefiner on = MaskRefiner.fromConfig(new RefineConfig(true, 32, 8, 2)).orElseThrow();
      assertEquals(32, on.patchSize());
    }
  }

  /**
   * 20 Adam steps on one synthetic instance: the RGB shows a sharp disk, the input mask is a blocky
   * (8x8 average) version of it. The refined mask must get clearly closer to the GT than the input.
   */
  @Test
  void shortFitSharpensABlockyMask() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(4);
      int s = 32;
      MaskRefiner r = refiner(m, 32, 8, 2, 0.2, s, s);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray ys = m.arange(0f, s, 1f).add(0.5f).reshape(s, 1);
      NDArray xs = m.arange(0f, s, 1f).add(0.5f).reshape(1, s);
      NDArray gt = ys.sub(15f).square().add(xs.sub(17f).square()).lt(81f).toType(DataType.FLOAT32, false)
          .reshape(1, s, s); // disk radius 9 at (17, 15)
      NDArray image = gt.mul(2).sub(1).reshape(1, 1, s, s).broadcast(1, 3, s, s)
          .add(m.randomNormal(0f, 0.2f, new Shape(1, 3, s, s), DataType.FLOAT32));
      NDArray blocky = gt.reshape(1, s / 8, 8, s / 8, 8).mean(new int[] {4}).mean(new int[] {2}) // [1, 4, 4]
          .reshape(1, s / 8, 1, s / 8, 1).broadcast(1, s / 8, 8, s / 8, 8).reshape(1, s, s);
      NDArray boxes = m.create(new float[] {8, 6, 26, 24}, new Shape(1, 4));
      float before = iou(blocky, gt);

      Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build();
      for (int step = 0; step < 20; step++) {
        try (NDManager scope = m.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray img = image.duplicate();
          img.attach(scope);
          gc.backward(r.refine(ps, img, blocky, boxes, gt, true).loss());
        }
        for (Pair<String, Parameter> p : r.getParameters()) {
          NDArray a = p.getValue().getArray();
          adam.update(p.getValue().getId(), a, a.getGradient());
        }
      }
      float after = iou(r.refine(ps, image, blocky, boxes, null, false).masks(), gt);
      assertTrue(after > before + 0.1 && after > 0.95, "IoU input " + before + " refined " + after);
    }
  }

  /**
   * The residual head starts at zero, so only it gets a gradient at first; with non-zero head weights
   * every conv does (the loss reaches the whole trunk).
   */
  @Test
  void gradientsReachEveryConv() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(8);
      int s = 16;
      MaskRefiner r = refiner(m, 16, 4, 2, 0.2, s, s);
      for (Pair<String, Parameter> p : r.getParameters()) {
        if (p.getKey().contains("mask_delta")) {
          NDArray a = p.getValue().getArray();
          a.addi(m.randomNormal(0f, 0.1f, a.getShape(), DataType.FLOAT32));
        }
      }
      ParameterStore ps = new ParameterStore(m, false);
      NDArray masks = m.randomUniform(0f, 1f, new Shape(2, s, s));
      NDArray boxes = m.create(new float[] {2, 2, 10, 12, 5, 1, 15, 9}, new Shape(2, 4));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(r.refine(ps, m.randomNormal(new Shape(1, 3, s, s)), masks, boxes, masks.gt(0.5), true).loss());
      }
      assertEquals(2 + 2 * 2 * 2 + 2, r.getParameters().size());
      for (Pair<String, Parameter> p : r.getParameters()) {
        float g = p.getValue().getArray().getGradient().abs().sum().getFloat();
        assertTrue(g > 0 && Float.isFinite(g), p.getKey() + " gradient " + g);
      }
    }
  }

  @Test
  void repeatedTrainingStepsKeepTheArrayCountFlat() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(6);
      int s = 16;
      MaskRefiner r = refiner(m, 16, 4, 1, 0.2, s, s);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray image = m.randomNormal(new Shape(1, 3, s, s));
      NDArray masks = m.randomUniform(0f, 1f, new Shape(2, s, s));
      NDArray boxes = m.create(new float[] {2, 2, 10, 12, 5, 1, 15, 9}, new Shape(2, 4));
      int before = -1;
      for (int i = 0; i < 4; i++) {
        try (NDManager step = m.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray img = image.duplicate();
          img.attach(step);
          gc.backward(r.refine(ps, img, masks, boxes, masks, true).loss());
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
      MaskRefiner r = refiner(m, 16, 4, 1, 0.2, 10, 10);
      ParameterStore ps = new ParameterStore(m, false);
      NDArray image = m.zeros(new Shape(1, 3, 10, 10));
      assertThrows(IllegalArgumentException.class,
          () -> r.refine(ps, image, m.zeros(new Shape(2, 10, 12)), m.zeros(new Shape(2, 4)), null, false));
      assertThrows(IllegalArgumentException.class,
          () -> r.refine(ps, image, m.zeros(new Shape(2, 10, 10)), m.zeros(new Shape(3, 4)), null, false));
      assertThrows(IllegalArgumentException.class, () -> MaskRefiner.builder().build());
    }
  }

  private static float iou(NDArray probs, NDArray gt) {
    NDArray a = probs.gt(0.5);
    NDArray b = gt.gt(0.5);
    float inter = a.logicalAnd(b).toType(DataType.FLOAT32, false).sum().getFloat();
    float union = a.logicalOr(b).toType(DataType.FLOAT32, false).sum().getFloat();
    return inter / union;
  }
}
