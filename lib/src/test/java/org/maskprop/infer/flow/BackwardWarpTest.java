package org.maskprop.infer.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Random;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

/** Backward warping against hand-shifted squares and against OpenCV's {@code remap}. */
class BackwardWarpTest {
  static final int H = 48;
  static final int W = 64;

  /** {@code [H * W]} with ones in rows {@code [y0, y1)} and columns {@code [x0, x1)}, clipped to the frame. */
  static float[] square(double y0, double y1, double x0, double x1) {
    float[] m = new float[H * W];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        m[y * W + x] = y >= y0 && y < y1 && x >= x0 && x < x1 ? 1f : 0f;
      }
    }
    return m;
  }

  static NDArray constantFlow(NDManager m, float dx, float dy) {
    float[] f = new float[H * W * 2];
    for (int i = 0; i < H * W; i++) {
      f[2 * i] = dx;
      f[2 * i + 1] = dy;
    }
    return m.create(f, new Shape(H, W, 2));
  }

  static double iou(float[] a, float[] b) {
    int inter = 0;
    int union = 0;
    for (int i = 0; i < a.length; i++) {
      boolean p = a[i] > 0.5f;
      boolean q = b[i] > 0.5f;
      inter += p && q ? 1 : 0;
      union += p || q ? 1 : 0;
    }
    return (double) inter / union;
  }

  @Test
  void wholePixelShiftMovesTheSquareExactly() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] a = square(10, 30, 12, 32);
      float[] b = square(2, 9, 40, 60);
      NDArray masks = m.create(concat(a, b), new Shape(2, H, W));
      // out(y, x) = m(y + dy, x + dx): flow (-5, -3) moves content by (+5, +3)
      float[] out = BackwardWarp.warp(masks, constantFlow(m, -5, -3)).toFloatArray();
      assertArrayEquals(concat(square(13, 33, 17, 37), square(5, 12, 45, 65)), out, 0f);
    }
  }

  @Test
  void fractionalShiftInterpolatesBilinearly() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray masks = m.create(square(10, 30, 12, 32), new Shape(1, H, W));
      float[] out = BackwardWarp.warp(masks, constantFlow(m, -2.5f, -1.25f)).toFloatArray();
      // column 14 reads x = 11.5, half inside the square: 0.5; row 11 reads y = 9.75, i.e. 0.25 of
      // row 9 (outside) and 0.75 of row 10 (inside)
      assertEquals(0.5f, out[20 * W + 14], 1e-6f);
      assertEquals(0.5f, out[20 * W + 34], 1e-6f); // reads 31.5
      assertEquals(0.75f, out[11 * W + 20], 1e-6f);
      assertEquals(0.375f, out[11 * W + 14], 1e-6f); // both edges: 0.75 * 0.5
      assertEquals(1f, out[20 * W + 20], 1e-6f);
      // a 36 x 36 square moved by (2.5, 1.25) overlaps the analytically moved one (IoU > 0.9)
      float[] big = BackwardWarp.warp(m.create(square(4, 40, 8, 44), new Shape(1, H, W)),
          constantFlow(m, -2.5f, -1.25f)).toFloatArray();
      double iou = iou(big, square(5.25, 41.25, 10.5, 46.5));
      assertTrue(iou > 0.9, "IoU " + iou);
    }
  }

  @Test
  void samplesOutsideTheFrameReadZero() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray ones = m.ones(new Shape(1, H, W));
      float[] gone = BackwardWarp.warp(ones, constantFlow(m, 100, 0)).toFloatArray();
      assertArrayEquals(new float[H * W], gone, 0f);
      // shifted right by 40: the square's part beyond the right edge is cut, nothing wraps round
      float[] cut = BackwardWarp.warp(m.create(square(10, 30, 12, 32), new Shape(1, H, W)),
          constantFlow(m, -40, 0)).toFloatArray();
      assertArrayEquals(square(10, 30, 52, 72), cut, 0f);
    }
  }

  @Test
  void zeroFlowIsTheIdentity() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray masks = m.randomUniform(0f, 1f, new Shape(3, H, W));
      assertArrayEquals(masks.toFloatArray(), BackwardWarp.warp(masks, constantFlow(m, 0, 0)).toFloatArray(), 0f);
    }
  }

  @Test
  void agreesWithOpenCvRemapOnASmoothRandomFlow() {
    Random r = new Random(11);
    float[] mask = new float[H * W];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = r.nextFloat();
    }
    float[] flow = new float[H * W * 2];
    float[] mapX = new float[H * W];
    float[] mapY = new float[H * W];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int i = y * W + x;
        flow[2 * i] = (float) (4 * Math.sin(x / 9.0) + 2.3 * Math.cos(y / 7.0)); // reaches outside at the borders
        flow[2 * i + 1] = (float) (3 * Math.cos(x / 11.0 + y / 13.0) - 0.7);
        mapX[i] = x + flow[2 * i];
        mapY[i] = y + flow[2 * i + 1];
      }
    }
    float[] expected = new float[H * W];
    try (Mat src = mat(mask); Mat mx = mat(mapX); Mat my = mat(mapY); Mat dst = new Mat(); Scalar zero = new Scalar(0.0)) {
      opencv_imgproc.remap(src, dst, mx, my, opencv_imgproc.INTER_LINEAR, opencv_core.BORDER_CONSTANT, zero);
      ((FloatBuffer) dst.createBuffer()).get(expected);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      float[] out = BackwardWarp.warp(m.create(mask, new Shape(1, H, W)), m.create(flow, new Shape(H, W, 2)))
          .toFloatArray();
      // remap quantises the sub-pixel position to 1/32 of a pixel: weights differ by up to ~1/64 per axis
      assertArrayEquals(expected, out, 0.04f);
    }
  }

  static Mat mat(float[] values) {
    Mat m = new Mat(H, W, opencv_core.CV_32FC1);
    ((FloatBuffer) m.createBuffer()).put(values);
    return m;
  }

  static float[] concat(float[] a, float[] b) {
    float[] c = new float[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
