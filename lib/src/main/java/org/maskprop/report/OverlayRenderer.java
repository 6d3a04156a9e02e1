package org.maskprop.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.maskprop.InputException;
import org.maskprop.data.FrameSource;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.util.AtomicFiles;

/**
 * Draws instance masks (predicted or GT) over video frames: a translucent fill, an opaque outline
 * and a "class score" label per instance, each instance in a colour fixed by its id, so the same
 * video-level instance keeps its colour in every frame (DESIGN.md section 7). Writes PNG frames
 * and an MP4 (FFmpeg's {@code mpeg4} encoder: the bundled FFmpeg has no libx264).
 *
 * <p>Fill: {@code out = round((1 - alpha) * frame + alpha * colour)} per channel on mask pixels;
 * outline pixels (mask pixels with a 4-neighbour outside the mask or the image) take the colour.
 */
public final class OverlayRenderer {
  /** Frames per second of a video whose source does not say (YouTube-VIS keeps 6 of every 30 fps). */
  public static final double DEFAULT_FPS = 6.0;

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /**
   * One instance track to draw.
   *
   * @param id video-level instance id; picks the colour
   * @param label class name shown in the label
   * @param score shown with two decimals; NaN for GT (no score)
   * @param masks one RLE per frame, null where the instance is absent (frames past the end: absent)
   */
  public record Instance(int id, String label, double score, List<Rle> masks) {
    public Instance {
      masks = java.util.Collections.unmodifiableList(new ArrayList<>(masks));
    }

    Rle maskAt(int frame) {
      return frame < masks.size() ? masks.get(frame) : null;
    }
  }

  /**
   * How instances are drawn.
   *
   * @param alpha fill opacity in [0, 1]
   * @param outline draw the mask boundary in the full colour
   * @param labels draw the "class score" label at the mask's top-left corner
   */
  public record Style(double alpha, boolean outline, boolean labels) {
    public static final Style DEFAULT = new Style(0.5, true, true);

    public Style {
      if (!(alpha >= 0 && alpha <= 1)) {
        throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
      }
    }
  }

  private final Style style;

  public OverlayRenderer() {
    this(Style.DEFAULT);
  }

  public OverlayRenderer(Style style) {
    this.style = style;
  }

  /**
   * The colour of an instance id: hues spaced by the golden ratio (consecutive ids far apart on the
   * colour wheel), saturation and brightness alternating over three levels. A pure function of the id.
   */
  public static Color colour(int id) {
    double hue = (0.13 + id * 0.6180339887498949) % 1.0;
    if (hue < 0) {
      hue += 1.0;
    }
    int level = Math.floorMod(id, 3);
    float sat = new float[] {0.85f, 0.65f, 0.95f}[level];
    float bri = new float[] {0.95f, 1.0f, 0.8f}[level];
    return Color.getHSBColor((float) hue, sat, bri);
  }

  /** Frame {@code frameIndex} with the instances drawn over it, as a new TYPE_INT_RGB image. */
  public BufferedImage render(BufferedImage frame, int frameIndex, List<Instance> instances) {
    int w = frame.getWidth();
    int h = frame.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(frame, 0, 0, null);
    int[] px = ((DataBufferInt) out.getRaster().getDataBuffer()).getData(); // [H * W] 0xRRGGBB
    List<int[]> labelBoxes = new ArrayList<>(); // {x, y} of each instance's label, in draw order
    List<Instance> labelled = new ArrayList<>();
    for (Instance inst : instances) {
      Rle rle = inst.maskAt(frameIndex);
      if (rle == null) {
        continue;
      }
      if (rle.height() != h || rle.width() != w) {
        throw new InputException("overlay: instance " + inst.id() + ", frame " + frameIndex + ": mask is "
            + rle.height() + "x" + rle.width() + ", frame is " + h + "x" + w);
      }
      int[] topLeft = blend(px, rle.decode(), w, h, colour(inst.id()).getRGB() & 0xFFFFFF);
      if (topLeft != null) {
        labelBoxes.add(topLeft);
        labelled.add(inst);
      }
    }
    if (style.labels()) {
      drawLabels(g, labelled, labelBoxes, w, h);
    }
    g.dispose();
    return out;
  }

