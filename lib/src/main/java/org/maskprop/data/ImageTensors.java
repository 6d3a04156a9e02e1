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
 * <p>{@link #of} resizes and flips in Java (bilinear, PyTorch's {@code align_corners=False}
 * arithmetic in float, no antialiasing, like torchvision's detection transform) and creates one
 * NDArray; no engine temporaries are made, so it can run on a prefetch thread without a manager.
 * {@link #ofOnEngine} computes the same tensor with engine ops ({@code NDImageUtils.resize}); it is
 * the reference for tests and the benchmark that chose the Java path ({@code FrameResizeBench}).
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
   * The tensor's values as a CHW float array: bilinear resize of the image under {@code t}, flip,
   * RGB order, {@code (v / 255 - MEAN[c]) / STD[c]}.
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
    // per output column: the two input columns and the weight of the second
    int[] x0 = new int[outW];
    int[] x1 = new int[outW];
    float[] wx = new float[outW];
    float sx = (float) inW / outW;
    for (int j = 0; j < outW; j++) {
      int jj = t.flip() ? outW - 1 - j : j;
      float src = Math.max(sx * (jj + 0.5f) - 0.5f, 0f);
      int i0 = (int) src;
      x0[j] = i0 * 3;
      x1[j] = (i0 < inW - 1 ? i0 + 1 : i0) * 3;
      wx[j] = src - i0;
    }
    float sy = (float) inH / outH;
    float[] scale = new float[3];
    float[] shift = new float[3];
    for (int c = 0; c < 3; c++) {
      scale[c] = 1f / (255f * STD[c]);
      shift[c] = -MEAN[c] / STD[c];
    }
    int plane = outH * outW;
    float[] out = new float[3 * plane];
    for (int i = 0; i < outH; i++) {
      float src = Math.max(sy * (i + 0.5f) - 0.5f, 0f);
      int r0 = (int) src;
      int r1 = r0 < inH - 1 ? r0 + 1 : r0;
      float wy = src - r0;
      float vy = 1f - wy;
      int row0 = r0 * inW * 3;
      int row1 = r1 * inW * 3;
      int o = i * outW;
      for (int j = 0; j < outW; j++, o++) {
        float w1 = wx[j];
        float w0 = 1f - w1;
        int a = row0 + x0[j];
        int b = row0 + x1[j];
        int c0 = row1 + x0[j];
        int d = row1 + x1[j];
        for (int c = 0; c < 3; c++) {
          int k = 2 - c; // BGR bytes -> RGB planes
          float top = w0 * (bgr[a + k] & 0xff) + w1 * (bgr[b + k] & 0xff);
          float bottom = w0 * (bgr[c0 + k] & 0xff) + w1 * (bgr[d + k] & 0xff);
          out[c * plane + o] = (vy * top + wy * bottom) * scale[c] + shift[c];
        }
      }
    }
    return out;
  }

  /**
   * The same tensor computed by the engine: {@code [H, W, 3]} uint8 BGR, {@code
   * NDImageUtils.resize} (bilinear), channel and optional horizontal flip, {@code toTensor},
   * {@code normalize}. Temporaries live in a sub-manager; the result is attached to {@code manager}.
   */
  public static NDArray ofOnEngine(NDManager manager, BufferedImage image, FrameTransform t) {
    byte[] bgr = bgrBytes(image);
    try (NDManager scratch = manager.newSubManager()) {
      NDArray hwc = scratch.create(ByteBuffer.wrap(bgr), new Shape(t.inHeight(), t.inWidth(), 3), DataType.UINT8);
      NDArray x = hwc;
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
