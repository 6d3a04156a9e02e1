package org.maskprop.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import javax.imageio.ImageIO;

/** Tiny hand-built datasets for the pair-loading tests: records in memory, frames written as PNG/JPEG. */
final class PairFixtures {
  private PairFixtures() {}

  /** Row-major mask of a rectangle covering columns x1..x2-1 and rows y1..y2-1. */
  static byte[] rectMask(int h, int w, int x1, int y1, int x2, int y2) {
    byte[] m = new byte[h * w];
    for (int y = y1; y < y2; y++) {
      for (int x = x1; x < x2; x++) {
        m[y * w + x] = 1;
      }
    }
    return m;
  }

  static Rle rect(int h, int w, int x1, int y1, int x2, int y2) {
    return Rle.encode(rectMask(h, w, x1, y1, x2, y2), h, w);
  }

  /** A video whose frame f is {@code v<id>/<f>.png} (PNG: lossless, so pixel values are exact). */
  static YtvisDataset.Video video(int id, int h, int w, int length) {
    List<String> names = new ArrayList<>();
    for (int f = 0; f < length; f++) {
      names.add(String.format("v%d/%05d.png", id, f));
    }
    return new YtvisDataset.Video(id, w, h, length, names);
  }

  /** An annotation with areas and bboxes derived from the masks (null entries stay null). */
  static YtvisDataset.Annotation ann(int id, YtvisDataset.Video v, int categoryId, int iscrowd, List<Rle> segs) {
    List<Double> areas = new ArrayList<>();
    List<double[]> boxes = new ArrayList<>();
    for (Rle r : segs) {
      areas.add(r == null ? null : (double) r.area());
      boxes.add(r == null ? null : r.toBbox());
    }
    return new YtvisDataset.Annotation(id, v.id(), categoryId, iscrowd, v.height(), v.width(), segs, areas, boxes);
  }

  static List<YtvisDataset.Category> categories(int... ids) {
    List<YtvisDataset.Category> cs = new ArrayList<>();
    for (int id : ids) {
      cs.add(new YtvisDataset.Category(id, "c" + id, null));
    }
    return cs;
  }

  /** Writes every frame of the videos under {@code root}; {@code paint(video, frame)} draws one. */
  static void writeFrames(Path root, List<YtvisDataset.Video> videos,
      BiFunction<YtvisDataset.Video, Integer, BufferedImage> paint) {
    try {
      for (YtvisDataset.Video v : videos) {
        for (int f = 0; f < v.length(); f++) {
          Path p = root.resolve(v.fileNames().get(f));
          Files.createDirectories(p.getParent());
          ImageIO.write(paint.apply(v, f), "png", p.toFile());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A frame with a smooth colour pattern that depends on the frame index. */
  static BufferedImage pattern(YtvisDataset.Video v, int f) {
    BufferedImage img = new BufferedImage(v.width(), v.height(), BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < v.height(); y++) {
      for (int x = 0; x < v.width(); x++) {
        int r = (x * 255 / Math.max(1, v.width() - 1) + 7 * f) & 0xff;
        int g = (y * 255 / Math.max(1, v.height() - 1)) & 0xff;
        int b = ((x + y) * 13 + 31 * f) & 0xff;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return img;
  }
}
