package org.maskprop.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.maskprop.config.InferConfig;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;

/**
 * Video-level instances from clip-level tracks (Sec. 4.3, Eqs. 4 and 5), streamed in time order.
 *
 * <p>Use: one assigner per video; {@link #add} the tracks of every centre frame in increasing
 * order (an empty list for a frame without detections is allowed, and skipped frames are fine),
 * then {@link #finish}. The final mask of frame {@code f} only depends on tracks centred in
 * {@code [f-k, f+k]}, so it is computed as soon as centre {@code f+k} has been added; a track is
 * dropped once no later track can overlap it ({@code |t - t~| <= 2k}) and its frames are final.
 * At most the tracks of {@code 2k + 1} centre frames are held ({@link #retainedTrackCount()}), so
 * memory is bounded by {@code T'} and the number of instances per frame, not by the video length;
 * what grows with the video is only the output (one RLE per instance and frame).
 *
 * <p><b>Eq. 4</b>, track matching score of tracks {@code i} (centre {@code t}) and {@code j}
 * (centre {@code t~}): the mean of the soft IoU (Eq. 3, smoothed: {@code (sum AB + eps) /
 * (sum(A + B - AB) + eps)}) over the frames {@code O = [max(t,t~)-k, min(t,t~)+k]} that both
 * clips cover (clips are truncated at the video ends). Frames where both masks are empty are left
 * out of the mean, and with none left the score is 0 [U] (DESIGN.md section 3); a soft mask counts
 * as empty when no pixel reaches {@code maskThreshold}, i.e. when its binarised mask is empty
 * (an exact-zero test would never fire on soft masks, and near-empty pairs would score about 1
 * through the eps smoothing).
 *
 * <p><b>Eq. 5</b>, score of video-level ID {@code d} for a new track: the mean of Eq. 4 over the
 * earlier held tracks with ID {@code d} (all of them overlap), leaving out tracks whose overlap
 * has no frame where either mask is non-empty (no evidence; see {@link #identityScores}). The paper assigns each track to
 * {@code argmax_d} if the maximum exceeds {@code assignThreshold}, else a new ID. Two tracks of
 * one centre frame are two instances of that frame, so they must never share an ID: conflicts
 * are resolved greedily, taking (track, ID) pairs above the threshold by decreasing score (ties:
 * lower track index, then lower ID) and skipping pairs whose track or ID is taken; a track left
 * without an ID opens a new one. Greedy rather than Hungarian: with the threshold at 0.5 and soft
 * IoUs, two tracks rarely compete for one ID, and greedy keeps the best match of each ID, which
 * is what the per-track argmax of the paper would do for the winner.
 *
 * <p><b>Final masks</b>: {@code M^d_f} is the mean of the soft masks at {@code f} of all tracks
 * with ID {@code d} whose clip covers {@code f}, bilinearly resized from the working resolution to
 * the output resolution (half-pixel centres, as {@code torch.nn.functional.interpolate} with
 * {@code align_corners=False}) and binarised at {@code >= maskThreshold} [U]. A frame where the ID
 * has no covering track or an empty binarised mask gets {@code null}.
 *
 * <p><b>Scores</b>: per category, the mean over the ID's tracks of the track's score of that
 * category (a track that does not list it contributes 0). One {@link YtvisResult} per (ID,
 * category) with a positive mean, all categories kept (the evaluator's {@code maxDets} does the
 * cutting); an ID whose masks are all empty yields nothing. Results are ordered by ID (order of
 * creation), then category id.
 *
 * <p><b>Engine use</b>: the per-pixel sums run on NDArrays, batched: per centre frame one batched
 * matrix product {@code [F, n, P] x [F, P, m]} gives the intersections of all new tracks with all
 * overlapping earlier ones in all frames of the window (about a dozen engine calls, whatever the
 * number of tracks; a loop over frames measured 10x slower on this machine because tiny engine
 * calls dominate); per emitted frame, one product with a weight matrix gives every ID's mean mask
 * and two products with interpolation matrices resize them. Each runs in a short sub-manager of
 * the manager given to the constructor, which holds nothing between calls. Java loops only touch
 * per-pair scalars, the copies of masks into the batch, and the final binary bytes for RLE. The
 * batch holds {@code F x m x P} floats, so keep the working resolution small (the P3 grid).
 */
public final class VideoLevelAssigner {
  /** A held track with the video-level ID it was given. */
  private record Held(ClipTrack track, int id) {}