  /** Blends one mask into {@code px}; returns the mask's top-left corner {x, y}, or null if empty. */
  private int[] blend(int[] px, byte[] mask, int w, int h, int rgb) {
    double a = style.alpha();
    int cr = (rgb >> 16) & 0xFF;
    int cg = (rgb >> 8) & 0xFF;
    int cb = rgb & 0xFF;
    // (1 - a) * v + a * c for every v in 0..255, per channel: one table lookup per pixel
    int[] lr = new int[256];
    int[] lg = new int[256];
    int[] lb = new int[256];
    for (int v = 0; v < 256; v++) {
      lr[v] = (int) Math.round((1 - a) * v + a * cr);
      lg[v] = (int) Math.round((1 - a) * v + a * cg);
      lb[v] = (int) Math.round((1 - a) * v + a * cb);
    }
    int minX = Integer.MAX_VALUE;
    int minY = Integer.MAX_VALUE;
    for (int y = 0; y < h; y++) {
      int row = y * w;
      for (int x = 0; x < w; x++) {
        int i = row + x;
        if (mask[i] == 0) {
          continue;
        }
        minX = Math.min(minX, x);
        minY = Math.min(minY, y);
        boolean edge = style.outline()
            && (x == 0 || y == 0 || x == w - 1 || y == h - 1
                || mask[i - 1] == 0 || mask[i + 1] == 0 || mask[i - w] == 0 || mask[i + w] == 0);
        if (edge) {
          px[i] = rgb;
        } else {
          int v = px[i];
          px[i] = (lr[(v >> 16) & 0xFF] << 16) | (lg[(v >> 8) & 0xFF] << 8) | lb[v & 0xFF];
        }
      }
    }
    return minX == Integer.MAX_VALUE ? null : new int[] {minX, minY};
  }

