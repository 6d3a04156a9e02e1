package org.maskprop.infer.deepsort;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;

/**
 * DeepSORT (Wojke et al. 2017) on MaskProp's per-frame detections: the tracking-by-detection row
 * of Table 2. One instance tracks one video, frame by frame ({@link #step}).
 *
 * <p>Per frame: every track is predicted one step by {@link KalmanBoxFilter}; confirmed tracks are
 * matched first in a cascade by age (tracks missed for 0 frames, then 1, ... up to
 * {@code maxAge - 1}; Sec. 2.3, Listing 1) on the smallest cosine distance between the detection's
 * embedding and the track's gallery, with pairs outside the Mahalanobis gate or above
 * {@code maxCosineDistance} infeasible (Eq. 5-6); then tentative tracks and confirmed tracks missed
 * only in this frame are matched to the remaining detections on {@code 1 - IoU} of the predicted
 * box (gate {@code maxIouDistance}). Each stage is a {@link HungarianAssignment}.
 *
 * <p>Track states: a detection left unmatched starts a tentative track, confirmed after
 * {@code nInit} detections; a tentative track is deleted on its first miss, a confirmed one when
 * it has been missed for more than {@code maxAge} frames. Detections with an empty mask have no
 * box and are skipped.
 *
 * <p>Output ({@link #results}), as {@code infer.IouLinker}: every track that was ever confirmed
 * gives one {@link YtvisResult} per category it detected, with the score the mean over all the
 * track's detections (another category counts 0) and, per frame, the matched detection's mask
 * (null where unmatched). Ordered by track creation, then category id.
 */
public final class DeepSortTracker {

  /** Track lifecycle (Sec. 2.1, track handling). */
  public enum TrackState {
    TENTATIVE,
    CONFIRMED,
    DELETED
  }

  /** One track: Kalman state, counters and what it has collected for the output. */
  public static final class Track {
    private final int id;
    private KalmanBoxFilter.State kalman;
    private TrackState state = TrackState.TENTATIVE;
    private int hits = 1;
    private int timeSinceUpdate;
    private boolean everConfirmed;
    private final ArrayDeque<float[]> gallery = new ArrayDeque<>();
    private final Rle[] segmentations;
    private final Map<Integer, Double> scoreSums = new TreeMap<>();
    private int detections;

    private Track(int id, KalmanBoxFilter.State kalman, int numFrames) {
      this.id = id;
      this.kalman = kalman;
      this.segmentations = new Rle[numFrames];
    }

    public int id() {
      return id;
    }

    public TrackState state() {
      return state;
    }

    public int hits() {
      return hits;
    }

    /** Frames since the last matched detection (0 right after a match). */
    public int timeSinceUpdate() {
      return timeSinceUpdate;
    }

    /** Current (predicted or corrected) box {@code [x, y, w, h]}. */
    public double[] box() {
      return KalmanBoxFilter.toXywh(kalman.mean());
    }
  }

  private final DeepSortParams params;
  private final int numFrames;
  private final List<Track> live = new ArrayList<>(); // not deleted, by id
  private final List<Track> all = new ArrayList<>(); // every track ever created, by id
  private int frame = -1;
  private int embeddingLength = -1; // fixed by the first detection
  private int maskHeight = -1;
  private int maskWidth = -1;

  public DeepSortTracker(DeepSortParams params, int numFrames) {
    if (numFrames < 0) {
      throw new IllegalArgumentException("DeepSortTracker: negative numFrames " + numFrames);
    }
    this.params = params;
    this.numFrames = numFrames;
  }

  /** Tracks all frames of one video ({@code perFrame.get(f)} = detections of frame f). */
  public static List<YtvisResult> track(
      int videoId, List<List<AppearanceDetection>> perFrame, DeepSortParams params) {
    DeepSortTracker t = new DeepSortTracker(params, perFrame.size());
    for (List<AppearanceDetection> dets : perFrame) {
      t.step(dets);
    }
    return t.results(videoId);
  }

  /** Live (tentative or confirmed) tracks after the last step, by id. */
  public List<Track> tracks() {
    return Collections.unmodifiableList(live);
  }

