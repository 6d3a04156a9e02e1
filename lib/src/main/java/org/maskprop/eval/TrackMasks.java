package org.maskprop.eval;

import java.util.List;
import org.maskprop.data.Rle;

/**
 * The masks of one instance track (GT or predicted), frame by frame, as sorted foreground intervals
 * of the column-major pixel index. Built once per track so that every video IoU afterwards is a
 * merge of interval lists, with no per-pixel work. An absent frame (null RLE) is an empty mask:
 * in the official {@code computeIoU} a frame present on one side only adds that side's area to the
 * union, which is what an empty other side gives too.
 */
final class TrackMasks {
  private static final int[] EMPTY = new int[0];

  /** Per frame: {@code [start0, end0, start1, end1, ...]}, half-open, increasing. */
  final int[][] runs;
  /** Per frame: foreground pixel count. */
  final long[] areas;

  private TrackMasks(int[][] runs, long[] areas) {
    this.runs = runs;
    this.areas = areas;
  }

  /** Converts per-frame RLEs (nulls allowed); sizes must already be validated. */
  static TrackMasks of(List<Rle> frames) {
    int n = frames.size();
    int[][] runs = new int[n][];
    long[] areas = new long[n];
    for (int f = 0; f < n; f++) {
      Rle r = frames.get(f);
      if (r == null) {
        runs[f] = EMPTY;
        continue;
      }
      int[] c = r.counts();
      int fg = 0;
      for (int i = 1; i < c.length; i += 2) {
        if (c[i] > 0) {
          fg++;
        }
      }
      int[] out = new int[2 * fg];
      int pos = 0;
      int k = 0;
      long area = 0;
      for (int i = 0; i < c.length; i++) {
        if ((i & 1) == 1 && c[i] > 0) {
          out[k++] = pos;
          out[k++] = pos + c[i];
          area += c[i];
        }
        pos += c[i];
      }
      runs[f] = out;
      areas[f] = area;
    }
    return new TrackMasks(runs, areas);
  }

  int frames() {
    return runs.length;
  }

  /**
   * Eq. 1 video IoU: sum over frames of intersections over sum over frames of unions; 0 when the
   * union is empty in every frame (the official code's guard against division by zero). Frames
   * are paired up to the shorter list, as the official {@code zip} (lenient results only).
   */
  static double videoIou(TrackMasks d, TrackMasks g) {
    long inter = 0;
    long union = 0;
    int n = Math.min(d.frames(), g.frames());
    for (int f = 0; f < n; f++) {
      long i = intersection(d.runs[f], g.runs[f]);
      inter += i;
      union += d.areas[f] + g.areas[f] - i;
    }
    return union > 0 ? (double) inter / (double) union : 0.0;
  }

  /** Overlap of two sorted interval lists. */
  static long intersection(int[] a, int[] b) {
    if (a.length == 0 || b.length == 0) {
      return 0;
    }
    // disjoint extents: the common case for two different objects
    if (a[a.length - 1] <= b[0] || b[b.length - 1] <= a[0]) {
      return 0;
    }
    long sum = 0;
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      int lo = Math.max(a[i], b[j]);
      int hi = Math.min(a[i + 1], b[j + 1]);
      if (hi > lo) {
        sum += hi - lo;
      }
      if (a[i + 1] < b[j + 1]) {
        i += 2;
      } else {
        j += 2;
      }
    }
    return sum;
  }
}
