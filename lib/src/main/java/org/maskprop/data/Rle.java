package org.maskprop.data;

import java.util.Arrays;
import java.util.List;
import org.maskprop.InputException;

/**
 * COCO run-length encoding of a binary mask, byte-compatible with pycocotools ({@code maskApi.c}).
 *
 * <p>Runs are over the mask in column-major (Fortran) order and alternate background/foreground,
 * starting with background (so {@code counts[0]} may be 0). {@code counts} is never mutated: the
 * record owns the array it is given (no defensive copy, this is the evaluator's hot path), so
 * callers must not change it afterwards either.
 *
 * <p>Masks given as {@code byte[]} are row-major {@code [height * width]}, nonzero = foreground.
 * Counts are non-negative {@code int}s (pycocotools uses 32-bit unsigned; runs of 2^31 pixels or
 * more are rejected) and always sum to {@code height * width} (checked by the constructor).
 *
 * <p>Deliberate differences from {@code maskApi.c}, where it would return garbage silently: a
 * merge or IoU of masks of different sizes throws instead of returning an empty 0x0 mask or -1; a
 * malformed compressed string throws instead of reading past its end.
 */
public record Rle(int height, int width, int[] counts) {

  /** Largest count accepted from a compressed string (counts are Java ints). */
  private static final long MAX_COUNT = Integer.MAX_VALUE;

  /** Checks that counts are non-negative and sum to {@code height * width}. */
  public Rle {
    if (height < 0 || width < 0) {
      throw new IllegalArgumentException("Rle: negative size " + height + "x" + width);
    }
    if (counts == null) {
      throw new IllegalArgumentException("Rle: counts is null");
    }
    // one branch-free pass (this runs for every mask read); find the culprit only on failure
    long sum = 0;
    int signs = 0;
    for (int c : counts) {
      signs |= c;
      sum += c;
    }
    if (signs < 0) {
      for (int c : counts) {
        if (c < 0) {
          throw new IllegalArgumentException("Rle: negative count " + c);
        }
      }
    }
    if (sum != (long) height * width) {
      throw new IllegalArgumentException(
          "Rle: counts sum to " + sum + ", expected " + height + "x" + width + " = "
              + (long) height * width);
    }
  }

  /** The all-background mask of the given size ({@code counts = [h*w]}, as pycocotools encodes it). */
  public static Rle empty(int height, int width) {
    return new Rle(height, width, new int[] {Math.multiplyExact(height, width)});
  }

  /**
   * Uncompressed RLE (COCO's {@code {"counts": [..], "size": [h, w]}} with an int list).
   *
   * @throws InputException if a count is negative or they do not sum to {@code height * width}
   */
  public static Rle fromCounts(int[] counts, int height, int width) {
    try {
      return new Rle(height, width, counts.clone());
    } catch (IllegalArgumentException e) {
      throw new InputException(e.getMessage());
    }
  }

  /** Encodes a row-major mask ({@code mask[y * width + x]}, nonzero = foreground). */
  public static Rle encode(byte[] mask, int height, int width) {
    long area = (long) height * width;
    if (mask.length != area) {
      throw new IllegalArgumentException(
          "Rle.encode: mask has " + mask.length + " bytes, expected " + height + "x" + width);
    }
    // Worst case (checkerboard) needs area + 1 runs; grow on demand instead of allocating that.
    int[] runs = new int[16];
    int m = 0;
    boolean prev = false;
    int run = 0;
    for (int x = 0; x < width; x++) {
      for (int i = x, end = x + height * width; i < end; i += width) {
        boolean v = mask[i] != 0;
        if (v != prev) {
          if (m == runs.length) {
            runs = Arrays.copyOf(runs, runs.length * 2);
          }
          runs[m++] = run;
          run = 0;
          prev = v;
        }
        run++;
      }
    }
    if (m == runs.length) {
      runs = Arrays.copyOf(runs, runs.length + 1);
    }
    runs[m++] = run;
    return new Rle(height, width, Arrays.copyOf(runs, m));
  }

