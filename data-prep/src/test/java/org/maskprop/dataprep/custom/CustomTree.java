package org.maskprop.dataprep.custom;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A small custom-data folder with known masks: video {@code swim} (2 PNG frames {@code f2},
 * {@code f10}, 8-bit grayscale and 4-bit palette masks, instance 5) and video {@code walk} (3 JPEG
 * frames, 8-bit palette masks, instances 1 and 2, instance 2 absent in frame 0). Frames are
 * {@value #W}x{@value #H}.
 */
final class CustomTree {
  static final int W = 10;
  static final int H = 8;

  private CustomTree() {}

  /** Instance ids of walk's frame f: instance 1 a 3x2 box moving right, instance 2 an L shape. */
  static int[] walk(int f) {
    int[] ids = new int[H * W];
    for (int y = 1; y <= 2; y++) {
      for (int x = 1 + f; x <= 3 + f; x++) {
        ids[y * W + x] = 1;
      }
    }
    if (f > 0) {
      int[][] l = {{6, 4}, {6, 5}, {6, 6}, {7, 6}, {8, 6}}; // (x, y)
      for (int[] p : l) {
        ids[p[1] * W + p[0] + (f - 1)] = 2;
      }
    }
    return ids;
  }

  /** Instance ids of swim's frame k (0: f2, 1: f10): instance 5, a 2x3 box then a single pixel. */
  static int[] swim(int k) {
    int[] ids = new int[H * W];
    if (k == 0) {
      for (int y = 3; y < 6; y++) {
        ids[y * W + 4] = 5;
        ids[y * W + 5] = 5;
      }
    } else {
      ids[7 * W + 9] = 5; // bottom-right corner
    }
    return ids;
  }

  static Path write(Path in) throws IOException {
    for (int f = 0; f < 3; f++) {
      writeFrame(in.resolve("JPEGImages/walk/" + String.format("%05d", f) + ".jpg"), W, H, "jpg");
      writeIndexed(in.resolve("Annotations/walk/" + String.format("%05d", f) + ".png"), W, H,
          walk(f), 8);
    }
    writeFrame(in.resolve("JPEGImages/swim/f2.png"), W, H, "png");
    writeFrame(in.resolve("JPEGImages/swim/f10.png"), W, H, "png");
    writeGray(in.resolve("Annotations/swim/f2.png"), W, H, swim(0));
    writeIndexed(in.resolve("Annotations/swim/f10.png"), W, H, swim(1), 4);
    Files.writeString(in.resolve("categories.csv"),
        "video,instance,category\nwalk,1,person\nwalk,2,dog\n\n# a comment\nswim,5,duck\nswim,7,duck\n");
    return in;
  }

  static void writeFrame(Path p, int w, int h, String format) throws IOException {
    Files.createDirectories(p.getParent());
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    img.setRGB(w - 1, h - 1, 0x20c0f0);
    ImageIO.write(img, format, p.toFile());
  }

  /**
   * A palette PNG whose colours say nothing about the ids: scrambled, and index 2 has the same
   * colour as index 0 (black), so only the raw index can tell them apart.
   */
  static void writeIndexed(Path p, int w, int h, int[] ids, int bits) throws IOException {
    int n = 1 << bits;
    byte[] r = new byte[n];
    byte[] g = new byte[n];
    byte[] b = new byte[n];
    for (int i = 1; i < n; i++) {
      r[i] = (byte) (255 - 37 * i);
      g[i] = (byte) (91 * i);
      b[i] = (byte) (13 + 59 * i);
    }
    r[2] = 0;
    g[2] = 0;
    b[2] = 0;
    IndexColorModel cm = new IndexColorModel(bits, n, r, g, b);
    BufferedImage img = new BufferedImage(w, h,
        bits == 8 ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_BYTE_BINARY, cm);
    img.getRaster().setPixels(0, 0, w, h, ids);
    Files.createDirectories(p.getParent());
    ImageIO.write(img, "png", p.toFile());
  }

  static void writeGray(Path p, int w, int h, int[] ids) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setPixels(0, 0, w, h, ids);
    Files.createDirectories(p.getParent());
    ImageIO.write(img, "png", p.toFile());
  }

  static void writeRgb(Path p, int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    img.setRGB(1, 1, 0x010101);
    Files.createDirectories(p.getParent());
    ImageIO.write(img, "png", p.toFile());
  }
}
