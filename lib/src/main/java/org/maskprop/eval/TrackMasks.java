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

  /**
   * Foreground overlap of two COCO run lists over the same pixels: walks the foreground runs of
   * both in order (background runs are only skipped over), as maskApi's merge does.
   */
  static long intersection(int[] a, int[] b) {
    if (a.length < 2 || b.length < 2) {
      return 0;
    }
    long sum = 0;
    int i = 1; // a[i] is the length of the current foreground run of a
    long aS = a[0];
    long aE = aS + a[1];
    int j = 1;
    long bS = b[0];
    long bE = bS + b[1];
    while (true) {
      if (aE <= bS) {
        if ((i += 2) >= a.length) {
          break;
        }
        aS = aE + a[i - 1];
        aE = aS + a[i];
      } else if (bE <= aS) {
        if ((j += 2) >= b.length) {
          break;
        }
        bS = bE + b[j - 1];
        bE = bS + b[j];
      } else {
        sum += Math.min(aE, bE) - Math.max(aS, bS);
        if (aE < bE) {
          if ((i += 2) >= a.length) {
            break;
          }
          aS = aE + a[i - 1];
          aE = aS + a[i];
        } else {
          if ((j += 2) >= b.length) {
            break;
          }
          bS = bE + b[j - 1];
          bE = bS + b[j];
        }
      }
    }
    return sum;
  }
}
