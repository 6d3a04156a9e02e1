package org.maskprop.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.ImageTensors;

/**
 * Frame to model input ({@link ImageTensors}): resize + flip + normalise, in Java ({@code
 * frame_resize_java}, the path the loader uses) versus engine ops ({@code frame_resize_engine},
 * {@code NDImageUtils.resize}), over the sizes the presets produce: SynthVIS 96x128 frames at the
 * CPU presets' scales, YouTube-VIS 720x1280 frames at 400 and 800 (capped at 1333), and an upscale.
 * A {@code jpeg_decode} row (ImageIO, 720x1280) puts the numbers in proportion. Each timed call
 * produces the {@code [3, H, W]} NDArray and closes it. No peer: the two rows compare with each
 * other.
 *
 * <p>Run: {@code java -cp <lib classpath> org.maskprop.bench.FrameResizeBench [regex]}.
 */
public final class FrameResizeBench {
  private FrameResizeBench() {}

  private record Case(int inH, int inW, int shorter, int maxSize) {}

  private static final List<Case> CASES = List.of(
      new Case(96, 128, 64, 96),
      new Case(96, 128, 96, 160),
      new Case(720, 1280, 400, 1333),
      new Case(720, 1280, 800, 1333),
      new Case(480, 640, 800, 1333));

  public static void run(BenchOptions options, Consumer<BenchRow> sink) {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (Case c : CASES) {
        BufferedImage img = noise(c.inH, c.inW, new Random(c.inH * 31L + c.shorter));
        FrameTransform t = FrameTransform.resizeShorter(c.inH, c.inW, c.shorter, c.maxSize, true);
        int runs = options.runsOr(c.inH > 100 ? 20 : 100);
        int warmup = options.warmupOr(5);
        if (options.selects("frame_resize_java")) {
          sink.accept(OpTimer.time("frame_resize_java", params(c, t), warmup, runs, () -> {
            try (NDManager m = manager.newSubManager()) {
              NDArray x = ImageTensors.of(m, img, t);
              x.getShape();
            }
          }));
        }
        if (options.selects("frame_resize_engine")) {
          sink.accept(OpTimer.time("frame_resize_engine", params(c, t), warmup, runs, () -> {
            try (NDManager m = manager.newSubManager()) {
              NDArray x = ImageTensors.ofOnEngine(m, img, t);
              x.toFloatArray(); // forces the work to finish inside the clock
            }
          }));
        }
      }
      if (options.selects("jpeg_decode")) {
        byte[] jpeg = jpeg(noise(720, 1280, new Random(5)));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("in", List.of(720, 1280));
        sink.accept(OpTimer.time("jpeg_decode", p, options.warmupOr(3), options.runsOr(20), () -> {
          try {
            ImageIO.read(new ByteArrayInputStream(jpeg)).getWidth();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }));
      }
    }
  }

  private static Map<String, Object> params(Case c, FrameTransform t) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("in", List.of(c.inH, c.inW));
    p.put("out", List.of(t.outHeight(), t.outWidth()));
    p.put("flip", t.flip());
    return p;
  }

  /** Smooth gradients plus noise, so that JPEG and the resize see realistic content. */
  private static BufferedImage noise(int h, int w, Random r) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = (x * 255 / w + r.nextInt(32)) & 0xff;
        int g = (y * 255 / h + r.nextInt(32)) & 0xff;
        img.setRGB(x, y, (v << 16) | (g << 8) | ((v + g) / 2));
      }
    }
    return img;
  }

  private static byte[] jpeg(BufferedImage img) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "jpg", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Prints one JSON line per row; the optional argument is the op regex. */
  public static void main(String[] args) {
    Pattern ops = Pattern.compile(args.length > 0 ? args[0] : ".");
    run(new BenchOptions(ops, 0, -1), row -> System.out.println(row.toJson()));
  }
}