  /** Decodes to a row-major 0/1 mask of {@code height * width} bytes. */
  public byte[] decode() {
    byte[] out = new byte[height * width];
    long p = 0; // column-major position of the current run's first pixel
    for (int j = 0; j < counts.length; j++) {
      int c = counts[j];
      if ((j & 1) == 1) {
        // foreground run: walk it column segment by column segment
        long q = p;
        long end = p + c;
        while (q < end) {
          int x = (int) (q / height);
          int y = (int) (q % height);
          int n = (int) Math.min(end - q, height - y);
          for (int k = 0, i = y * width + x; k < n; k++, i += width) {
            out[i] = 1;
          }
          q += n;
        }
      }
      p += c;
    }
    return out;
  }

  /**
   * COCO's compressed string form of {@link #counts}: each value (from index 3 on, the difference
   * to the count two places earlier) in groups of 5 bits, low first, as chars {@code 48 + bits}
   * with {@code 0x20} marking a continuation; the last group's bit {@code 0x10} is the sign.
   */
  public String toCompressedString() {
    StringBuilder sb = new StringBuilder(counts.length * 2);
    for (int i = 0; i < counts.length; i++) {
      long x = counts[i];
      if (i > 2) {
        x -= counts[i - 2];
      }
      boolean more = true;
      while (more) {
        int c = (int) (x & 0x1f);
        x >>= 5;
        more = (c & 0x10) != 0 ? x != -1 : x != 0;
        if (more) {
          c |= 0x20;
        }
        sb.append((char) (c + 48));
      }
    }
    return sb.toString();
  }

  /**
   * Parses COCO's compressed string counts.
   *
   * @throws InputException on a character outside {@code '0'..'o'}, a string ending inside a
   *     value, a count that is negative or exceeds {@code 2^31 - 1}, or counts that do not sum to
   *     {@code height * width}; the message gives the character offset
   */
  public static Rle fromCompressedString(String counts, int height, int width) {
    // Copy the chars once into a per-thread buffer and decode into a per-thread int buffer: the
    // loop then touches only arrays (no charAt call chain, fast even before the JIT has compiled
    // it) and the only allocation is the exact-size counts array.
    int len = counts.length();
    Scratch s = SCRATCH.get();
    char[] chars = s.chars(len);
    counts.getChars(0, len, chars, 0);
    int[] cnts = s.ints(len);
    int m = 0;
    int p = 0;
    while (p < len) {
      int start = p;
      long x = 0;
      int k = 0;
      int c;
      do {
        if (p >= len) {
          throw new InputException(
              "RLE counts string ends inside a value (continuation bit set at offset " + (p - 1)
                  + ")");
        }
        c = chars[p] - 48;
        if (c < 0 || c > 63) {
          throw new InputException(
              "RLE counts string has invalid character '" + chars[p] + "' at offset " + p);
        }
        if (k >= 12) {
          throw new InputException("RLE counts string value at offset " + start + " is too long");
        }
        x |= (long) (c & 0x1f) << (5 * k);
        p++;
        k++;
      } while ((c & 0x20) != 0);
      if ((c & 0x10) != 0) {
        x |= -1L << (5 * k); // sign-extend
      }
      if (m > 2) {
        x += cnts[m - 2];
      }
      if (x < 0 || x > MAX_COUNT) {
        throw new InputException(
            "RLE counts string decodes to count " + x + " (index " + m + ", offset " + start
                + "), outside [0, 2^31-1]");
      }
      cnts[m++] = (int) x;
    }
    try {
      return new Rle(height, width, Arrays.copyOf(cnts, m));
    } catch (IllegalArgumentException e) {
      throw new InputException(e.getMessage());
    }
  }

  /**
   * Per-thread parse buffers of {@link #fromCompressedString}; they grow up to {@link #KEEP}
   * entries, beyond that a buffer is allocated for the one call (no huge buffer stays around).
   */
  private static final class Scratch {
    private static final int KEEP = 1 << 16;
    private char[] chars = new char[256];
    private int[] ints = new int[256];