  private static void drawLabels(Graphics2D g, List<Instance> instances, List<int[]> corners, int w, int h) {
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(9, Math.min(14, h / 24))));
    FontMetrics fm = g.getFontMetrics();
    for (int k = 0; k < instances.size(); k++) {
      Instance inst = instances.get(k);
      String text = Double.isNaN(inst.score()) ? inst.label()
          : inst.label() + " " + String.format(Locale.ROOT, "%.2f", inst.score());
      int tw = fm.stringWidth(text) + 4;
      int th = fm.getAscent() + fm.getDescent() + 2;
      int x = Math.max(0, Math.min(corners.get(k)[0], w - tw));
      int y = corners.get(k)[1] - th; // above the mask when there is room, else inside it
      if (y < 0) {
        y = Math.min(corners.get(k)[1], Math.max(0, h - th));
      }
      Color c = colour(inst.id());
      g.setColor(c);
      g.fillRect(x, y, tw, th);
      double luma = 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
      g.setColor(luma > 140 ? Color.BLACK : Color.WHITE);
      g.drawString(text, x + 2, y + 1 + fm.getAscent());
    }
  }

  /** Writes {@code dir/00000.png}, ... one overlaid frame per source frame; returns the count. */
  public int writeFrames(FrameSource source, List<Instance> instances, Path dir) {
    int[] all = new int[source.frameCount()];
    for (int t = 0; t < all.length; t++) {
      all[t] = t;
    }
    return writeFrames(source, instances, dir, all);
  }

  /**
   * Writes the overlaid frames {@code frames} (indices into the source) as {@code dir/<index
   * 5 digits>.png}; returns the count.
   */
  public int writeFrames(FrameSource source, List<Instance> instances, Path dir, int[] frames) {
    for (int t : frames) {
      BufferedImage img = render(source.frame(t), t, instances);
      AtomicFiles.write(dir.resolve(String.format(Locale.ROOT, "%05d.png", t)), out -> {
        if (!ImageIO.write(img, "png", out)) {
          throw new IOException("no PNG writer");
        }
      });
    }
    return frames.length;
  }

  /**
   * Writes the overlaid video as MP4 (MPEG-4 part 2, yuv420p) at {@code fps} (NaN or non-positive:
   * the source's rate, else {@link #DEFAULT_FPS}). Odd frame sizes are padded by one black
   * row/column (yuv420p needs even sizes). Written to a temp file and renamed into place.
   */
  public void writeVideo(FrameSource source, List<Instance> instances, Path mp4, double fps) {
    double rate = fps > 0 ? fps : source.fps() > 0 ? source.fps() : DEFAULT_FPS;
    int w = source.width() + (source.width() & 1);
    int h = source.height() + (source.height() & 1);
    Path target = mp4.toAbsolutePath();
    Path tmp;
    try {
      Files.createDirectories(target.getParent());
      String prefix = "." + target.getFileName() + ".";
      // readable like any other output (createTempFile alone makes it 0600)
      tmp = target.getFileSystem().supportedFileAttributeViews().contains("posix")
          ? Files.createTempFile(target.getParent(), prefix, ".tmp.mp4",
              java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                  java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--")))
          : Files.createTempFile(target.getParent(), prefix, ".tmp.mp4");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + mp4 + ": " + e.getMessage(), e);
    }
    boolean done = false;
    try (Java2DFrameConverter converter = new Java2DFrameConverter()) {
      FFmpegFrameRecorder rec = new FFmpegFrameRecorder(tmp.toFile(), w, h, 0);
      rec.setFormat("mp4");
      rec.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
      rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
      rec.setFrameRate(rate);
      rec.setVideoQuality(2); // qscale 2: near-lossless for MPEG-4 part 2
      rec.setGopSize(12);
      try {
        rec.start();
        BufferedImage canvas = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int t = 0; t < source.frameCount(); t++) {
          Graphics2D g = canvas.createGraphics();
          g.setColor(Color.BLACK);
          g.fillRect(0, 0, w, h);
          g.drawImage(render(source.frame(t), t, instances), 0, 0, null);
          g.dispose();
          rec.record(converter.convert(canvas), avutil.AV_PIX_FMT_BGR24);
        }
        rec.stop();
      } finally {
        rec.release();
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      done = true;
    } catch (FrameRecorder.Exception e) {
      throw new UncheckedIOException("cannot encode " + mp4 + ": " + e.getMessage(), new IOException(e));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + mp4 + ": " + e.getMessage(), e);
    } finally {
      if (!done) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the original error matters more
        }
      }
    }
  }

  /**
   * The results of one video as instances: ids 1, 2, ... in the given order (one result is one
   * video-level instance of one category), labels from the dataset's category names.
   */
  public static List<Instance> fromResults(List<YtvisResult> results, YtvisDataset dataset, int videoId) {
    return fromResults(results, c -> categoryName(dataset, c), videoId);
  }

  /** As {@link #fromResults(List, YtvisDataset, int)} with class names from {@code categoryName}. */
  public static List<Instance> fromResults(
      List<YtvisResult> results, java.util.function.IntFunction<String> categoryName, int videoId) {
    List<Instance> out = new ArrayList<>();
    int id = 1;
    for (YtvisResult r : results) {
      if (r.videoId() == videoId) {
        out.add(new Instance(id++, categoryName.apply(r.categoryId()), r.score(), r.segmentations()));
      }
    }
    return out;
  }

  /** The GT tracks of one video as instances (ids = annotation ids, no score). */
  public static List<Instance> fromGroundTruth(YtvisDataset dataset, int videoId) {
    List<Instance> out = new ArrayList<>();
    for (YtvisDataset.Annotation a : dataset.annotationsOf(videoId)) {
      out.add(new Instance(a.id(), categoryName(dataset, a.categoryId()), Double.NaN, a.segmentations()));
    }
    return out;
  }

  private static String categoryName(YtvisDataset dataset, int categoryId) {
    YtvisDataset.Category c = dataset.categoryById(categoryId);
    return c == null ? "class " + categoryId : c.name();
  }
}