  /**
   * Processes the next frame.
   *
   * @return for each detection, the id of the track it was assigned to (new or continued), or -1
   *     for a skipped empty-mask detection
   */
  public int[] step(List<AppearanceDetection> dets) {
    if (frame + 1 >= numFrames) {
      throw new IllegalArgumentException(
          "DeepSortTracker: frame " + (frame + 1) + " beyond numFrames " + numFrames);
    }
    for (int d = 0; d < dets.size(); d++) { // before any state changes
      checkConsistent(dets.get(d), d);
    }
    frame++;
    for (Track t : live) {
      t.kalman = KalmanBoxFilter.predict(t.kalman);
      t.timeSinceUpdate++;
    }
    int n = dets.size();
    double[][] z = new double[n][];
    double[][] boxes = new double[n][];
    List<Integer> unmatched = new ArrayList<>();
    for (int d = 0; d < n; d++) {
      boxes[d] = dets.get(d).box();
      if (boxes[d][2] > 0 && boxes[d][3] > 0) {
        z[d] = KalmanBoxFilter.measurement(boxes[d]);
        unmatched.add(d);
      }
    }
    Track[] trackOfDet = new Track[n];

    // Stage 1: matching cascade over confirmed tracks, most recently seen first.
    List<Track> confirmed = new ArrayList<>();
    List<Track> candidatesIou = new ArrayList<>();
    for (Track t : live) {
      (t.state == TrackState.CONFIRMED ? confirmed : candidatesIou).add(t);
    }
    for (int level = 0; level < params.maxAge() && !unmatched.isEmpty(); level++) {
      List<Track> tracksAtLevel = new ArrayList<>();
      for (Track t : confirmed) {
        if (t.timeSinceUpdate == 1 + level) {
          tracksAtLevel.add(t);
        }
      }
      if (!tracksAtLevel.isEmpty()) {
        match(tracksAtLevel, unmatched, appearanceCost(tracksAtLevel, unmatched, dets, z),
            params.maxCosineDistance(), trackOfDet);
      }
    }
    // Stage 2: IoU on tentative tracks and confirmed tracks missed only in this frame.
    for (Track t : confirmed) {
      if (t.timeSinceUpdate == 1) {
        candidatesIou.add(t);
      }
    }
    candidatesIou.sort((a, b) -> Integer.compare(a.id, b.id));
    if (!candidatesIou.isEmpty() && !unmatched.isEmpty()) {
      double[][] cost = new double[candidatesIou.size()][unmatched.size()];
      for (int i = 0; i < cost.length; i++) {
        double[] tb = candidatesIou.get(i).box();
        for (int j = 0; j < cost[i].length; j++) {
          cost[i][j] = 1 - iou(tb, boxes[unmatched.get(j)]);
        }
      }
      match(candidatesIou, unmatched, cost, params.maxIouDistance(), trackOfDet);
    }

    // Updates, misses, births.
    int[] ids = new int[n];
    Arrays.fill(ids, -1);
    for (int d = 0; d < n; d++) {
      Track t = trackOfDet[d];
      if (t != null) {
        t.kalman = KalmanBoxFilter.update(t.kalman, z[d]);
        t.hits++;
        t.timeSinceUpdate = 0;
        if (t.state == TrackState.TENTATIVE && t.hits >= params.nInit()) {
          t.state = TrackState.CONFIRMED;
          t.everConfirmed = true;
        }
        record(t, dets.get(d));
        ids[d] = t.id;
      }
    }
    for (Track t : live) {
      if (t.timeSinceUpdate > 0
          && (t.state == TrackState.TENTATIVE || t.timeSinceUpdate > params.maxAge())) {
        t.state = TrackState.DELETED;
      }
    }
    live.removeIf(t -> t.state == TrackState.DELETED);
    for (int d : unmatched) {
      Track t = new Track(all.size(), KalmanBoxFilter.initiate(z[d]), numFrames);
      if (params.nInit() <= 1) {
        t.state = TrackState.CONFIRMED;
        t.everConfirmed = true;
      }
      record(t, dets.get(d));
      all.add(t);
      live.add(t);
      ids[d] = t.id;
    }
    return ids;
  }

