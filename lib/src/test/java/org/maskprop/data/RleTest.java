package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;

class RleTest {

  /** Brute-force reference: row-major mask -> column-major run list starting with background. */
  static int[] referenceCounts(byte[] mask, int h, int w) {
    List<Integer> runs = new ArrayList<>();
    int v = 0;
    int run = 0;
    for (int x = 0; x < w; x++) {
      for (int y = 0; y < h; y++) {
        int p = mask[y * w + x] != 0 ? 1 : 0;
        if (p != v) {
          runs.add(run);
          run = 0;
          v = p;
        }
        run++;
      }
    }
    runs.add(run);
    return runs.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Tight box [x, y, w, h] of the foreground, zeros when empty. */
  static double[] tightBox(byte[] mask, int h, int w) {
    int x0 = w;
    int y0 = h;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (mask[y * w + x] != 0) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    return x1 < 0 ? new double[4] : new double[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
  }

  /** Random blobby mask: a few rectangles plus salt noise, so runs of all lengths appear. */
  static byte[] randomMask(Random rnd, int h, int w, double noise) {
    byte[] m = new byte[h * w];
    int rects = rnd.nextInt(4);
    for (int r = 0; r < rects; r++) {
      int x0 = rnd.nextInt(w);
      int y0 = rnd.nextInt(h);
      int x1 = x0 + rnd.nextInt(w - x0 + 1);
      int y1 = y0 + rnd.nextInt(h - y0 + 1);
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          m[y * w + x] = 1;
        }
      }
    }
    for (int i = 0; i < m.length; i++) {
      if (rnd.nextDouble() < noise) {
        m[i] = (byte) (m[i] == 0 ? 1 + rnd.nextInt(255) : 0); // any nonzero value is foreground
      }
    }
    return m;
  }

  static byte[] binarize(byte[] m) {
    byte[] b = new byte[m.length];
    for (int i = 0; i < m.length; i++) {
      b[i] = (byte) (m[i] != 0 ? 1 : 0);
    }
    return b;
  }

  @Test
  void handDerivedSmallMask() {
    // h=2, w=3; rows: [0 1 1], [0 1 0]; column-major: 0 0 | 1 1 | 1 0 -> runs 2,3,1
    byte[] mask = {0, 1, 1, 0, 1, 0};
    Rle r = Rle.encode(mask, 2, 3);
    assertArrayEquals(new int[] {2, 3, 1}, r.counts());
    assertEquals("231", r.toCompressedString());
    assertEquals(3, r.area());
    assertArrayEquals(new double[] {1, 0, 2, 2}, r.toBbox());
    assertArrayEquals(mask, r.decode());
  }

  @Test
  void handDerivedCompressedStrings() {
    // 32 needs two 5-bit groups: low group 0 with continuation (0x20 + 48 = 'P'), then 1 -> '1'
    assertEquals("0P1", new Rle(4, 8, new int[] {0, 32}).toCompressedString());
    // from index 3 on, deltas against counts[i-2]: 1-2 = -1 -> 31 -> 'O'; 1-3 = -2 -> 30 -> 'N'
    Rle neg = new Rle(2, 4, new int[] {1, 2, 3, 1, 1});
    assertEquals("123ON", neg.toCompressedString());
    assertEquals(neg, Rle.fromCompressedString("123ON", 2, 4));
    // 16 has bit 0x10 set in its only group, so it needs a second group to stay positive
    // (16 | 0x20 -> '`', then '0')
    assertEquals("0`0", new Rle(1, 16, new int[] {0, 16}).toCompressedString());
    Rle r = new Rle(1, 52, new int[] {20, 0, 4, 0, 28}); // delta at index 3 = 0-0, at 4 = 28-4 = 24
    assertEquals(r, Rle.fromCompressedString(r.toCompressedString(), 1, 52));
  }

