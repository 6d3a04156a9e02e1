package org.maskprop.data;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;

/**
 * Frames as model input: float32 {@code [3, H, W]}, RGB, scaled to {@code [0, 1]} and then
 * normalised per channel with ImageNet's mean and standard deviation as torchvision uses them
 * ({@link #MEAN}, {@link #STD}; {@code transforms.Normalize} in its ImageNet references and {@code
 * GeneralizedRCNNTransform}), because the backbone weights are imported from torchvision.
 *
 * <p>Resizing is bilinear with antialiasing (pixel centres as {@code align_corners=False}; when
 * shrinking, a triangle filter as wide as the shrink factor), which is what DJL's {@code
 * NDImageUtils.resize}, PIL and detectron2's {@code ResizeShortestEdge} do; torchvision's detection
 * transform skips the antialiasing, which aliases when 720p frames shrink to 400 px. Upsampling is
 * plain bilinear either way.
 *
 * <p>{@link #of} resizes and flips in Java, separably, and creates one NDArray: no engine
 * temporaries, so the work can run on a prefetch thread. {@link #ofOnEngine} computes the same
 * tensor with engine ops ({@code NDImageUtils.resize}); it is the reference for tests and for the
 * benchmark that chose the Java path ({@code org.maskprop.bench.FrameResizeBench}).
 */
public final class ImageTensors {
  /** ImageNet RGB mean (torchvision). */
  public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  /** ImageNet RGB standard deviation (torchvision). */
  public static final float[] STD = {0.229f, 0.224f, 0.225f};

  private ImageTensors() {}

  /** {@code [3, outHeight, outWidth]} float32 on {@code manager}. */
  public static NDArray of(NDManager manager, BufferedImage image, FrameTransform t) {
    return manager.create(normalized(image, t), new Shape(3, t.outHeight(), t.outWidth()));
  }

  /**
   * The tensor's values as a CHW float array: antialiased bilinear resize of the image under {@code
   * t}, flip, RGB order, {@code (v / 255 - MEAN[c]) / STD[c]}.
   */
  public static float[] normalized(BufferedImage image, FrameTransform t) {
    int inH = t.inHeight();
    int inW = t.inWidth();
    if (image.getHeight() != inH || image.getWidth() != inW) {
      throw new IllegalArgumentException("image is " + image.getHeight() + "x" + image.getWidth()
          + " but the transform expects " + inH + "x" + inW);
    }
    byte[] bgr = bgrBytes(image);
    int outH = t.outHeight();
    int outW = t.outWidth();
    Taps cols = Taps.of(inW, outW, t.flip());
    Taps rows = Taps.of(inH, outH, false);
    // horizontal pass: [inH, outW, 3] in RGB order, 0..255
    float[] mid = new float[inH * outW * 3];
    for (int y = 0; y < inH; y++) {
      int src = y * inW * 3;
      int dst = y * outW * 3;
      for (int j = 0; j < outW; j++, dst += 3) {
        float r = 0;
        float g = 0;
        float b = 0;
        for (int k = cols.start[j], e = cols.start[j + 1]; k < e; k++) {
          int p = src + cols.index[k] * 3;
          float w = cols.weight[k];
          b += w * (bgr[p] & 0xff);
          g += w * (bgr[p + 1] & 0xff);
          r += w * (bgr[p + 2] & 0xff);
        }
        mid[dst] = r;
        mid[dst + 1] = g;
        mid[dst + 2] = b;
      }
    }
    // vertical pass into CHW planes, then normalisation
    float[] scale = new float[3];
    float[] shift = new float[3];
    for (int c = 0; c < 3; c++) {
      scale[c] = 1f / (255f * STD[c]);
      shift[c] = -MEAN[c] / STD[c];
    }
    int plane = outH * outW;
    float[] out = new float[3 * plane];
    float[] acc = new float[outW * 3];
    for (int i = 0; i < outH; i++) {
      java.util.Arrays.fill(acc, 0f);
      for (int k = rows.start[i], e = rows.start[i + 1]; k < e; k++) {
        int src = rows.index[k] * outW * 3;
        float w = rows.weight[k];
        for (int q = 0; q < acc.length; q++) {
          acc[q] += w * mid[src + q];
        }
      }
      int o = i * outW;
      for (int j = 0; j < outW; j++) {
        for (int c = 0; c < 3; c++) {
          out[c * plane + o + j] = acc[j * 3 + c] * scale[c] + shift[c];
        }
      }
    }
    return out;
  }

