package org.maskprop.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;

/**
 * Tracking-by-detection baseline (Table 3's simplest comparison point): per-frame detections
 * linked across consecutive frames by greedy mask IoU.
 *
 * <p>For each frame, the detections are matched against the tracks that had a detection in the
 * previous frame: pairs with mask IoU strictly above the threshold are taken by decreasing IoU
 * (ties: lower track index, then lower detection index), each track and detection at most once;
 * an unmatched detection starts a new track. A track with no detection in a frame ends (no gap
 * bridging, no motion model: that is what makes it the simplest baseline). Matching ignores the
 * category, as MaskProp's assigner does; categories enter through the scores.
 *
 * <p>Output, consistent with {@link VideoLevelAssigner}: one {@link YtvisResult} per (track,
 * category) with positive mean score, where the mean is over all of the track's detections and a
 * detection of another category contributes 0; the segmentation is the detection mask in every
 * frame of the track and null elsewhere. Results are ordered by track start, then category id.
 * Mask IoUs are computed on RLE in Java ({@code Rle.iou}), as in evaluation.
 */
public final class IouLinker {
  private IouLinker() {}

  private static final class Track {
    final Rle[] segmentations;
    final Map<Integer, Double> scoreSums = new TreeMap<>();
    int detections;
    Rle last;

    Track(int numFrames) {
      segmentations = new Rle[numFrames];
    }

    void add(int frame, Detection d) {
      segmentations[frame] = d.mask();
      scoreSums.merge(d.categoryId(), d.score(), Double::sum);
      detections++;
      last = d.mask();
    }
  }

  /**
   * Links the detections of one video.
   *
   * @param frames detections per frame, in increasing frame order (frames without detections may
   *     be missing or empty)
   * @param iouThreshold a link needs mask IoU strictly above this (0.5 by default)
   */
  public static List<YtvisResult> link(
      int videoId, int numFrames, List<FrameDetections> frames, double iouThreshold) {
    List<Track> tracks = new ArrayList<>();
    List<Track> active = new ArrayList<>(); // tracks with a detection in frame prevFrame
    int prevFrame = -2;
    for (FrameDetections fd : frames) {
      int f = fd.frame();
      if (f <= prevFrame || f >= numFrames) {
        throw new IllegalArgumentException(
            "video " + videoId + ": detections of frame " + f + " after frame " + prevFrame
                + " or outside [0, " + numFrames + ")");
      }
      List<Detection> dets = fd.detections();
      if (f != prevFrame + 1) {
        active = List.of();
      }
      int[] trackOf = match(active, dets, iouThreshold);
      List<Track> next = new ArrayList<>(dets.size());
      for (int i = 0; i < dets.size(); i++) {
        Track t;
        if (trackOf[i] >= 0) {
          t = active.get(trackOf[i]);
        } else {
          t = new Track(numFrames);
          tracks.add(t);
        }
        t.add(f, dets.get(i));
        next.add(t);
      }
      active = next;
      prevFrame = f;
    }
    List<YtvisResult> out = new ArrayList<>();
    for (Track t : tracks) {
      List<Rle> segs = Collections.unmodifiableList(Arrays.asList(t.segmentations));
      for (Map.Entry<Integer, Double> e : t.scoreSums.entrySet()) {
        double score = e.getValue() / t.detections;
        if (score > 0) {
          out.add(new YtvisResult(videoId, e.getKey(), score, segs));
        }
      }
    }
    return out;
  }

  /**
   * Greedy matching by decreasing IoU: {@code result[i]} is the index in {@code active} of the
   * track detection {@code i} continues, or -1.
   */
  static int[] match(List<Track> active, List<Detection> dets, double iouThreshold) {
    int[] trackOf = new int[dets.size()];
    Arrays.fill(trackOf, -1);
    if (active.isEmpty() || dets.isEmpty()) {
      return trackOf;
    }
    List<Rle> prev = active.stream().map(t -> t.last).toList();
    List<Rle> cur = dets.stream().map(Detection::mask).toList();
    double[][] iou = Rle.iou(prev, cur, null); // [tracks][detections]
    List<int[]> pairs = new ArrayList<>();
    for (int t = 0; t < prev.size(); t++) {
      for (int d = 0; d < cur.size(); d++) {
        if (iou[t][d] > iouThreshold) {
          pairs.add(new int[] {t, d});
        }
      }
    }
    pairs.sort(
        (a, b) -> {
          int c = Double.compare(iou[b[0]][b[1]], iou[a[0]][a[1]]);
          return c != 0 ? c : a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]);
        });
    boolean[] trackTaken = new boolean[prev.size()];
    for (int[] p : pairs) {
      if (!trackTaken[p[0]] && trackOf[p[1]] < 0) {
        trackTaken[p[0]] = true;
        trackOf[p[1]] = p[0];
      }
    }
    return trackOf;
  }
}