  @Test
  void emptyAndFullMasks() {
    Rle empty = Rle.encode(new byte[12], 3, 4);
    assertArrayEquals(new int[] {12}, empty.counts());
    assertEquals(Rle.empty(3, 4), empty);
    assertEquals(0, empty.area());
    assertArrayEquals(new double[4], empty.toBbox());
    assertArrayEquals(new byte[12], empty.decode());

    byte[] ones = new byte[12];
    java.util.Arrays.fill(ones, (byte) 1);
    Rle full = Rle.encode(ones, 3, 4);
    assertArrayEquals(new int[] {0, 12}, full.counts());
    assertEquals(12, full.area());
    assertArrayEquals(new double[] {0, 0, 4, 3}, full.toBbox());
    assertArrayEquals(ones, full.decode());
    assertEquals(full, Rle.fromCompressedString(full.toCompressedString(), 3, 4));

    // a zero-size mask encodes as pycocotools does: one empty background run
    Rle none = Rle.encode(new byte[0], 0, 5);
    assertArrayEquals(new int[] {0}, none.counts());
    assertEquals(0, none.decode().length);
    assertArrayEquals(new double[4], none.toBbox());
  }

  @Test
  void rowAndColumnVectors() {
    // 1xN: column-major order equals row-major order
    byte[] row = {1, 1, 0, 1, 0, 0, 1};
    Rle r = Rle.encode(row, 1, 7);
    assertArrayEquals(new int[] {0, 2, 1, 1, 2, 1}, r.counts());
    assertArrayEquals(new double[] {0, 0, 7, 1}, r.toBbox());
    assertArrayEquals(row, r.decode());
    // Nx1
    Rle c = Rle.encode(row, 7, 1);
    assertArrayEquals(new int[] {0, 2, 1, 1, 2, 1}, c.counts());
    assertArrayEquals(new double[] {0, 0, 1, 7}, c.toBbox());
    assertArrayEquals(row, c.decode());
  }

  @Test
  void randomMasksMatchReferenceEncodingAndRoundTrip() {
    Random rnd = new Random(42);
    int[][] sizes = {{1, 1}, {1, 9}, {9, 1}, {3, 5}, {7, 13}, {31, 17}, {64, 48}, {101, 3}};
    for (int t = 0; t < 400; t++) {
      int[] s = sizes[t % sizes.length];
      int h = s[0];
      int w = s[1];
      byte[] m = randomMask(rnd, h, w, rnd.nextInt(3) * 0.05);
      Rle r = Rle.encode(m, h, w);
      assertArrayEquals(referenceCounts(m, h, w), r.counts(), "case " + t);
      assertArrayEquals(binarize(m), r.decode(), "case " + t);
      assertArrayEquals(tightBox(m, h, w), r.toBbox(), "case " + t);
      long area = 0;
      for (byte b : m) {
        area += b != 0 ? 1 : 0;
      }
      assertEquals(area, r.area());
      String str = r.toCompressedString();
      assertEquals(r, Rle.fromCompressedString(str, h, w), "case " + t + " " + str);
      assertEquals(r, Rle.fromCounts(r.counts(), h, w));
    }
  }

  @Test
  void longRunsAndLargeCounts() {
    // a 300x400 mask whose foreground is one run of 100000 > 2^16 pixels
    int h = 300;
    int w = 400;
    Rle r = new Rle(h, w, new int[] {5, 100_000, h * w - 100_005});
    assertEquals(r, Rle.encode(r.decode(), h, w));
    assertEquals(r, Rle.fromCompressedString(r.toCompressedString(), h, w));
    assertEquals(100_000, r.area());
    // counts up to 2^31-1 survive the string form (no decode: the mask would be 2 GB)
    int big = Integer.MAX_VALUE;
    Rle huge = new Rle(1, big, new int[] {0, big});
    assertEquals(huge, Rle.fromCompressedString(huge.toCompressedString(), 1, big));
    Rle deltas = new Rle(2, big, new int[] {1, big - 3, 1, big - 5, 5, 1, 0});
    String s = deltas.toCompressedString();
    assertEquals(deltas, Rle.fromCompressedString(s, 2, big));
    assertEquals(2L * big - 7, deltas.area());
  }

  @Test
  void rejectsBadInput() {
    InputException sum = assertThrows(InputException.class, () -> Rle.fromCounts(new int[] {3, 4}, 2, 3));
    assertTrue(sum.getMessage().contains("sum to 7"), sum.getMessage());
    assertThrows(InputException.class, () -> Rle.fromCounts(new int[] {7, -1}, 2, 3));
    // '~' is outside '0'..'o'
    InputException ch = assertThrows(InputException.class, () -> Rle.fromCompressedString("12~", 2, 3));
    assertTrue(ch.getMessage().contains("offset 2"), ch.getMessage());
    // 'P' has the continuation bit and nothing follows
    assertThrows(InputException.class, () -> Rle.fromCompressedString("0P", 4, 8));
    // decodes fine but sums to 33 instead of 32
    assertThrows(InputException.class, () -> Rle.fromCompressedString("1P1", 4, 8));
    // negative first count: 'O' is -1
    assertThrows(InputException.class, () -> Rle.fromCompressedString("O", 1, 1));
    assertThrows(IllegalArgumentException.class, () -> Rle.encode(new byte[5], 2, 3));
  }