  /** Results of every track that was ever confirmed (see the class comment). */
  public List<YtvisResult> results(int videoId) {
    List<YtvisResult> out = new ArrayList<>();
    for (Track t : all) {
      if (!t.everConfirmed) {
        continue;
      }
      List<Rle> segs = Arrays.asList(t.segmentations);
      for (Map.Entry<Integer, Double> e : t.scoreSums.entrySet()) {
        double score = e.getValue() / t.detections;
        if (score > 0) {
          out.add(new YtvisResult(videoId, e.getKey(), score, segs));
        }
      }
    }
    return out;
  }

  /** All detections of a video share the mask size and the embedding length. */
  private void checkConsistent(AppearanceDetection ad, int index) {
    Rle m = ad.detection().mask();
    if (embeddingLength < 0) {
      embeddingLength = ad.embedding().length;
      maskHeight = m.height();
      maskWidth = m.width();
    }
    if (ad.embedding().length != embeddingLength
        || m.height() != maskHeight
        || m.width() != maskWidth) {
      throw new IllegalArgumentException(
          "DeepSortTracker: frame " + (frame + 1) + ", detection " + index + ": mask "
              + m.height() + "x" + m.width() + " and embedding length " + ad.embedding().length
              + ", expected "
              + maskHeight + "x" + maskWidth + " and " + embeddingLength);
    }
  }

  private void record(Track t, AppearanceDetection ad) {
    t.segmentations[frame] = ad.detection().mask();
    t.scoreSums.merge(ad.detection().categoryId(), ad.detection().score(), Double::sum);
    t.detections++;
    t.gallery.addLast(ad.embedding());
    while (t.gallery.size() > params.budget()) {
      t.gallery.removeFirst();
    }
  }

  /**
   * Gated appearance cost {@code [tracks][unmatched]}: smallest cosine distance to the track's
   * gallery (Eq. 3), infinite outside the Mahalanobis gate (Eq. 2).
   */
  private double[][] appearanceCost(
      List<Track> tracks, List<Integer> unmatched, List<AppearanceDetection> dets, double[][] z) {
    double[][] cost = new double[tracks.size()][unmatched.size()];
    for (int i = 0; i < tracks.size(); i++) {
      Track t = tracks.get(i);
      KalmanBoxFilter.Projection pr = KalmanBoxFilter.project(t.kalman);
      for (int j = 0; j < unmatched.size(); j++) {
        int d = unmatched.get(j);
        if (KalmanBoxFilter.gatingDistance(pr, z[d]) > params.gatingThreshold()) {
          cost[i][j] = Double.POSITIVE_INFINITY;
          continue;
        }
        float[] e = dets.get(d).embedding();
        double best = Double.POSITIVE_INFINITY;
        for (float[] g : t.gallery) {
          double dot = 0;
          for (int k = 0; k < e.length; k++) {
            dot += (double) e[k] * g[k];
          }
          best = Math.min(best, 1 - dot);
        }
        cost[i][j] = best;
      }
    }
    return cost;
  }

  /**
   * DeepSORT's {@code min_cost_matching}: costs above {@code maxDistance} are infeasible and cost
   * {@code maxDistance + 1e-5} in the assignment. Matched detections leave {@code unmatched}.
   */
  private static void match(
      List<Track> tracks, List<Integer> unmatched, double[][] cost, double maxDistance,
      Track[] trackOfDet) {
    for (double[] row : cost) {
      for (int j = 0; j < row.length; j++) {
        if (!(row[j] <= maxDistance)) {
          row[j] = Double.POSITIVE_INFINITY;
        }
      }
    }
    int[] colOf = HungarianAssignment.solve(cost, maxDistance + 1e-5);
    List<Integer> taken = new ArrayList<>();
    for (int i = 0; i < colOf.length; i++) {
      if (colOf[i] >= 0) {
        int d = unmatched.get(colOf[i]);
        trackOfDet[d] = tracks.get(i);
        taken.add(d);
      }
    }
    unmatched.removeAll(taken);
  }

  /** IoU of two {@code [x, y, w, h]} boxes. */
  static double iou(double[] a, double[] b) {
    double iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
    double ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
    if (iw <= 0 || ih <= 0) {
      return 0;
    }
    double inter = iw * ih;
    return inter / (a[2] * a[3] + b[2] * b[3] - inter);
  }
}