  /**
   * One dimension of an antialiased bilinear resize (PyTorch's {@code interpolate(...,
   * mode="bilinear", antialias=True)}, as PIL): output {@code j} is centred at {@code s (j + 0.5)}
   * with {@code s = in / out} and averages the input pixels under a triangle filter of half-width
   * {@code max(s, 1)}, weights normalised to sum 1. For {@code s <= 1} (upsampling) these are the
   * ordinary bilinear weights with {@code align_corners=False}. Taps of output {@code j} are {@code
   * start[j] .. start[j + 1] - 1}; with {@code flipped}, output {@code j} takes the taps of {@code
   * out - 1 - j}.
   */
  record Taps(int[] start, int[] index, float[] weight) {
    static Taps of(int in, int out, boolean flipped) {
      double s = (double) in / out;
      double support = s >= 1 ? s : 1;
      double inv = s >= 1 ? 1 / s : 1;
      int[] start = new int[out + 1];
      int max = (int) Math.ceil(2 * support) + 2;
      int[] index = new int[out * max];
      float[] weight = new float[out * max];
      double[] w = new double[max];
      int n = 0;
      for (int j = 0; j < out; j++) {
        int jj = flipped ? out - 1 - j : j;
        double center = s * (jj + 0.5);
        int lo = Math.max((int) (center - support + 0.5), 0);
        int hi = Math.min((int) (center + support + 0.5), in);
        double total = 0;
        for (int x = lo; x < hi; x++) {
          double d = Math.abs((x - center + 0.5) * inv);
          w[x - lo] = d < 1 ? 1 - d : 0;
          total += w[x - lo];
        }
        start[j] = n;
        for (int x = lo; x < hi; x++) {
          if (w[x - lo] != 0) {
            index[n] = x;
            weight[n] = (float) (w[x - lo] / total);
            n++;
          }
        }
      }
      start[out] = n;
      return new Taps(start, index, weight);
    }
  }

  /**
   * The same tensor computed by the engine: {@code [H, W, 3]} BGR as float32, {@code
   * NDImageUtils.resize} (bilinear, antialiased), channel and optional horizontal flip, {@code toTensor},
   * {@code normalize}. Temporaries live in a sub-manager; the result is attached to {@code manager}.
   */
  public static NDArray ofOnEngine(NDManager manager, BufferedImage image, FrameTransform t) {
    byte[] bgr = bgrBytes(image);
    try (NDManager scratch = manager.newSubManager()) {
      NDArray hwc = scratch.create(ByteBuffer.wrap(bgr), new Shape(t.inHeight(), t.inWidth(), 3), DataType.UINT8);
      // float before resizing: given uint8, the engine takes PyTorch's uint8 path, which rounds
      NDArray x = hwc.toType(DataType.FLOAT32, false);
      if (t.outHeight() != t.inHeight() || t.outWidth() != t.inWidth()) {
        x = NDImageUtils.resize(x, t.outWidth(), t.outHeight(), Image.Interpolation.BILINEAR); // [H', W', 3] float
      }
      x = x.flip(2); // BGR -> RGB
      if (t.flip()) {
        x = x.flip(1);
      }
      x = NDImageUtils.toTensor(x); // [3, H', W'] in [0, 1]
      x = NDImageUtils.normalize(x, MEAN, STD);
      NDArray result = x.toType(DataType.FLOAT32, false);
      result.attach(manager);
      return result;
    }
  }

  /** The image's pixels as interleaved BGR bytes {@code [H * W * 3]} (converted if not 3BYTE_BGR). */
  static byte[] bgrBytes(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
        && image.getRaster().getParent() == null
        && image.getRaster().getDataBuffer() instanceof DataBufferByte db
        && db.getNumBanks() == 1
        && db.getData().length == w * h * 3) {
      return db.getData();
    }
    BufferedImage bgr = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    java.awt.Graphics2D g = bgr.createGraphics();
    g.drawImage(image, 0, 0, null);
    g.dispose();
    return ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
  }
}
