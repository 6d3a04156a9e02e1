package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeformConv2dTest {
  private static NDManager manager;

  @BeforeAll
  static void setUp() {
    manager = NDManager.newBaseManager();
    manager.getEngine().setRandomSeed(7);
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  /** Zero offsets (with and without an all-ones mask) reduce to DJL's dense conv2d. */
  @ParameterizedTest
  @ValueSource(strings = {"1,1,0,1,1,f", "1,1,1,1,1,t", "2,1,3,3,1,f", "1,2,6,6,2,t", "1,1,12,12,1,f"})
  void zeroOffsetsEqualConv2d(String spec) {
    String[] s = spec.split(",");
    int stride = Integer.parseInt(s[0]);
    int groups = Integer.parseInt(s[4]);
    int pad = Integer.parseInt(s[2]);
    int dil = Integer.parseInt(s[3]);
    boolean withMask = s[5].equals("t");
    int offsetGroups = Integer.parseInt(s[1]);
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.randomNormal(new Shape(2, 4, 13, 11));
      NDArray w = m.randomNormal(new Shape(6, 4 / groups, 3, 3));
      NDArray b = m.randomNormal(new Shape(6));
      Shape st = new Shape(stride, stride);
      Shape pd = new Shape(pad, pad);
      Shape dl = new Shape(dil, dil);
      NDArray ref = Conv2d.conv2d(x, w, b, st, pd, dl, groups).singletonOrThrow();
      Shape os = ref.getShape();
      NDArray offset = m.zeros(new Shape(2, 2 * 9 * offsetGroups, os.get(2), os.get(3)));
      NDArray mask = withMask ? m.ones(new Shape(2, 9 * offsetGroups, os.get(2), os.get(3))) : null;
      NDArray out = DeformConv2d.deformConv2d(x, offset, mask, w, b, st, pd, dl, groups);
      assertTrue(OpsTestUtil.relError(ref, out) < 1e-4, "rel error " + OpsTestUtil.relError(ref, out));
      assertArrayEquals(ref.getShape().getShape(), out.getShape().getShape());
    }
  }

  /** In float64 the zero-offset case matches conv2d to 1e-10. */
  @Test
  void zeroOffsetsEqualConv2dFloat64() {
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.randomNormal(new Shape(1, 3, 9, 8)).toType(DataType.FLOAT64, false);
      NDArray w = m.randomNormal(new Shape(5, 3, 3, 3)).toType(DataType.FLOAT64, false);
      Shape one = new Shape(1, 1);
      Shape three = new Shape(3, 3);
      NDArray ref = Conv2d.conv2d(x, w, null, one, three, three, 1).singletonOrThrow();
      NDArray offset = m.zeros(new Shape(1, 18, 9, 8), DataType.FLOAT64);
      NDArray out = DeformConv2d.deformConv2d(x, offset, null, w, null, one, three, three, 1);
      assertTrue(OpsTestUtil.relError(ref, out) < 1e-10);
    }
  }

  /**
   * A constant integer offset (dy, dx) equals a dense conv (padding 0) of the zero-padded input
   * shifted by (dy, dx): map Z with Z[u, v] = x[u - pad + dy, v - pad + dx], zero where x has no pixel.
   */
  @Test
  void integerOffsetsEqualShiftedConv() {
    try (NDManager m = manager.newSubManager()) {
      int h = 10;
      int w = 9;
      int pad = 2;
      NDArray x = m.randomNormal(new Shape(1, 3, h, w));
      NDArray wt = m.randomNormal(new Shape(4, 3, 3, 3));
      int dy = 2;
      int dx = -1;
      NDArray z = m.zeros(new Shape(1, 3, h + 2 * pad, w + 2 * pad));
      z.set(new NDIndex(":, :, {}:{}, {}:{}", pad - dy, pad - dy + h, pad - dx, pad - dx + w), x);
      Shape one = new Shape(1, 1);
      Shape two = new Shape(2, 2);
      NDArray ref = Conv2d.conv2d(z, wt, null, one, new Shape(0, 0), two, 1).singletonOrThrow();
      NDArray offset = m.zeros(new Shape(1, 9, 2, h, w));
      offset.set(new NDIndex(":, :, 0"), dy);
      offset.set(new NDIndex(":, :, 1"), dx);
      NDArray out =
          DeformConv2d.deformConv2d(x, offset.reshape(1, 18, h, w), null, wt, null, one, two, two, 1);
      assertTrue(OpsTestUtil.relError(ref, out) < 1e-4, "rel error " + OpsTestUtil.relError(ref, out));
    }
  }

  /** Outputs and all gradients equal torchvision's deform_conv2d (fixtures from make_deform_fixtures.py). */
  @ParameterizedTest
  @ValueSource(strings = {"basic", "groups_mask_stride", "dilation3_mask", "rect_kernel_far"})
  void matchesTorchvisionFixture(String name) throws IOException {
    try (NDManager m = manager.newSubManager()) {
      NDList f;
      try (InputStream in = getClass().getResourceAsStream("/ops/deform_" + name + ".npz")) {
        assertNotNull(in, "fixture " + name);
        f = NDList.decode(m, in);
      }
      long[] cfg = byName(f, "config").toLongArray();
      NDArray x = byName(f, "x");
      NDArray offset = byName(f, "offset");
      NDArray weight = byName(f, "weight");
      NDArray bias = byName(f, "bias");
      NDArray mask = byNameOrNull(f, "mask");
      List<NDArray> leaves = new ArrayList<>(List.of(x, offset, weight, bias));
      if (mask != null) {
        leaves.add(mask);
      }
      for (NDArray a : leaves) {
        a.setRequiresGradient(true);
      }
      Shape st = new Shape(cfg[0], cfg[1]);
      Shape pd = new Shape(cfg[2], cfg[3]);
      Shape dl = new Shape(cfg[4], cfg[5]);
      // Outside a GradientCollector nothing is recorded (the in-place accumulation path).
      NDArray inference = DeformConv2d.deformConv2d(x, offset, mask, weight, bias, st, pd, dl, (int) cfg[6]);
      OpsTestUtil.assertClose(byName(f, "out"), inference, 1e-10, 1e-10, name + " out (no grad)");
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = DeformConv2d.deformConv2d(x, offset, mask, weight, bias, st, pd, dl, (int) cfg[6]);
        OpsTestUtil.assertClose(byName(f, "out"), out, 1e-10, 1e-10, name + " out");
        gc.backward(out.mul(byName(f, "grad_out")).sum());
      }
      OpsTestUtil.assertClose(byName(f, "grad_x"), x.getGradient(), 1e-9, 1e-10, name + " grad_x");
      OpsTestUtil.assertClose(byName(f, "grad_offset"), offset.getGradient(), 1e-9, 1e-10, name + " grad_offset");
      OpsTestUtil.assertClose(byName(f, "grad_weight"), weight.getGradient(), 1e-9, 1e-10, name + " grad_weight");
      OpsTestUtil.assertClose(byName(f, "grad_bias"), bias.getGradient(), 1e-9, 1e-10, name + " grad_bias");
      if (mask != null) {
        OpsTestUtil.assertClose(byName(f, "grad_mask"), mask.getGradient(), 1e-9, 1e-10, name + " grad_mask");
      }
    }
  }

  /**
   * Gradients equal central finite differences in float64, with offsets whose fractional parts lie in
   * [0.1, 0.9] so that no step crosses a pixel boundary (where the bilinear map has a kink).
   */
  @Test
  void gradientsMatchFiniteDifferences() {
    try (NDManager m = manager.newSubManager()) {
      Random rnd = new Random(11);
      int n = 1;
      int c = 4;
      int h = 6;
      int w = 5;
      int g = 2;
      Shape st = new Shape(1, 1);
      Shape pd = new Shape(2, 2);
      Shape dl = new Shape(2, 2);
      NDArray x = randn(m, rnd, new Shape(n, c, h, w));
      NDArray weight = randn(m, rnd, new Shape(4, c / 2, 3, 3));
      NDArray bias = randn(m, rnd, new Shape(4));
      int ho = 6;
      int wo = 5;
      double[] offv = new double[n * 2 * g * 9 * ho * wo];
      for (int i = 0; i < offv.length; i++) {
        offv[i] = (rnd.nextInt(5) - 2) + 0.1 + 0.8 * rnd.nextDouble(); // integer + frac in [0.1, 0.9]
      }
      NDArray offset = m.create(offv, new Shape(n, 2 * g * 9, ho, wo));
      double[] maskv = new double[n * g * 9 * ho * wo];
      for (int i = 0; i < maskv.length; i++) {
        maskv[i] = rnd.nextDouble();
      }
      NDArray mask = m.create(maskv, new Shape(n, g * 9, ho, wo));
      NDArray r = randn(m, rnd, new Shape(n, 4, ho, wo));
      NDArray[] leaves = {x, offset, mask, weight, bias};
      for (NDArray a : leaves) {
        a.setRequiresGradient(true);
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = DeformConv2d.deformConv2d(x, offset, mask, weight, bias, st, pd, dl, 2);
        gc.backward(out.mul(r).sum());
      }
      String[] names = {"input", "offset", "mask", "weight", "bias"};
      double eps = 1e-6;
      for (int li = 0; li < leaves.length; li++) {
        double[] grad = leaves[li].getGradient().toDoubleArray();
        double[] base = leaves[li].toDoubleArray();
        Shape shape = leaves[li].getShape();
        for (int t = 0; t < 12; t++) {
          int k = rnd.nextInt(base.length);
          double[] plus = base.clone();
          double[] minus = base.clone();
          plus[k] += eps;
          minus[k] -= eps;
          double lp = loss(m, leaves, li, plus, shape, r, st, pd, dl);
          double lm = loss(m, leaves, li, minus, shape, r, st, pd, dl);
          double fd = (lp - lm) / (2 * eps);
          assertEquals(fd, grad[k], 1e-6 * Math.max(1, Math.abs(fd)), names[li] + "[" + k + "]");
        }
      }
    }
  }

  private static double loss(
      NDManager m, NDArray[] leaves, int which, double[] values, Shape shape, NDArray r,
      Shape st, Shape pd, Shape dl) {
    try (NDManager s = m.newSubManager()) {
      NDArray[] a = new NDArray[leaves.length];
      for (int i = 0; i < leaves.length; i++) {
        a[i] = i == which ? s.create(values, shape) : leaves[i].duplicate();
        a[i].attach(s);
      }
      return DeformConv2d.deformConv2d(a[0], a[1], a[2], a[3], a[4], st, pd, dl, 2)
          .mul(r).sum().getDouble();
    }
  }

  /** The block registers weight [Cout, Cin/groups, kh, kw] and bias, and forwards like the function. */
  @Test
  void blockForwardMatchesFunctional() {
    try (NDManager m = manager.newSubManager()) {
      DeformConv2d block =
          DeformConv2d.builder()
              .setFilters(8)
              .setKernelShape(new Shape(3, 3))
              .optPadding(new Shape(3, 3))
              .optDilation(new Shape(3, 3))
              .optGroups(2)
              .build();
      Shape xs = new Shape(1, 4, 12, 12);
      Shape offs = new Shape(1, 18, 12, 12);
      block.initialize(m, DataType.FLOAT32, xs, offs);
      Parameter weight = block.getParameters().get("weight");
      assertEquals(new Shape(8, 2, 3, 3), weight.getArray().getShape());
      assertEquals(new Shape(8), block.getParameters().get("bias").getArray().getShape());
      assertEquals(new Shape(1, 8, 12, 12), block.getOutputShapes(new Shape[] {xs, offs})[0]);
      NDArray x = m.randomNormal(xs);
      NDArray offset = m.randomNormal(offs);
      NDArray out =
          block.forward(new ParameterStore(m, false), new NDList(x, offset), false).singletonOrThrow();
      NDArray ref =
          DeformConv2d.deformConv2d(
              x, offset, null, weight.getArray(), block.getParameters().get("bias").getArray(),
              new Shape(1, 1), new Shape(3, 3), new Shape(3, 3), 2);
      OpsTestUtil.assertClose(ref, out, 1e-6, 1e-6, "block");
    }
  }

  @Test
  void rejectsMismatchedOffsetShape() {
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.zeros(new Shape(1, 2, 5, 5));
      NDArray w = m.zeros(new Shape(2, 2, 3, 3));
      NDArray badOffset = m.zeros(new Shape(1, 17, 5, 5));
      Shape one = new Shape(1, 1);
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class,
          () -> DeformConv2d.deformConv2d(x, badOffset, null, w, null, one, one, one, 1));
    }
  }

  private static NDArray randn(NDManager m, Random rnd, Shape shape) {
    double[] v = new double[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextGaussian();
    }
    return m.create(v, shape);
  }

  private static NDArray byName(NDList list, String name) {
    NDArray a = byNameOrNull(list, name);
    assertNotNull(a, "array " + name);
    return a;
  }

  private static NDArray byNameOrNull(NDList list, String name) {
    for (NDArray a : list) {
      if (name.equals(a.getName())) {
        return a;
      }
    }
    return null;
  }
}
