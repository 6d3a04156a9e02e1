package org.maskprop.dataprep.synth;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Renders a {@link SynthScene}: the crisp ground truth of a frame ({@link #labels}) and its RGB
 * image ({@link #image}). Masks are exact point-in-shape tests at pixel centres, without
 * anti-aliasing; the image adds what the masks must not: motion blur (sub-frame renders averaged
 * over the exposure, centred on the frame time, so the GT mask lies in the middle of the smear),
 * shading, lighting flicker and sensor noise.
 */
public final class SynthRenderer {
  /** Shading across a shape: brightness factor {@code 1 +- SHADING} from one side to the other. */
  private static final double SHADING = 0.2;
  /** Contrast of an occluder's stripes. */
  private static final double STRIPE_CONTRAST = 0.15;

  private SynthRenderer() {}

  /** The ground truth of frame {@code t}: visible instance per pixel and per-instance areas. */
  public static LabelFrame labels(SynthScene scene, int t) {
    int h = scene.height();
    int w = scene.width();
    List<InstanceTrack> instances = scene.instances();
    int n = instances.size();
    int[] label = new int[h * w];
    int[] amodalArea = new int[n];
    int[] amodalBox = new int[4 * n];
    for (int i = 0; i < n; i++) {
      InstanceTrack track = instances.get(i);
      int[] box = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE};
      int id = i + 1;
      amodalArea[i] =
          rasterize(
              track,
              track.pose(t),
              h,
              w,
              (p, u, v) -> {
                label[p] = id;
                int x = p % w;
                int y = p / w;
                box[0] = Math.min(box[0], x);
                box[1] = Math.min(box[1], y);
                box[2] = Math.max(box[2], x);
                box[3] = Math.max(box[3], y);
              });
      System.arraycopy(box, 0, amodalBox, 4 * i, 4);
    }
    for (Occluder o : scene.occluders()) {
      for (int y = o.y0(); y < o.y1(); y++) {
        for (int x = o.x0(); x < o.x1(); x++) {
          label[y * w + x] = 0;
        }
      }
    }
    int[] visible = new int[n];
    for (int id : label) {
      if (id > 0) {
        visible[id - 1]++;
      }
    }
    return new LabelFrame(h, w, label, visible, amodalArea, amodalBox);
  }

  /** The RGB image of frame {@code t} ({@code TYPE_3BYTE_BGR}). */
  public static BufferedImage image(SynthScene scene, int t) {
    int h = scene.height();
    int w = scene.width();
    int hw = h * w;
    SynthParams p = scene.params();
    float[][] bg = scene.background();
    float[][] acc = new float[3][];
    for (int c = 0; c < 3; c++) {
      acc[c] = bg[c].clone();
    }
    int samples = p.blurSamples();
    if (samples == 1) {
      for (InstanceTrack track : scene.instances()) {
        drawShaded(track, track.pose(t), h, w, acc);
      }
    } else {
      // mean of the sub-frame renders = background + mean over sub-frames of (shape - background)
      // on the pixels the shapes cover: the cost follows the shapes' area, not the frame's
      float[][] top = new float[3][hw];
      int[] stamp = new int[hw];
      int[] touched = new int[hw];
      float inv = 1f / samples;
      for (int s = 0; s < samples; s++) {
        double time = t + p.blurExposure() * ((s + 0.5) / samples - 0.5);
        int mark = s + 1;
        int[] count = {0};
        for (InstanceTrack track : scene.instances()) {
          float[] col = track.color();
          rasterize(
              track,
              track.pose(time),
              h,
              w,
              (px, u, v) -> {
                if (stamp[px] != mark) {
                  stamp[px] = mark;
                  touched[count[0]++] = px;
                }
                float shade = shade(u, v);
                top[0][px] = col[0] * shade;
                top[1][px] = col[1] * shade;
                top[2][px] = col[2] * shade;
              });
        }
        for (int k = 0; k < count[0]; k++) {
          int px = touched[k];
          for (int c = 0; c < 3; c++) {
            acc[c][px] += (top[c][px] - bg[c][px]) * inv;
          }
        }
      }
    }
    for (Occluder o : scene.occluders()) {
      for (int y = o.y0(); y < o.y1(); y++) {
        for (int x = o.x0(); x < o.x1(); x++) {
          double phase = 2 * Math.PI * (o.verticalStripes() ? x : y) / o.stripePeriod();
          float shade = (float) (1 + STRIPE_CONTRAST * Math.sin(phase));
          for (int c = 0; c < 3; c++) {
            acc[c][y * w + x] = o.color()[c] * shade;
          }
        }
      }
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    float gain = (float) scene.gains()[t];
    float sigma = (float) p.noise();
    SplittableRandom noise = new SplittableRandom(Seeds.mix(scene.noiseSeed(), t));
    for (int i = 0; i < hw; i++) {
      for (int c = 0; c < 3; c++) {
        float v = acc[c][i] * gain + sigma * GaussianTable.VALUES[noise.nextInt() & GaussianTable.MASK];
        int q = Math.round(Math.max(0f, Math.min(255f, v)));
        bgr[3 * i + 2 - c] = (byte) q;
      }
    }
    return img;
  }

  /** Shading in the shape's own frame: it turns with the shape, which makes rotation visible. */
  private static float shade(double u, double v) {
    return (float) (1 + SHADING * (0.6 * u - 0.8 * v));
  }

  private static void drawShaded(
      InstanceTrack track, InstanceTrack.Pose pose, int h, int w, float[][] rgb) {
    float[] col = track.color();
    rasterize(
        track,
        pose,
        h,
        w,
        (px, u, v) -> {
          float shade = shade(u, v);
          rgb[0][px] = col[0] * shade;
          rgb[1][px] = col[1] * shade;
          rgb[2][px] = col[2] * shade;
        });
  }

  /**
   * Standard normal samples for sensor noise, drawn once from a fixed seed: a table lookup per
   * pixel is several times cheaper than {@code nextGaussian}, and just as deterministic.
   */
  private static final class GaussianTable {
    static final int MASK = (1 << 16) - 1;
    static final float[] VALUES = new float[MASK + 1];

    static {
      Random rng = new Random(0x5EED);
      for (int i = 0; i < VALUES.length; i++) {
        VALUES[i] = (float) rng.nextGaussian();
      }
    }
  }

  /** Receives each pixel of a shape: row-major index and the pixel centre in the shape's frame. */
  @FunctionalInterface
  interface PixelSink {
    void accept(int index, double u, double v);
  }

  /** Calls {@code sink} for each in-frame pixel whose centre lies in the shape; returns the count. */
  static int rasterize(InstanceTrack track, InstanceTrack.Pose pose, int h, int w, PixelSink sink) {
    double r = track.radius() * pose.scale();
    double cx = pose.x();
    double cy = pose.y();
    int x0 = Math.max(0, (int) Math.floor(cx - r));
    int x1 = Math.min(w - 1, (int) Math.ceil(cx + r));
    int y0 = Math.max(0, (int) Math.floor(cy - r));
    int y1 = Math.min(h - 1, (int) Math.ceil(cy + r));
    double cos = Math.cos(pose.angle()) / r;
    double sin = Math.sin(pose.angle()) / r;
    ShapeClass shape = track.shape();
    int count = 0;
    for (int y = y0; y <= y1; y++) {
      double dy = y + 0.5 - cy;
      for (int x = x0; x <= x1; x++) {
        double dx = x + 0.5 - cx;
        // rotate the offset by -angle and scale by 1/r into the unit frame
        double u = dx * cos + dy * sin;
        double v = -dx * sin + dy * cos;
        if (shape.contains(u, v)) {
          sink.accept(y * w + x, u, v);
          count++;
        }
      }
    }
    return count;
  }
}