  @Test
  void mergeAndAreasAgreeWithPixelwiseOps() {
    Random rnd = new Random(7);
    for (int t = 0; t < 200; t++) {
      int h = 1 + rnd.nextInt(20);
      int w = 1 + rnd.nextInt(20);
      int n = 2 + rnd.nextInt(3);
      List<Rle> rles = new ArrayList<>();
      byte[] or = new byte[h * w];
      byte[] and = new byte[h * w];
      java.util.Arrays.fill(and, (byte) 1);
      for (int k = 0; k < n; k++) {
        byte[] m = binarize(randomMask(rnd, h, w, rnd.nextDouble() * 0.3));
        rles.add(Rle.encode(m, h, w));
        for (int i = 0; i < m.length; i++) {
          or[i] |= m[i];
          and[i] &= m[i];
        }
      }
      assertEquals(Rle.encode(or, h, w), Rle.merge(rles, false), "union case " + t);
      assertEquals(Rle.encode(and, h, w), Rle.merge(rles, true), "intersection case " + t);
      Rle a = rles.get(0);
      Rle b = rles.get(1);
      long inter = Rle.merge(List.of(a, b), true).area();
      long union = Rle.merge(List.of(a, b), false).area();
      assertEquals(inter, Rle.intersectionArea(a, b), "case " + t);
      assertEquals(inter, Rle.intersectionArea(b, a), "case " + t);
      assertEquals(union, Rle.unionArea(a, b), "case " + t);
    }
  }

  @Test
  void mergeHandlesFullAndEmptyAndRejectsMixedSizes() {
    Rle full = new Rle(2, 2, new int[] {0, 4});
    Rle empty = Rle.empty(2, 2);
    Rle one = new Rle(2, 2, new int[] {1, 1, 2});
    assertEquals(full, Rle.merge(List.of(empty, full), false));
    assertEquals(empty, Rle.merge(List.of(empty, full), true));
    assertEquals(one, Rle.merge(List.of(full, one), true));
    assertEquals(one, Rle.merge(List.of(one), true));
    assertEquals(1, Rle.intersectionArea(full, one));
    assertEquals(0, Rle.intersectionArea(empty, one));
    assertThrows(IllegalArgumentException.class, () -> Rle.merge(List.of(one, Rle.empty(1, 4)), false));
    assertThrows(IllegalArgumentException.class, () -> Rle.merge(List.of(), false));
  }

  @Test
  void iouWithCrowdRule() {
    // 1x10 masks: dt covers 0..5 (6 px), gt covers 3..9 (7 px); intersection 3, union 10
    Rle dt = new Rle(1, 10, new int[] {0, 6, 4});
    Rle gt = new Rle(1, 10, new int[] {3, 7});
    Rle far = new Rle(1, 10, new int[] {9, 1});
    double[][] o = Rle.iou(List.of(dt, far), List.of(gt, gt), new boolean[] {false, true});
    assertEquals(0.3, o[0][0], 1e-12);
    assertEquals(3.0 / 6.0, o[0][1], 1e-12); // crowd: intersection / detection area
    assertEquals(1.0 / 7.0, o[1][0], 1e-12);
    assertEquals(1.0, o[1][1], 1e-12);
    double[][] none = Rle.iou(List.of(Rle.empty(1, 10)), List.of(Rle.empty(1, 10)), null);
    assertEquals(0.0, none[0][0]);
  }

  @Test
  void equalsHashCodeToString() {
    Rle a = new Rle(2, 3, new int[] {2, 3, 1});
    Rle b = new Rle(2, 3, new int[] {2, 3, 1});
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, new Rle(3, 2, new int[] {2, 3, 1}));
    assertNotEquals(a, new Rle(2, 3, new int[] {2, 2, 2}));
    assertTrue(a.toString().contains("2x3") && a.toString().contains("231"), a.toString());
  }
}
