package org.maskprop.dataprep.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.data.Augmentation;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.ImageTensors;
import org.maskprop.data.PairBatch;
import org.maskprop.data.PairLoader;
import org.maskprop.data.PairSampler;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;

class MaskPreviewTest {
  @TempDir Path tmp;

  private static BufferedImage grey(int w, int h, int level) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, level * 0x010101);
      }
    }
    return img;
  }

  /** 3x3 block in a 5x5 grey frame: centre blended 50/50, block border opaque, outside untouched. */
  @Test
  void overlayFillsBlendsAndOutlines() {
    byte[] m = new byte[25];
    for (int y = 1; y <= 3; y++) {
      for (int x = 1; x <= 3; x++) {
        m[y * 5 + x] = 1;
      }
    }
    BufferedImage out = MaskPreview.overlay(grey(5, 5, 100), List.of(m), List.of(Color.RED));
    // (1 - 0.5) * 100 + 0.5 * 255 = 177.5 -> 178; (1 - 0.5) * 100 + 0 = 50
    assertEquals(0xb23232, out.getRGB(2, 2) & 0xffffff);
    assertEquals(0xff0000, out.getRGB(1, 1) & 0xffffff);
    assertEquals(0xff0000, out.getRGB(3, 2) & 0xffffff);
    assertEquals(0x646464, out.getRGB(0, 0) & 0xffffff);
    assertEquals(0x646464, out.getRGB(4, 2) & 0xffffff);
  }

  @Test
  void coloursOfNearbyTrackIdsDiffer() {
    for (int id = 1; id < 20; id++) {
      assertNotEquals(MaskPreview.colour(id), MaskPreview.colour(id + 1));
      assertEquals(MaskPreview.colour(id), MaskPreview.colour(id), "stable");
    }
  }

  /** Normalising a frame for the model and un-normalising it gives the frame back (float rounding). */
  @Test
  void imageInvertsImageTensors() {
    BufferedImage img = new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 7; x++) {
        img.setRGB(x, y, (x * 36) << 16 | (y * 60) << 8 | ((x + y) * 21));
      }
    }
    try (NDManager m = NDManager.newBaseManager()) {
      BufferedImage back = MaskPreview.image(ImageTensors.of(m, img, FrameTransform.identity(5, 7)));
      for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 7; x++) {
          assertEquals(img.getRGB(x, y) & 0xffffff, back.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
        }
      }
    }
  }

  /** Panel 0 of a video strip shows the frame, changed exactly on its instances' mask pixels. */
  @Test
  void videoFramesColoursExactlyTheGtMasks() {
    int h = 32;
    int w = 40;
    SynthVis.generate(new SynthVisSpec(SynthPreset.EASY, 1, 1, 1, 3, h, w, 3, 1), tmp, false);
    Path root = tmp.resolve("train/JPEGImages");
    YtvisDataset d = YtvisDataset.read(tmp.resolve("train.json"), root);
    int f = 1;
    BufferedImage strip = MaskPreview.videoFrames(d, root, 1, new int[] {f, 2}, 1);
    assertEquals(4 + 2 * (w + 4), strip.getWidth());
    byte[] any = new byte[h * w];
    for (YtvisDataset.Annotation a : d.annotationsOf(1)) {
      Rle r = a.segmentations().get(f);
      if (r != null) {
        byte[] m = r.decode();
        for (int i = 0; i < m.length; i++) {
          any[i] |= m[i];
        }
      }
    }
    BufferedImage frame;
    try (FrameSource src = FrameSource.ofImages(root, d.videoById(1))) {
      frame = src.frame(f);
    }
    int masked = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean same = (strip.getRGB(4 + x, 4 + y) & 0xffffff) == (frame.getRGB(x, y) & 0xffffff);
        if (any[y * w + x] == 0) {
          assertTrue(same, "unmasked pixel " + x + "," + y + " changed");
        } else {
          masked++;
        }
      }
    }
    assertTrue(masked > 0, "the frame has an instance");
  }

  /** The pair view: three panels; the targets panel is a darkened t' except on target pixels. */
  @Test
  void pairShowsThreePanelsAndTheTargets() {
    int h = 32;
    int w = 48;
    SynthVis.generate(new SynthVisSpec(SynthPreset.EASY, 2, 1, 1, 4, h, w, 8, 1), tmp, false);
    Path root = tmp.resolve("train/JPEGImages");
    YtvisDataset d = YtvisDataset.read(tmp.resolve("train.json"), root);
    try (NDManager m = NDManager.newBaseManager();
        PairLoader loader = new PairLoader(d, root, new PairSampler(d, 2, 0),
            new Augmentation(List.of(h), w, 0.0, 0), m, false);
        PairBatch b = loader.load(0)) {
      BufferedImage view = MaskPreview.pair(b, 1);
      assertEquals(4 + 3 * (w + 4), view.getWidth());
      BufferedImage tPrime = MaskPreview.image(b.frameTPrime());
      List<byte[]> targets = MaskPreview.masks(b.propagationTargets());
      assertEquals(b.targetsT().size(), targets.size());
      int x0 = 4 + 2 * (w + 4);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          boolean target = false;
          for (byte[] t : targets) {
            target |= t[y * w + x] != 0;
          }
          int expected = MaskPreview.blend(tPrime.getRGB(x, y), 0, 0.6) & 0xffffff;
          int got = view.getRGB(x0 + x, 4 + y) & 0xffffff;
          if (!target) {
            assertEquals(expected, got, "pixel " + x + "," + y);
          }
        }
      }
    }
  }
}