  /** Per video-level ID: track count, per-category score sums, and its output masks. */
  private static final class Identity {
    int tracks;
    final Map<Integer, Double> scoreSums = new TreeMap<>();
    final Rle[] segmentations;

    Identity(int numFrames) {
      segmentations = new Rle[numFrames];
    }
  }

  private final NDManager manager;
  private final int videoId;
  private final int numFrames;
  private final int height;
  private final int width;
  private final int outHeight;
  private final int outWidth;
  private final int k;
  private final double assignThreshold;
  private final double maskThreshold;
  private final double eps;

  private final ArrayDeque<Held> retained = new ArrayDeque<>();
  private final List<Identity> identities = new ArrayList<>();
  private int lastCentre = -1;
  private int nextFrameToEmit;
  private int maxRetainedTracks;
  private boolean finished;

  /**
   * @param manager parent for short-lived scopes (nothing stays attached to it between calls)
   * @param videoId id written into the results
   * @param numFrames frames of the video
   * @param height working-resolution mask height (as in every {@link ClipTrack})
   * @param width working-resolution mask width
   * @param outHeight frame height of the emitted RLE masks
   * @param outWidth frame width of the emitted RLE masks
   * @param clipLength {@code T' = 2k + 1}, odd
   * @param assignThreshold Eq. 5 threshold for joining an existing ID (strictly above)
   * @param maskThreshold binarisation threshold of the final masks, also the emptiness test of Eq. 4
   * @param eps soft IoU smoothing of Eq. 3 (1 [U])
   */
  public VideoLevelAssigner(
      NDManager manager,
      int videoId,
      int numFrames,
      int height,
      int width,
      int outHeight,
      int outWidth,
      int clipLength,
      double assignThreshold,
      double maskThreshold,
      double eps) {
    if (clipLength < 1 || clipLength % 2 == 0) {
      throw new IllegalArgumentException("clipLength must be odd and >= 1, got " + clipLength);
    }
    if (numFrames < 0 || height <= 0 || width <= 0 || outHeight <= 0 || outWidth <= 0) {
      throw new IllegalArgumentException(
          "bad sizes: " + numFrames + " frames, masks " + height + "x" + width + ", output "
              + outHeight + "x" + outWidth);
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("eps must be > 0, got " + eps);
    }
    this.manager = manager;
    this.videoId = videoId;
    this.numFrames = numFrames;
    this.height = height;
    this.width = width;
    this.outHeight = outHeight;
    this.outWidth = outWidth;
    this.k = clipLength / 2;
    this.assignThreshold = assignThreshold;
    this.maskThreshold = maskThreshold;
    this.eps = eps;
  }

  /** An assigner with the thresholds and clip length of {@code config} and eps = 1 [U]. */
  public static VideoLevelAssigner of(
      NDManager manager,
      InferConfig config,
      int videoId,
      int numFrames,
      int height,
      int width,
      int outHeight,
      int outWidth) {
    return new VideoLevelAssigner(
        manager, videoId, numFrames, height, width, outHeight, outWidth, config.clipLength(),
        config.assignThreshold(), config.maskThreshold(), 1.0);
  }

  /**
   * Assigns video-level IDs to the tracks of centre frame {@code t} (Eq. 5) and emits the final
   * masks of every frame no later centre can cover.
   *
   * @param t centre frame, greater than every earlier one
   * @param tracks the clip-level tracks centred at {@code t}, each covering
   *     {@code [max(0, t-k), min(numFrames-1, t+k)]}
   * @return the ID given to each track, in order
   */
  public int[] add(int t, List<ClipTrack> tracks) {
    if (finished) {
      throw new IllegalStateException("add after finish");
    }
    if (t <= lastCentre || t >= numFrames) {
      throw new IllegalArgumentException(
          "centre frame " + t + " must be in (" + lastCentre + ", " + numFrames + ")");
    }
    int first = Math.max(0, t - k);
    int last = Math.min(numFrames - 1, t + k);
    for (ClipTrack c : tracks) {
      if (c.centreFrame() != t || c.firstFrame() != first || c.lastFrame() != last) {
        throw new IllegalArgumentException(
            "track centred at " + c.centreFrame() + " covers [" + c.firstFrame() + ", "
                + c.lastFrame() + "], expected centre " + t + " covering [" + first + ", " + last
                + "]");
      }
      if (c.height() != height || c.width() != width) {
        throw new IllegalArgumentException(
            "track masks are " + c.height() + "x" + c.width() + ", expected " + height + "x"
                + width);
      }
    }
    lastCentre = t;
    int[] ids = assign(tracks);
    for (int i = 0; i < tracks.size(); i++) {
      retained.addLast(new Held(tracks.get(i), ids[i]));
      Identity identity = identities.get(ids[i]);
      identity.tracks++;
      for (CategoryScore s : tracks.get(i).scores()) {
        identity.scoreSums.merge(s.categoryId(), s.score(), Double::sum);
      }
    }
    maxRetainedTracks = Math.max(maxRetainedTracks, retained.size());
    // Frames f <= t - k are covered only by centres <= t, all added now.
    emitUpTo(t - k);
    // A track overlaps a later centre t' >= t + 1 only if its centre is >= t + 1 - 2k.
    while (!retained.isEmpty()
        && retained.peekFirst().track().centreFrame() < t + 1 - 2 * k
        && retained.peekFirst().track().lastFrame() < nextFrameToEmit) {
      retained.removeFirst();
    }
    return ids;
  }

