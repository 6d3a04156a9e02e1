package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void resizeShorterFollowsDetectron2Rounding() {
    // 720x1280 to shorter 800: 800 x 1422.2 exceeds 1333, so the longer side becomes 1333 and
    // the shorter 720 * 1333 / 1280 = 749.8 -> 750
    FrameTransform a = FrameTransform.resizeShorter(720, 1280, 800, 1333, false);
    assertEquals(750, a.outHeight());
    assertEquals(1333, a.outWidth());
    // 720x1280 to 400: 400 x 711.1 -> 711
    FrameTransform b = FrameTransform.resizeShorter(720, 1280, 400, 1333, false);
    assertEquals(400, b.outHeight());
    assertEquals(711, b.outWidth());
    // portrait 128x96 to 64, cap 96: 85.33 x 64 -> 85 x 64
    FrameTransform c = FrameTransform.resizeShorter(128, 96, 64, 96, true);
    assertEquals(85, c.outHeight());
    assertEquals(64, c.outWidth());
    assertTrue(c.flip());
  }

  @Test
  void nearestIndexUsesPixelCentres() {
    assertArrayEquals(new int[] {1, 3}, FrameTransform.nearestIndex(4, 2, false)); // floor((2j+1)*4/4)
    assertArrayEquals(new int[] {0, 0, 1, 1}, FrameTransform.nearestIndex(2, 4, false));
    assertArrayEquals(new int[] {0, 1, 1}, FrameTransform.nearestIndex(2, 3, false)); // 1/3, 1, 5/3
    assertArrayEquals(new int[] {2, 1, 0}, FrameTransform.nearestIndex(3, 3, true));
  }

  @Test
  void boxesScaleAndFlipExactly() {
    FrameTransform t = new FrameTransform(10, 20, 5, 30, false); // sy 0.5, sx 1.5
    assertArrayEquals(new float[] {3, 1, 15, 4}, t.box(new float[] {2, 2, 10, 8}));
    assertArrayEquals(new float[] {15, 1, 27, 4}, t.withFlip(true).box(new float[] {2, 2, 10, 8}));
  }

  static FrameInstances randomInstances(Random r, int h, int w, int n) {
    int[] ids = new int[n];
    int[] cls = new int[n];
    byte[][] masks = new byte[n][];
    float[][] boxes = new float[n][];
    for (int i = 0; i < n; i++) {
      int x1 = r.nextInt(w - 1);
      int y1 = r.nextInt(h - 1);
      int x2 = x1 + 1 + r.nextInt(w - x1 - 1);
      int y2 = y1 + 1 + r.nextInt(h - y1 - 1);
      // a rectangle with random holes inside (its outline is full, so the box is tight and the
      // extreme rows and columns survive any resampling that keeps the mask non-empty)
      byte[] m = new byte[h * w];
      for (int y = y1; y < y2; y++) {
        for (int x = x1; x < x2; x++) {
          boolean outline = x == x1 || x == x2 - 1 || y == y1 || y == y2 - 1;
          if (outline || r.nextInt(3) > 0) {
            m[y * w + x] = 1;
          }
        }
      }
      ids[i] = 100 + i;
      cls[i] = 1 + r.nextInt(3);
      masks[i] = m;
      boxes[i] = new float[] {x1, y1, x2, y2};
    }
    return new FrameInstances(h, w, ids, cls, masks, boxes);
  }

  /** Tight XYXY box of a row-major mask (pixel edges). */
  static float[] tightBox(byte[] m, int h, int w) {
    int x1 = w;
    int y1 = h;
    int x2 = -1;
    int y2 = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (m[y * w + x] != 0) {
          x1 = Math.min(x1, x);
          y1 = Math.min(y1, y);
          x2 = Math.max(x2, x);
          y2 = Math.max(y2, y);
        }
      }
    }
    return new float[] {x1, y1, x2 + 1, y2 + 1};
  }

  @Test
  void flipTwiceIsTheIdentityOnMasksAndBoxes() {
    FrameInstances in = randomInstances(new Random(1), 13, 17, 4);
    FrameTransform flip = new FrameTransform(13, 17, 13, 17, true);
    FrameInstances once = in.transform(flip);
    FrameInstances twice = once.transform(flip);
    for (int i = 0; i < in.size(); i++) {
      for (int y = 0; y < 13; y++) {
        for (int x = 0; x < 17; x++) {
          assertEquals(in.masks()[i][y * 17 + 16 - x], once.masks()[i][y * 17 + x], "mirror image");
        }
      }
      assertArrayEquals(in.masks()[i], twice.masks()[i]);
      assertArrayEquals(in.boxes()[i], twice.boxes()[i]);
      // a flipped mask is the mirror image, and its box the mirrored box
      assertArrayEquals(tightBox(once.masks()[i], 13, 17), once.boxes()[i]);
    }
    // and as tensors: flipping the mask tensor along W gives the flipped targets
    try (NDManager m = manager.newSubManager()) {
      FrameTargets a = in.toTargets(m);
      FrameTargets b = once.toTargets(m);
      assertArrayEquals(a.masks().flip(2).toByteArray(), b.masks().toByteArray());
      assertArrayEquals(a.classes().toLongArray(), b.classes().toLongArray());
      assertArrayEquals(a.trackIds(), b.trackIds());
    }
  }

  @Test
  void boxOfResizedMaskIsTheResizedBoxWithinOnePixel() {
    Random r = new Random(7);
    int checked = 0;
    for (int trial = 0; trial < 60; trial++) {
      int h = 8 + r.nextInt(40);
      int w = 8 + r.nextInt(40);
      FrameInstances in = randomInstances(r, h, w, 3);
      FrameTransform t = new FrameTransform(h, w, 4 + r.nextInt(90), 4 + r.nextInt(90), r.nextBoolean());
      FrameInstances out = in.transform(t);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(tightBox(in.masks()[i], h, w), in.boxes()[i], "fixture boxes are tight");
        byte[] m = out.masks()[i];
        boolean any = false;
        for (byte b : m) {
          any |= b != 0;
        }
        if (!any) {
          continue; // a thin mask may vanish when shrunk
        }
        float[] got = tightBox(m, t.outHeight(), t.outWidth());
        float[] want = out.boxes()[i];
        for (int k = 0; k < 4; k++) {
          // pixel-centre nearest: within half an output pixel (the brief asks for 1)
          assertEquals(want[k], got[k], 0.5 + 1e-4, "trial " + trial + " instance " + i + " coordinate " + k + " " + t);
        }
        checked++;
      }
    }
    assertTrue(checked > 100, "checked " + checked);
  }

  @Test
  void samplesAreAPureFunctionOfSeedAndIteration() {
    Augmentation a = new Augmentation(List.of(400, 800), 1333, 0.5, 42);
    Augmentation b = new Augmentation(List.of(400, 800), 1333, 0.5, 42);
    Augmentation c = new Augmentation(List.of(400, 800), 1333, 0.5, 43);
    int differ = 0;
    for (long i = 0; i < 50; i++) {
      assertEquals(a.sample(i, 720, 1280), b.sample(i, 720, 1280));
      assertEquals(a.sample(i, 720, 1280), a.sample(i, 720, 1280));
      if (!a.sample(i, 720, 1280).equals(c.sample(i, 720, 1280))) {
        differ++;
      }
    }
    assertTrue(differ > 40, "other seed gives other transforms: " + differ);
  }

  @Test
  void twoScalesAreARangeOtherListsAChoice() {
    Augmentation range = new Augmentation(List.of(800, 400), 100_000, 0.5, 1);
    Set<Integer> seen = new HashSet<>();
    int flips = 0;
    int n = 4000;
    for (long i = 0; i < n; i++) {
      FrameTransform t = range.sample(i, 720, 1280);
      assertTrue(t.outHeight() >= 400 && t.outHeight() <= 800, "shorter side " + t.outHeight());
      seen.add(t.outHeight());
      flips += t.flip() ? 1 : 0;
    }
    assertTrue(seen.contains(400) && seen.contains(800) && seen.size() > 350, "range covered: " + seen.size());
    assertEquals(0.5, flips / (double) n, 0.03);

    Augmentation choice = new Augmentation(List.of(300, 500, 700), 100_000, 0.0, 1);
    Set<Integer> chosen = new HashSet<>();
    for (long i = 0; i < 200; i++) {
      FrameTransform t = choice.sample(i, 720, 1280);
      chosen.add(t.outHeight());
      assertFalse(t.flip());
    }
    assertEquals(Set.of(300, 500, 700), chosen);

    Augmentation capped = new Augmentation(List.of(800), 1000, 1.0, 1);
    FrameTransform t = capped.sample(3, 720, 1280);
    assertEquals(1000, t.outWidth());
    assertEquals(563, t.outHeight()); // 720 * 1000 / 1280 = 562.5, rounded half up
    assertTrue(t.flip());
  }

  static BufferedImage solid(int h, int w, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  @Test
  void normalisationUsesTorchvisionImagenetValuesInRgbOrder() {
    BufferedImage img = solid(3, 4, (255 << 16) | (128 << 8)); // R 255, G 128, B 0
    float[] v = ImageTensors.normalized(img, FrameTransform.identity(3, 4));
    assertEquals(3 * 12, v.length);
    double r = (1.0 - 0.485) / 0.229; // 2.2489
    double g = (128 / 255.0 - 0.456) / 0.224; // 0.2052
    double b = (0.0 - 0.406) / 0.225; // -1.8044
    for (int k = 0; k < 12; k++) {
      assertEquals(r, v[k], 1e-5);
      assertEquals(g, v[12 + k], 1e-5);
      assertEquals(b, v[24 + k], 1e-5);
    }
  }

  @Test
  void javaResizeMatchesTheEngineBilinear() {
    BufferedImage img = PairFixtures.pattern(PairFixtures.video(1, 37, 53, 1), 3);
    FrameTransform[] cases = {
      FrameTransform.identity(37, 53),
      new FrameTransform(37, 53, 37, 53, true),
      new FrameTransform(37, 53, 20, 29, false), // down
      new FrameTransform(37, 53, 80, 111, true), // up, flipped
      FrameTransform.resizeShorter(37, 53, 24, 1000, true),
    };
    for (FrameTransform t : cases) {
      try (NDManager m = manager.newSubManager()) {
        NDArray java = ImageTensors.of(m, img, t);
        NDArray engine = ImageTensors.ofOnEngine(m, img, t);
        assertEquals(engine.getShape(), java.getShape());
        float[] a = java.toFloatArray();
        float[] e = engine.toFloatArray();
        float maxDiff = 0;
        for (int k = 0; k < a.length; k++) {
          maxDiff = Math.max(maxDiff, Math.abs(a[k] - e[k]));
        }
        assertTrue(maxDiff < 1e-4, t + ": max difference " + maxDiff);
      }
    }
  }

  @Test
  void differentSeedsOrIterationsGiveDifferentTransforms() {
    Augmentation a = new Augmentation(List.of(400, 800), 1333, 0.5, 42);
    assertNotEquals(a.sample(0, 720, 1280), a.sample(1, 720, 1280));
  }
}
