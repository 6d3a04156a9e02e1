package org.maskprop.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.data.FrameSource;
import org.maskprop.data.Rle;

class OverlayRendererTest {
  @TempDir Path dir;

  static final int H = 20;
  // 64: FrameSource.ofVideoFile decodes narrow videos (width 30 or 32) to frames whose padded
  // stride JavaCV reads as 6 channels (an assertion in Java2DFrameConverter under -ea)
  static final int W = 64;

  /** A filled rectangle mask [y0, y1) x [x0, x1). */
  static Rle rect(int y0, int y1, int x0, int x1) {
    byte[] m = new byte[H * W];
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        m[y * W + x] = 1;
      }
    }
    return Rle.encode(m, H, W);
  }

  static BufferedImage grey(int v) {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    return img;
  }

  @Test
  void fillColoursExactlyTheMaskPixelsWithTheBlendFormula() {
    OverlayRenderer r = new OverlayRenderer(new OverlayRenderer.Style(0.5, true, false));
    var inst = new OverlayRenderer.Instance(7, "circle", 0.9, List.of(rect(5, 12, 10, 20)));
    BufferedImage out = r.render(grey(100), 0, List.of(inst));
    Color c = OverlayRenderer.colour(7);
    int changed = 0;
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        boolean inMask = y >= 5 && y < 12 && x >= 10 && x < 20;
        int rgb = out.getRGB(x, y) & 0xFFFFFF;
        if (!inMask) {
          assertEquals(0x646464, rgb, "untouched outside the mask at " + x + "," + y);
          continue;
        }
        changed++;
        boolean edge = y == 5 || y == 11 || x == 10 || x == 19;
        int er = edge ? c.getRed() : (int) Math.round(0.5 * 100 + 0.5 * c.getRed());
        int eg = edge ? c.getGreen() : (int) Math.round(0.5 * 100 + 0.5 * c.getGreen());
        int eb = edge ? c.getBlue() : (int) Math.round(0.5 * 100 + 0.5 * c.getBlue());
        assertEquals((er << 16) | (eg << 8) | eb, rgb, "pixel " + x + "," + y + (edge ? " (outline)" : " (fill)"));
      }
    }
    assertEquals(7 * 10, changed);
    // one hand-computed fill pixel: alpha 0.25 over grey 200
    OverlayRenderer q = new OverlayRenderer(new OverlayRenderer.Style(0.25, false, false));
    int rgb = q.render(grey(200), 0, List.of(inst)).getRGB(10, 5) & 0xFFFFFF;
    assertEquals((int) Math.round(0.75 * 200 + 0.25 * c.getRed()), (rgb >> 16) & 0xFF);
    assertEquals((int) Math.round(0.75 * 200 + 0.25 * c.getBlue()), rgb & 0xFF);
  }

  @Test
  void coloursAreStablePerIdAndDifferAcrossIds() {
    Set<Integer> seen = new HashSet<>();
    for (int id = 0; id < 64; id++) {
      assertEquals(OverlayRenderer.colour(id), OverlayRenderer.colour(id));
      assertTrue(seen.add(OverlayRenderer.colour(id).getRGB()), "id " + id + " repeats a colour");
    }
    // the same id in two frames at different places gets the same colour; another id another one
    OverlayRenderer r = new OverlayRenderer(new OverlayRenderer.Style(1.0, false, false));
    var a = new OverlayRenderer.Instance(3, "a", 0.5, List.of(rect(0, 5, 0, 5), rect(10, 15, 20, 25)));
    var b = new OverlayRenderer.Instance(4, "b", 0.5, List.of(rect(10, 15, 0, 5), rect(0, 5, 10, 15)));
    BufferedImage f0 = r.render(grey(0), 0, List.of(a, b));
    BufferedImage f1 = r.render(grey(0), 1, List.of(a, b));
    assertEquals(f0.getRGB(2, 2), f1.getRGB(22, 12));
    assertEquals(OverlayRenderer.colour(3).getRGB(), f0.getRGB(2, 2));
    assertEquals(f0.getRGB(2, 12), f1.getRGB(12, 2));
    assertNotEquals(f0.getRGB(2, 2), f0.getRGB(2, 12));
  }

  @Test
  void labelsAreDrawnAndAMaskOfTheWrongSizeIsRejected() {
    OverlayRenderer r = new OverlayRenderer();
    var inst = new OverlayRenderer.Instance(1, "circle", 0.87, List.of(rect(12, 18, 5, 25)));
    BufferedImage out = r.render(grey(0), 0, List.of(inst));
    int labelled = 0;
    for (int y = 0; y < 12; y++) { // the label sits above the mask
      for (int x = 0; x < W; x++) {
        labelled += (out.getRGB(x, y) & 0xFFFFFF) != 0 ? 1 : 0;
      }
    }
    assertTrue(labelled > 20, "label pixels above the mask: " + labelled);
    var wrong = new OverlayRenderer.Instance(2, "x", 0.5, List.of(Rle.empty(H + 1, W)));
    InputException e = assertThrows(InputException.class, () -> r.render(grey(0), 0, List.of(wrong)));
    assertTrue(e.getMessage().contains("instance 2") && e.getMessage().contains("frame 0"), e.getMessage());
  }

  @Test
  void framesAndMp4AreWrittenAndReadBack() throws Exception {
    int n = 8;
    Path frames = dir.resolve("in");
    List<String> names = new ArrayList<>();
    List<Rle> masks = new ArrayList<>();
    Files.createDirectories(frames);
    for (int t = 0; t < n; t++) {
      String name = String.format("%05d.png", t);
      ImageIO.write(grey(40 + 10 * t), "png", frames.resolve(name).toFile());
      names.add(name);
      masks.add(t == 3 ? null : rect(4, 16, t, t + 10));
    }
    var inst = new OverlayRenderer.Instance(5, "square", 0.75, masks);
    OverlayRenderer r = new OverlayRenderer(new OverlayRenderer.Style(0.5, true, false));
    try (FrameSource src = FrameSource.ofImages(frames, names)) {
      assertEquals(n, r.writeFrames(src, List.of(inst), dir.resolve("out")));
      BufferedImage f3 = ImageIO.read(dir.resolve("out/00003.png").toFile());
      assertEquals(0x464646, f3.getRGB(5, 10) & 0xFFFFFF, "frame 3 has no mask: grey 70 untouched");
      BufferedImage f2 = ImageIO.read(dir.resolve("out/00002.png").toFile());
      assertEquals(OverlayRenderer.colour(5).getRGB(), f2.getRGB(2, 10), "outline pixel at x = 2");

      Path mp4 = dir.resolve("video/overlay.mp4");
      r.writeVideo(src, List.of(inst), mp4, 6.0);
      assertTrue(Files.size(mp4) > 0);
      try (FrameSource back = FrameSource.ofVideoFile(mp4)) {
        assertEquals(n, back.frameCount());
        assertEquals(W, back.width());
        assertEquals(H, back.height());
        // lossy codec: the fill colour survives approximately in the middle of the mask
        int got = back.frame(5).getRGB(10, 10);
        BufferedImage ref = r.render(src.frame(5), 5, List.of(inst));
        int want = ref.getRGB(10, 10);
        for (int shift = 0; shift <= 16; shift += 8) {
          assertTrue(Math.abs(((got >> shift) & 0xFF) - ((want >> shift) & 0xFF)) < 24,
              String.format("decoded %06x vs rendered %06x", got & 0xFFFFFF, want & 0xFFFFFF));
        }
      }
    }
  }
}