  /** Emits the remaining frames and returns the video's results (see the class javadoc). */
  public List<YtvisResult> finish() {
    if (finished) {
      throw new IllegalStateException("finish called twice");
    }
    finished = true;
    emitUpTo(numFrames - 1);
    retained.clear();
    List<YtvisResult> out = new ArrayList<>();
    for (Identity identity : identities) {
      if (Arrays.stream(identity.segmentations).allMatch(r -> r == null)) {
        continue;
      }
      List<Rle> segs = Collections.unmodifiableList(Arrays.asList(identity.segmentations));
      for (Map.Entry<Integer, Double> e : identity.scoreSums.entrySet()) {
        double score = e.getValue() / identity.tracks;
        if (score > 0) {
          out.add(new YtvisResult(videoId, e.getKey(), score, segs));
        }
      }
    }
    return out;
  }

  /** Tracks held now (for the memory bound: at most {@code 2k + 1} centre frames' worth). */
  public int retainedTrackCount() {
    return retained.size();
  }

  /** Largest {@link #retainedTrackCount()} seen after any {@link #add}. */
  public int maxRetainedTrackCount() {
    return maxRetainedTracks;
  }

  /** Mask frames held now, summed over the held tracks. */
  public int retainedMaskFrames() {
    int n = 0;
    for (Held h : retained) {
      n += h.track().masks().length;
    }
    return n;
  }

  /** Frames whose final masks have been computed. */
  public int emittedFrames() {
    return nextFrameToEmit;
  }

  /** Video-level IDs opened so far. */
  public int identityCount() {
    return identities.size();
  }

  // ---------------------------------------------------------------------------------------------

