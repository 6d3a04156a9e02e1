package org.maskprop.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maskprop.data.Rle;

/** Interval merging against pixel counting on decoded masks. */
class TrackMasksTest {

  private static Rle randomMask(SplittableRandom rng, int h, int w) {
    byte[] m = new byte[h * w];
    int blobs = rng.nextInt(4);
    for (int b = 0; b < blobs; b++) {
      int x0 = rng.nextInt(w);
      int y0 = rng.nextInt(h);
      int x1 = x0 + rng.nextInt(w - x0 + 1);
      int y1 = y0 + rng.nextInt(h - y0 + 1);
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          m[y * w + x] = 1;
        }
      }
    }
    if (rng.nextBoolean()) { // salt noise: many short runs
      for (int i = 0; i < h * w / 10; i++) {
        m[rng.nextInt(h * w)] ^= 1;
      }
    }
    return Rle.encode(m, h, w);
  }

  @Test
  void videoIouEqualsPixelCounting() {
    SplittableRandom rng = new SplittableRandom(7);
    for (int trial = 0; trial < 200; trial++) {
      int h = 1 + rng.nextInt(12);
      int w = 1 + rng.nextInt(12);
      int frames = 1 + rng.nextInt(4);
      List<Rle> a = new ArrayList<>();
      List<Rle> b = new ArrayList<>();
      long inter = 0;
      long union = 0;
      for (int f = 0; f < frames; f++) {
        Rle ra = rng.nextInt(4) == 0 ? null : randomMask(rng, h, w);
        Rle rb = rng.nextInt(4) == 0 ? null : randomMask(rng, h, w);
        a.add(ra);
        b.add(rb);
        byte[] ma = ra == null ? new byte[h * w] : ra.decode();
        byte[] mb = rb == null ? new byte[h * w] : rb.decode();
        for (int i = 0; i < h * w; i++) {
          inter += ma[i] & mb[i];
          union += ma[i] | mb[i];
        }
      }
      double want = union > 0 ? (double) inter / union : 0;
      assertEquals(want, TrackMasks.videoIou(TrackMasks.of(a), TrackMasks.of(b)), 0, "trial " + trial);
      assertEquals(want, TrackMasks.videoIou(TrackMasks.of(b), TrackMasks.of(a)), 0, "sym " + trial);
    }
  }

  @Test
  void zeroLengthRunsAreHarmless() {
    // counts with a zero background run between two foreground runs: [2, 3, 0, 2, 3] on 1x10
    Rle odd = new Rle(1, 10, new int[] {2, 3, 0, 2, 3});
    Rle plain = new Rle(1, 10, new int[] {2, 5, 3});
    TrackMasks a = TrackMasks.of(List.of(odd));
    assertEquals(5, a.areas[0]);
    assertEquals(1.0, TrackMasks.videoIou(a, TrackMasks.of(List.of(plain))), 0);
  }
}
