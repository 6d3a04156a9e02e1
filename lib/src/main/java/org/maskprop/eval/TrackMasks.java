package org.maskprop.eval;

import java.util.List;
import org.maskprop.data.Rle;

/**
 * The masks of one instance track (GT or predicted), frame by frame: the RLE counts themselves (not
 * copied) plus each frame's area and foreground extent, computed once so that every video IoU
 * afterwards is a merge of run lists with no per-pixel work and no allocation. An absent frame
 * (null RLE) is an empty mask: in the official {@code computeIoU} a frame present on one side only
 * adds that side's area to the union, which is what an empty other side gives too.
 */
final class TrackMasks {
  /** Per frame: COCO counts (background first, column-major), or null when absent. */
  final int[][] counts;
  /** Per frame: foreground pixel count. */
  final long[] areas;
  /** Per frame: bounds of the foreground, first run start and last run end (empty: 0, 0). */
  private final long[] first;
  private final long[] last;

  private TrackMasks(int[][] counts, long[] areas, long[] first, long[] last) {
    this.counts = counts;
    this.areas = areas;
    this.first = first;
    this.last = last;
  }

  /** Wraps per-frame RLEs (nulls allowed); sizes must already be validated. */
  static TrackMasks of(List<Rle> frames) {
    int n = frames.size();
    int[][] counts = new int[n][];
    long[] areas = new long[n];
    long[] first = new long[n];
    long[] last = new long[n];
    for (int f = 0; f < n; f++) {
      Rle r = frames.get(f);
      if (r == null) {
        continue;
      }
      int[] c = r.counts();
      long area = 0;
      for (int i = 1; i < c.length; i += 2) {
        area += c[i];
      }
      if (area > 0) {
        // extent bounds (exact unless zero-length runs sit at either end, then only wider)
        long total = (long) r.height() * r.width();
        counts[f] = c;
        areas[f] = area;
        first[f] = c[0];
        last[f] = (c.length & 1) == 1 ? total - c[c.length - 1] : total;
      }
    }
    return new TrackMasks(counts, areas, first, last);
  }

  int frames() {
    return counts.length;
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
      long i = 0;
      // disjoint extents (the common case for two different objects) cannot overlap
      if (d.counts[f] != null && g.counts[f] != null
          && d.first[f] < g.last[f] && g.first[f] < d.last[f]) {
        i = intersection(d.counts[f], g.counts[f]);
      }
      inter += i;
      union += d.areas[f] + g.areas[f] - i;
    }
    return union > 0 ? (double) inter / (double) union : 0.0;
  }

  /** Foreground overlap of two COCO run lists over the same pixels (maskApi's merge walk). */
  static long intersection(int[] a, int[] b) {
    long sum = 0;
    long pos = 0;
    long aEnd = a[0];
    long bEnd = b[0];
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      long end = Math.min(aEnd, bEnd);
      if ((i & j & 1) == 1) {
        sum += end - pos;
      }
      pos = end;
      if (aEnd == end && ++i < a.length) {
        aEnd += a[i];
      }
      if (bEnd == end && ++j < b.length) {
        bEnd += b[j];
      }
    }
    return sum;
  }
}