  /** Eq. 5 with greedy conflict resolution; opens new identities as needed. */
  private int[] assign(List<ClipTrack> tracks) {
    int n = tracks.size();
    int[] ids = new int[n];
    Arrays.fill(ids, -1);
    if (n > 0 && !retained.isEmpty()) {
      List<ClipTrack> earlier = new ArrayList<>(retained.size());
      int[] earlierIds = new int[retained.size()];
      for (Held h : retained) {
        if (h.track().centreFrame() >= tracks.get(0).centreFrame() - 2 * k) {
          earlierIds[earlier.size()] = h.id();
          earlier.add(h.track());
        }
      }
      Matching y = matchingScores(manager, tracks, earlier, eps, maskThreshold); // Eq. 4
      double[][] s = identityScores(y, Arrays.copyOf(earlierIds, earlier.size()), identities.size());
      boolean[] idTaken = new boolean[identities.size()];
      // Candidate pairs above the threshold, best first.
      List<int[]> pairs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        for (int d = 0; d < s[i].length; d++) {
          if (s[i][d] > assignThreshold) {
            pairs.add(new int[] {i, d});
          }
        }
      }
      pairs.sort(
          (a, b) -> {
            int c = Double.compare(s[b[0]][b[1]], s[a[0]][a[1]]);
            return c != 0 ? c : a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]);
          });
      for (int[] p : pairs) {
        if (ids[p[0]] < 0 && !idTaken[p[1]]) {
          ids[p[0]] = p[1];
          idTaken[p[1]] = true;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (ids[i] < 0) {
        ids[i] = identities.size();
        identities.add(new Identity(numFrames));
      }
    }
    return ids;
  }

  /**
   * Eq. 5: {@code s[i][d]} = mean of {@code y[i][j]} over the earlier tracks {@code j} with ID
   * {@code d} that share at least one informative frame with track {@code i} ({@code
   * frames[i][j] > 0}); NaN for an ID without such a track (no evidence, never above a
   * threshold). A pair whose overlap holds only frames where both masks are empty has Eq. 4 score 0
   * [U], but it says nothing about identity: counting it as 0 here would split an object that is
   * hidden for a few frames, since the tracks centred just before the gap overlap those just after
   * it only inside the gap.
   */
  static double[][] identityScores(Matching y, int[] earlierIds, int identityCount) {
    int n = y.scores().length;
    double[][] s = new double[n][identityCount];
    for (int i = 0; i < n; i++) {
      int[] count = new int[identityCount];
      for (int j = 0; j < earlierIds.length; j++) {
        if (y.frames()[i][j] > 0) {
          s[i][earlierIds[j]] += y.scores()[i][j];
          count[earlierIds[j]]++;
        }
      }
      for (int d = 0; d < identityCount; d++) {
        s[i][d] = count[d] == 0 ? Double.NaN : s[i][d] / count[d];
      }
    }
    return s;
  }

  /**
   * Eq. 4 for every pair: {@code scores[i][j]} is the mean soft IoU of tracks {@code i} and
   * {@code j} over the {@code frames[i][j]} frames both cover where not both are empty, 0 when
   * there is none.
   */
  record Matching(double[][] scores, int[][] frames) {}

  /**
   * Eq. 4 for all pairs of {@code a} x {@code b} at once: the masks of the frames of {@code a}'s
   * clips go into {@code [F, n, P]} and {@code [F, m, P]} arrays (zeros where a clip does not
   * cover a frame), one batched matrix product gives every intersection, and a mask counts as
   * empty when no pixel reaches {@code emptyBelow}.
   */
  static Matching matchingScores(
      NDManager manager, List<ClipTrack> a, List<ClipTrack> b, double eps, double emptyBelow) {
    int n = a.size();
    int m = b.size();
    double[][] sum = new double[n][m];
    int[][] count = new int[n][m];
    if (n == 0 || m == 0) {
      return new Matching(sum, count);
    }
    int area = a.get(0).height() * a.get(0).width();
    int from = Integer.MAX_VALUE;
    int to = Integer.MIN_VALUE;
    for (ClipTrack c : a) {
      from = Math.min(from, c.firstFrame());
      to = Math.max(to, c.lastFrame());
    }
    int nf = to - from + 1;
    float[] siou;
    boolean[] bothEmpty;
    try (NDManager scope = manager.newSubManager()) {
      NDArray ma = stackFrames(scope, a, from, nf, area); // [F, n, P]
      NDArray mb = stackFrames(scope, b, from, nf, area); // [F, m, P]
      NDArray inter = ma.matMul(mb.transpose(0, 2, 1)); // [F, n, m]
      NDArray sa = ma.sum(new int[] {2}, true); // [F, n, 1]
      NDArray sb = mb.sum(new int[] {2}, true).transpose(0, 2, 1); // [F, 1, m]
      NDArray union = sa.add(sb).sub(inter); // [F, n, m]
      siou = inter.add(eps).div(union.add(eps)).toFloatArray();
      NDArray emptyA = ma.max(new int[] {2}, true).lt(emptyBelow); // [F, n, 1]
      NDArray emptyB = mb.max(new int[] {2}, true).lt(emptyBelow).transpose(0, 2, 1); // [F, 1, m]
      bothEmpty = emptyA.logicalAnd(emptyB).toBooleanArray(); // [F, n, m]
    }
    for (int f = 0; f < nf; f++) {
      for (int i = 0; i < n; i++) {
        if (!a.get(i).covers(from + f)) {
          continue;
        }
        for (int j = 0; j < m; j++) {
          int q = (f * n + i) * m + j;
          if (b.get(j).covers(from + f) && !bothEmpty[q]) {
            sum[i][j] += siou[q];
            count[i][j]++;
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        sum[i][j] = count[i][j] == 0 ? 0 : sum[i][j] / count[i][j];
      }
    }
    return new Matching(sum, count);
  }

  /** Masks of frames {@code from..from+nf-1} as {@code [nf, tracks, P]}, zeros where not covered. */
  private static NDArray stackFrames(
      NDManager scope, List<ClipTrack> tracks, int from, int nf, int area) {
    int n = tracks.size();
    float[] flat = new float[nf * n * area];
    for (int f = 0; f < nf; f++) {
      for (int j = 0; j < n; j++) {
        if (tracks.get(j).covers(from + f)) {
          System.arraycopy(tracks.get(j).maskAt(from + f), 0, flat, (f * n + j) * area, area);
        }
      }
    }
    return scope.create(flat, new Shape(nf, n, area));
  }

  /** Masks at frame {@code f} of the selected tracks as one {@code [rows, P]} array. */
  private static NDArray stack(NDManager scope, List<ClipTrack> tracks, int[] rows, int f, int area) {
    float[] flat = new float[rows.length * area];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(tracks.get(rows[r]).maskAt(f), 0, flat, r * area, area);
    }
    return scope.create(flat, new Shape(rows.length, area));
  }

  /** Final masks of frames {@code nextFrameToEmit..upTo} (inclusive). */
  private void emitUpTo(int upTo) {
    for (; nextFrameToEmit <= upTo; nextFrameToEmit++) {
      emitFrame(nextFrameToEmit);
    }
  }

  private void emitFrame(int f) {
    List<ClipTrack> covering = new ArrayList<>();
    List<Integer> trackIds = new ArrayList<>();
    for (Held h : retained) {
      if (h.track().covers(f)) {
        covering.add(h.track());
        trackIds.add(h.id());
      }
    }
    if (covering.isEmpty()) {
      return;
    }
    int[] distinct = trackIds.stream().mapToInt(Integer::intValue).distinct().toArray();
    int nd = distinct.length;
    int m = covering.size();
    // weights[d][j] = 1 / (tracks of ID d covering f) when track j has ID d
    float[] weights = new float[nd * m];
    for (int d = 0; d < nd; d++) {
      int c = 0;
      for (int j = 0; j < m; j++) {
        c += trackIds.get(j) == distinct[d] ? 1 : 0;
      }
      for (int j = 0; j < m; j++) {
        weights[d * m + j] = trackIds.get(j) == distinct[d] ? 1f / c : 0f;
      }
    }
    int[] all = new int[m];
    Arrays.setAll(all, j -> j);
    byte[] binary;
    try (NDManager scope = manager.newSubManager()) {
      NDArray masks = stack(scope, covering, all, f, height * width); // [m, P]
      NDArray mean = scope.create(weights, new Shape(nd, m)).matMul(masks); // [D, P]
      mean = resize(scope, mean.reshape(nd, height, width)); // [D, H, W]
      binary = mean.gte(maskThreshold).toType(DataType.UINT8, false).toByteArray(); // [D*H*W]
    }
    int outArea = outHeight * outWidth;
    for (int d = 0; d < nd; d++) {
      byte[] mask = Arrays.copyOfRange(binary, d * outArea, (d + 1) * outArea);
      Rle rle = Rle.encode(mask, outHeight, outWidth);
      if (rle.area() > 0) {
        identities.get(distinct[d]).segmentations[f] = rle;
      }
    }
  }

  /** Bilinear resize {@code [D, h, w] -> [D, H, W]} as two products with interpolation matrices. */
  private NDArray resize(NDManager scope, NDArray masks) {
    if (outHeight == height && outWidth == width) {
      return masks;
    }
    NDArray rows = scope.create(interpolation(height, outHeight), new Shape(outHeight, height));
    NDArray cols = scope.create(interpolation(width, outWidth), new Shape(outWidth, width));
    return rows.matMul(masks).matMul(cols.transpose()); // [H, h] x [D, h, w] x [w, W]
  }

  /**
   * {@code [out, in]} row-major matrix of 1-D linear interpolation with half-pixel centres
   * ({@code align_corners=False}): output {@code o} samples input coordinate {@code (o + 0.5) *
   * in / out - 0.5}, clamped to {@code [0, in - 1]}.
   */
  static float[] interpolation(int in, int out) {
    float[] w = new float[out * in];
    double scale = (double) in / out;
    for (int o = 0; o < out; o++) {
      double src = Math.max(0, (o + 0.5) * scale - 0.5);
      int i0 = Math.min((int) Math.floor(src), in - 1);
      int i1 = Math.min(i0 + 1, in - 1);
      double lambda = src - i0;
      if (i0 == in - 1) {
        lambda = 0;
      }
      w[o * in + i0] += (float) (1 - lambda);
      w[o * in + i1] += (float) lambda;
    }
    return w;
  }
}