    char[] chars(int n) {
      if (chars.length < n) {
        if (n > KEEP) {
          return new char[n];
        }
        chars = new char[Math.max(n, Math.min(KEEP, 2 * chars.length))];
      }
      return chars;
    }

    /** At most one count per char. */
    int[] ints(int n) {
      if (ints.length < n) {
        if (n > KEEP) {
          return new int[n];
        }
        ints = new int[Math.max(n, Math.min(KEEP, 2 * ints.length))];
      }
      return ints;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Number of foreground pixels (sum of the odd-index runs). */
  public long area() {
    long a = 0;
    for (int j = 1; j < counts.length; j += 2) {
      a += counts[j];
    }
    return a;
  }

  /**
   * Box {@code [x, y, w, h]} exactly as pycocotools' {@code rleToBbox} (all zeros when empty).
   *
   * <p>Quirk kept on purpose: when one foreground run spans more than one column, the box's rows
   * become the full height {@code [0, h-1]}, even if the run only touches the bottom of one column
   * and the top of the next. The box is always a superset of the tight box.
   */
  public double[] toBbox() {
    int m = (counts.length / 2) * 2; // a trailing background run does not move the box
    if (m == 0 || height == 0 || width == 0) {
      return new double[4];
    }
    long h = height;
    long xs = width;
    long ys = height;
    long xe = 0;
    long ye = 0;
    long xp = 0;
    long cc = 0;
    for (int j = 0; j < m; j++) {
      cc += counts[j];
      // even j: first pixel of the next foreground run; odd j: last pixel of this one.
      // maskApi.c computes this in 32-bit unsigned arithmetic.
      long t = (cc - (j & 1)) & 0xFFFFFFFFL;
      long y = t % h;
      long x = (t - y) / h;
      if ((j & 1) == 0) {
        xp = x;
      } else if (xp < x) {
        ys = 0;
        ye = h - 1;
      }
      xs = Math.min(xs, x);
      xe = Math.max(xe, x);
      ys = Math.min(ys, y);
      ye = Math.max(ye, y);
    }
    // maskApi.c stores uint differences: xe - xs + 1 wraps when xe < xs (cannot happen for m > 0
    // with a non-empty foreground; kept in 32 bits for an empty one like counts [h*w, 0]).
    return new double[] {
      xs, ys, (double) ((xe - xs + 1) & 0xFFFFFFFFL), (double) ((ye - ys + 1) & 0xFFFFFFFFL)
    };
  }

  /**
   * Union ({@code intersect == false}) or intersection of masks of one size. The result is in
   * canonical form (as {@code encode(decode(...))}, which is also what {@code rleMerge} returns).
   *
   * @throws IllegalArgumentException on an empty list or masks of different sizes
   */
  public static Rle merge(List<Rle> rles, boolean intersect) {
    if (rles.isEmpty()) {
      throw new IllegalArgumentException("Rle.merge: no masks");
    }
    Rle acc = rles.get(0);
    if (rles.size() == 1) {
      return new Rle(acc.height, acc.width, acc.counts.clone());
    }
    for (int i = 1; i < rles.size(); i++) {
      acc = mergeTwo(acc, rles.get(i), intersect);
    }
    return acc;
  }

  private static Rle mergeTwo(Rle a, Rle b, boolean intersect) {
    checkSameSize(a, b, "merge");
    int[] ac = a.counts;
    int[] bc = b.counts;
    int[] out = new int[ac.length + bc.length + 1];
    int m = 0;
    int ia = 0;
    int ib = 0;
    long ra = ac.length > 0 ? ac[0] : 0; // remaining pixels in a's current run
    long rb = bc.length > 0 ? bc[0] : 0;
    boolean va = false;
    boolean vb = false;
    boolean cur = false; // value of the output run being accumulated
    long run = 0;
    long total = (long) a.height * a.width;
    long pos = 0;
    while (pos < total) {
      // skip exhausted runs (zero-length runs flip the value without covering pixels)
      while (ra == 0) {
        ra = ac[++ia];
        va = !va;
      }
      while (rb == 0) {
        rb = bc[++ib];
        vb = !vb;
      }
      long c = Math.min(ra, rb);
      boolean v = intersect ? (va && vb) : (va || vb);
      if (v != cur) {
        out[m++] = (int) run;
        run = 0;
        cur = v;
      }
      run += c;
      ra -= c;
      rb -= c;
      pos += c;
    }
    out[m++] = (int) run;
    return new Rle(a.height, a.width, Arrays.copyOf(out, m));
  }

  /** Foreground pixels in both masks, by two-pointer run merging (no decode). */
  public static long intersectionArea(Rle a, Rle b) {
    checkSameSize(a, b, "intersectionArea");
    int[] ac = a.counts;
    int[] bc = b.counts;
    int na = ac.length;
    int nb = bc.length;
    // Foreground intervals [start, end) in column-major positions; walk both lists of intervals.
    long inter = 0;
    int ia = 1;
    int ib = 1;
    long sa = na > 0 ? ac[0] : 0; // start of a's foreground run ia
    long sb = nb > 0 ? bc[0] : 0;
    while (ia < na && ib < nb) {
      long ea = sa + ac[ia];
      long eb = sb + bc[ib];
      long lo = Math.max(sa, sb);
      long hi = Math.min(ea, eb);
      if (hi > lo) {
        inter += hi - lo;
      }
      // advance the interval that ends first to its next foreground run
      if (ea <= eb) {
        sa = ea + (ia + 1 < na ? ac[ia + 1] : 0);
        ia += 2;
      } else {
        sb = eb + (ib + 1 < nb ? bc[ib + 1] : 0);
        ib += 2;
      }
    }
    return inter;
  }

  /** Foreground pixels in either mask ({@code area(a) + area(b) - intersection}). */
  public static long unionArea(Rle a, Rle b) {
    return a.area() + b.area() - intersectionArea(a, b);
  }

  /**
   * Pairwise IoU as pycocotools' {@code iou(dt, gt, iscrowd)}: {@code result[d][g]}. For a crowd
   * GT the denominator is the detection's area instead of the union; a pair without intersection
   * has IoU 0 (also when both are empty).
   *
   * @param iscrowd one flag per GT, or null for none
   */
  public static double[][] iou(List<Rle> dt, List<Rle> gt, boolean[] iscrowd) {
    if (iscrowd != null && iscrowd.length != gt.size()) {
      throw new IllegalArgumentException(
          "Rle.iou: " + iscrowd.length + " iscrowd flags for " + gt.size() + " GT masks");
    }
    double[][] o = new double[dt.size()][gt.size()];
    long[] dtArea = new long[dt.size()];
    for (int d = 0; d < dt.size(); d++) {
      dtArea[d] = dt.get(d).area();
    }
    for (int g = 0; g < gt.size(); g++) {
      Rle gr = gt.get(g);
      long ga = gr.area();
      boolean crowd = iscrowd != null && iscrowd[g];
      for (int d = 0; d < dt.size(); d++) {
        long i = intersectionArea(dt.get(d), gr);
        if (i == 0) {
          continue;
        }
        long u = crowd ? dtArea[d] : dtArea[d] + ga - i;
        o[d][g] = (double) i / (double) u;
      }
    }
    return o;
  }

  private static void checkSameSize(Rle a, Rle b, String op) {
    if (a.height != b.height || a.width != b.width) {
      throw new IllegalArgumentException(
          "Rle." + op + ": sizes differ, " + a.height + "x" + a.width + " vs " + b.height + "x"
              + b.width);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rle r
        && r.height == height
        && r.width == width
        && Arrays.equals(r.counts, counts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * height + width) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    String s = toCompressedString();
    if (s.length() > 40) {
      s = s.substring(0, 37) + "...";
    }
    return "Rle[" + height + "x" + width + ", runs=" + counts.length + ", area=" + area()
        + ", counts=\"" + s + "\"]";
  }
}
