package org.maskprop.infer.flow;

import java.nio.FloatBuffer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_video.DISOpticalFlow;

/**
 * Dense optical flow between two grey frames with OpenCV's DIS (Dense Inverse Search, Kroeger et
 * al. ECCV 2016) through JavaCV: our stand-in for the FlowNet2 flow of the paper's flow-warping
 * baseline. Every native {@link Mat} lives only inside {@link #compute}; the DIS instance is freed
 * by {@link #close}. Not thread-safe (DIS keeps scratch buffers between calls).
 */
public final class DisFlow implements AutoCloseable {

  /** OpenCV's DIS presets, fastest first. */
  public enum Preset {
    ULTRAFAST(DISOpticalFlow.PRESET_ULTRAFAST),
    FAST(DISOpticalFlow.PRESET_FAST),
    MEDIUM(DISOpticalFlow.PRESET_MEDIUM);

    final int code;

    Preset(int code) {
      this.code = code;
    }
  }

  private final Preset preset;
  private final DISOpticalFlow dis;

  public DisFlow(Preset preset) {
    this(preset, -1);
  }

  /**
   * @param finestScale the pyramid level DIS stops at (0 = full resolution), or -1 for the preset's
   *     (1 for MEDIUM, 2 for FAST and ULTRAFAST: half or quarter resolution, then upsampled)
   */
  public DisFlow(Preset preset, int finestScale) {
    this.preset = preset;
    this.dis = DISOpticalFlow.create(preset.code);
    if (finestScale >= 0) {
      dis.setFinestScale(finestScale);
    }
  }

  /** The pyramid level the flow is computed at before upsampling (0 = full resolution). */
  public int finestScale() {
    return dis.getFinestScale();
  }

  public Preset preset() {
    return preset;
  }

  /**
   * The flow from {@code from} to {@code to}: {@code from(y, x) ~ to(y + dy, x + dx)}.
   *
   * @param from {@code [height * width]} 8-bit grey, row-major
   * @param to {@code [height * width]} 8-bit grey, row-major
   * @return {@code [height, width, 2]} row-major, {@code (dx, dy)} in pixels per pixel of {@code from}
   */
  public float[] compute(byte[] from, byte[] to, int height, int width) {
    int area = Math.multiplyExact(height, width);
    if (from.length != area || to.length != area) {
      throw new IllegalArgumentException("DisFlow: frames of " + from.length + " and " + to.length
          + " pixels, expected " + height + "x" + width);
    }
    try (Mat a = new Mat(height, width, opencv_core.CV_8UC1);
        Mat b = new Mat(height, width, opencv_core.CV_8UC1);
        Mat flow = new Mat()) {
      a.data().put(from);
      b.data().put(to);
      dis.calc(a, b, flow);
      if (flow.rows() != height || flow.cols() != width || flow.type() != opencv_core.CV_32FC2
          || !flow.isContinuous()) {
        throw new IllegalStateException("DisFlow: unexpected flow " + flow.rows() + "x" + flow.cols()
            + " type " + flow.type());
      }
      float[] out = new float[2 * area];
      ((FloatBuffer) flow.createBuffer()).get(out);
      return out;
    }
  }

  @Override
  public void close() {
    dis.close();
  }
}
