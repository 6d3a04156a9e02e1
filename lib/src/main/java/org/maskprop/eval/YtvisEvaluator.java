package org.maskprop.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.maskprop.InputException;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

/**
 * YouTube-VIS video AP/AR, number for number the official evaluator (youtubevos/cocoapi
 * {@code PythonAPI/pycocotools/ytvoseval.py}, {@code iouType='segm'}, default {@code Params}).
 *
 * <p>Rules reproduced, in the official code's order:
 *
 * <ul>
 *   <li>Videos and categories are those of the GT file (sorted ids); results of other categories
 *       are dropped; a category without GT anywhere gets -1 and is left out of the means.
 *   <li>Per (video, category): predictions sorted by descending score with a stable sort (numpy
 *       {@code argsort(-score, kind='mergesort')}), so equal scores keep the results' order; cut
 *       to the best 100 ({@code maxDets[-1]}) before IoU.
 *   <li>Video IoU (Eq. 1): sum over frames of intersections / sum over frames of unions; a frame
 *       present on one side adds only its area to the union; 0 if the union is empty. Crowd GT uses
 *       the same formula (never COCO's crowd IoU).
 *   <li>Crowd GT ({@code iscrowd != 0}) is ignored and may absorb several predictions. GT average
 *       area: mean of the JSON {@code areas} over non-null non-zero frames; a prediction's: mean of
 *       its non-zero mask areas. A track is outside an area range {@code [lo, hi]} if
 *       {@code area < lo || area > hi} (both bounds inclusive); such GT is ignored, and an unmatched
 *       prediction outside it too.
 *   <li>Greedy matching per IoU threshold {@code t} (GT sorted non-ignored first, stable), a
 *       prediction needs IoU {@code >= min(t, 1-1e-10)}; thresholds {@code np.linspace(.5, .95, 10)},
 *       recall points {@code np.linspace(0, 1, 101)}.
 *   <li>Accumulation per (category, area, maxDet in 1/10/100 per video and category): stable sort of
 *       all kept scores across videos (in video-id order), cumulative TP/FP, precision made
 *       monotone from the right, read at {@code searchsorted(recall, recThrs, 'left')} (0 past the
 *       last detection); recall is the last cumulative recall.
 *   <li>Summary: mean of the non-(-1) entries in numpy's order and pairwise summation.
 * </ul>
 *
 * <p>Inputs the official code fails on or silently truncates get an {@link InputException}
 * instead: an empty results list, a result for a video not in the GT, a per-frame list whose length
 * differs from the video's, a mask whose size differs from the video's, a NaN score. In lenient
 * mode (as {@code YtvisResults.read(.., lenient = true)}) a result's per-frame list may have
 * another length than its video, and is then treated as the official code does: IoU over the
 * frames both lists have ({@code zip}), average area over all its entries.
 *
 * <p>Work is split over (video, category) pairs on {@code threads} threads; every pair writes its
 * own slot and the reduction runs in a fixed order, so results do not depend on scheduling.
 */
public final class YtvisEvaluator implements Evaluator {

  /** {@code np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1)}. */
  static final double[] IOU_THRS = NumpyMath.linspace(.5, 0.95, (int) Math.rint((0.95 - .5) / .05) + 1);
  /** {@code np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1)}. */
  static final double[] REC_THRS = NumpyMath.linspace(.0, 1.00, (int) Math.rint((1.00 - .0) / .01) + 1);
  /** Per (video, category); sorted as the official {@code p.maxDets = sorted(p.maxDets)}. */
  static final int[] MAX_DETS = {1, 10, 100};
  /** all, small, medium, large: {@code [0, 1e5²], [0, 128²], [128², 256²], [256², 1e5²]}. */
  static final double[][] AREA_RNG = {{0, 1e10}, {0, 128 * 128}, {128 * 128, 256 * 256}, {256 * 256, 1e10}};

  private static final int T = IOU_THRS.length;
  private static final int R = REC_THRS.length;
  private static final int A = AREA_RNG.length;
  private static final int M = MAX_DETS.length;
  private static final byte FP = 0;
  private static final byte TP = 1;
  private static final byte IGNORED = 2;

  private final String gtSource;
  private final int threads;
  private final boolean lenient;
  private final Map<Integer, YtvisDataset.Video> videos = new HashMap<>();
  private final int[] videoIds;
  private final int[] catIds;
  private final Set<Integer> catIdSet = new HashSet<>();
  /** (video, category) to its GT tracks in file order. */
  private final Map<PairKey, List<GtTrack>> gtTracks = new HashMap<>();
  private final List<YtvisResult> results = new ArrayList<>();

  /** A (video, category) pair; a record so that the map key is exact and well spread. */
  private record PairKey(int videoId, int categoryId) {}

  private record GtTrack(long id, boolean crowd, double avgArea, TrackMasks masks) {}

  private record DtTrack(double score, double avgArea, TrackMasks masks) {}

  /** Output of the official {@code evaluateVid} for one (video, category), all area ranges. */
  private record PairEval(double[] scores, byte[][][] state, int[] npig) {}

  /** An evaluator of {@code gt} using all available processors. */
  public YtvisEvaluator(YtvisDataset gt) {
    this(gt, Runtime.getRuntime().availableProcessors());
  }

  /** A strict evaluator of {@code gt} on {@code threads} threads. */
  public YtvisEvaluator(YtvisDataset gt, int threads) {
    this(gt, threads, false);
  }

  /**
   * An evaluator of {@code gt}; GT masks are converted once here.
   *
   * @param lenient accept results whose per-frame list length differs from the video's
   */
  public YtvisEvaluator(YtvisDataset gt, int threads, boolean lenient) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.lenient = lenient;
    this.gtSource = gt.source() == null ? "GT" : gt.source().toString();
    TreeSet<Integer> vids = new TreeSet<>();
    for (YtvisDataset.Video v : gt.videos()) {
      if (videos.put(v.id(), v) != null) {
        throw new InputException(gtSource + ": videos: duplicate video id " + v.id());
      }
      vids.add(v.id());
    }
    videoIds = vids.stream().mapToInt(Integer::intValue).toArray();
    TreeSet<Integer> cats = new TreeSet<>();
    for (YtvisDataset.Category c : gt.categories()) {
      cats.add(c.id());
    }
    catIds = cats.stream().mapToInt(Integer::intValue).toArray();
    catIdSet.addAll(cats);
    List<YtvisDataset.Annotation> all = gt.annotations() == null ? List.of() : gt.annotations();
    List<YtvisDataset.Annotation> anns = new ArrayList<>();
    for (YtvisDataset.Annotation a : all) {
      YtvisDataset.Video v = videos.get(a.videoId());
      if (v == null || !catIdSet.contains(a.categoryId())) {
        continue; // the official getAnnIds(vidIds, catIds) never selects these
      }
      anns.add(a);
    }
    TrackMasks[] masks = new TrackMasks[anns.size()];
    for (int i = 0; i < anns.size(); i++) {
      YtvisDataset.Annotation a = anns.get(i);
      String where = gtSource + ": annotation " + a.id() + " (video " + a.videoId() + ")";
      checkFrames(a.segmentations(), videos.get(a.videoId()), where, "segmentations", false);
    }
    parallel(masks.length, i -> masks[i] = TrackMasks.of(anns.get(i).segmentations()));
    for (int i = 0; i < anns.size(); i++) {
      YtvisDataset.Annotation a = anns.get(i);
      String where = gtSource + ": annotation " + a.id() + " (video " + a.videoId() + ")";
      if (a.areas() == null) {
        throw new InputException(where + ": field areas missing");
      }
      double[] nonZero = a.areas().stream()
          .filter(x -> x != null && x != 0.0).mapToDouble(Double::doubleValue).toArray();
      double avg = nonZero.length == 0 ? 0 : NumpyMath.mean(nonZero, nonZero.length);
      gtTracks.computeIfAbsent(new PairKey(a.videoId(), a.categoryId()), k -> new ArrayList<>())
          .add(new GtTrack(a.id(), a.iscrowd() != 0, avg, masks[i]));
    }
  }

  /** One-shot evaluation of {@code results} (in results-file order) against {@code gt}. */
  public static Metrics evaluate(YtvisDataset gt, List<YtvisResult> results) {
    return evaluate(gt, results, false);
  }

  /** As {@link #evaluate(YtvisDataset, List)}, optionally lenient about per-frame list lengths. */
  public static Metrics evaluate(YtvisDataset gt, List<YtvisResult> results, boolean lenient) {
    YtvisEvaluator e = new YtvisEvaluator(gt, Runtime.getRuntime().availableProcessors(), lenient);
    e.process(results);
    return e.evaluate();
  }

  @Override
  public void reset() {
    results.clear();
  }

  @Override
  public void process(List<YtvisResult> predictions) {
    results.addAll(predictions);
  }

  @Override
  public Metrics evaluate() {
    if (results.isEmpty()) {
      throw new InputException("results: the results list is empty (nothing to evaluate; "
          + "the official evaluator fails on an empty results file)");
    }
    // group by (video, category) in results order, validating as the official loadRes would
    Map<PairKey, List<YtvisResult>> dts = new HashMap<>();
    for (int i = 0; i < results.size(); i++) {
      YtvisResult r = results.get(i);
      String where = "results[" + i + "] (video " + r.videoId() + ", category " + r.categoryId() + ")";
      YtvisDataset.Video v = videos.get(r.videoId());
      if (v == null) {
        throw new InputException(where + ": video_id " + r.videoId() + " is not in " + gtSource);
      }
      if (Double.isNaN(r.score())) {
        throw new InputException(where + ": score is NaN");
      }
      checkFrames(r.segmentations(), v, where, "segmentations", lenient);
      if (catIdSet.contains(r.categoryId())) {
        dts.computeIfAbsent(new PairKey(r.videoId(), r.categoryId()), k -> new ArrayList<>()).add(r);
      }
    }
    // pairs in the official evalImgs order: category-major, then video id
    List<PairKey> pairs = new ArrayList<>();
    List<Integer> pairCat = new ArrayList<>();
    for (int k = 0; k < catIds.length; k++) {
      for (int vid : videoIds) {
        PairKey key = new PairKey(vid, catIds[k]);
        if (gtTracks.containsKey(key) || dts.containsKey(key)) {
          pairs.add(key);
          pairCat.add(k);
        }
      }
    }
    PairEval[] evals = new PairEval[pairs.size()];
    parallel(evals.length, i -> {
      PairKey key = pairs.get(i);
      evals[i] = evaluatePair(gtTracks.getOrDefault(key, List.of()), dts.getOrDefault(key, List.of()));
    });
    // group per category, keeping video order
    List<List<PairEval>> perCat = new ArrayList<>();
    for (int k = 0; k < catIds.length; k++) {
      perCat.add(new ArrayList<>());
    }
    for (int i = 0; i < evals.length; i++) {
      perCat.get(pairCat.get(i)).add(evals[i]);
    }
    int K = catIds.length;
    double[] precision = new double[T * R * K * A * M]; // [T, R, K, A, M] row-major
    double[] recall = new double[T * K * A * M]; // [T, K, A, M]
    Arrays.fill(precision, -1);
    Arrays.fill(recall, -1);
    parallel(K, k -> accumulateCategory(perCat.get(k), k, K, precision, recall));
    return summarize(precision, recall, K);
  }

  /** The official {@code computeIoU} plus {@code evaluateVid} for every area range. */
  private static PairEval evaluatePair(List<GtTrack> gt, List<YtvisResult> dtIn) {
    // stable sort, highest score first; equal scores (including -0.0 == 0.0) keep input order
    List<YtvisResult> sorted = new ArrayList<>(dtIn);
    sorted.sort((x, y) -> x.score() > y.score() ? -1 : (x.score() < y.score() ? 1 : 0));
    int maxDet = MAX_DETS[M - 1];
    int D = Math.min(sorted.size(), maxDet);
    DtTrack[] dt = new DtTrack[D];
    double[] scores = new double[D];
    for (int d = 0; d < D; d++) {
      YtvisResult r = sorted.get(d);
      TrackMasks masks = TrackMasks.of(r.segmentations());
      dt[d] = new DtTrack(r.score(), predictionArea(masks), masks);
      scores[d] = r.score();
    }
    int G = gt.size();
    double[][] ious = new double[D][G];
    for (int d = 0; d < D; d++) {
      for (int g = 0; g < G; g++) {
        ious[d][g] = TrackMasks.videoIou(dt[d].masks(), gt.get(g).masks());
      }
    }
    byte[][][] state = new byte[A][T][D];
    int[] npig = new int[A];
    for (int a = 0; a < A; a++) {
      double lo = AREA_RNG[a][0];
      double hi = AREA_RNG[a][1];
      // gt order: not ignored first, stable (argsort(_ignore, kind='mergesort'))
      int[] order = new int[G];
      boolean[] gtIg = new boolean[G];
      int n = 0;
      for (int pass = 0; pass < 2; pass++) {
        for (int g = 0; g < G; g++) {
          GtTrack t = gt.get(g);
          boolean ig = t.crowd() || t.avgArea() < lo || t.avgArea() > hi;
          if (ig == (pass == 1)) {
            gtIg[n] = ig;
            order[n++] = g;
          }
        }
      }
      for (int g = 0; g < G; g++) {
        if (!gtIg[g]) {
          npig[a]++;
        }
      }
      for (int t = 0; t < T; t++) {
        boolean[] gtMatched = new boolean[G];
        for (int d = 0; d < D; d++) {
          double iou = Math.min(IOU_THRS[t], 1 - 1e-10);
          int m = -1;
          for (int gi = 0; gi < G; gi++) {
            GtTrack g = gt.get(order[gi]);
            if (gtMatched[gi] && !g.crowd()) {
              continue;
            }
            if (m > -1 && !gtIg[m] && gtIg[gi]) {
              break;
            }
            double v = ious[d][order[gi]];
            if (v < iou) {
              continue;
            }
            iou = v;
            m = gi;
          }
          // dtm holds the matched GT id; the official code reads id 0 as "unmatched"
          boolean dtmNonZero = false;
          boolean ignored = false;
          if (m != -1) {
            ignored = gtIg[m];
            dtmNonZero = gt.get(order[m]).id() != 0;
            gtMatched[m] = true;
          }
          if (!dtmNonZero && (dt[d].avgArea() < lo || dt[d].avgArea() > hi)) {
            ignored = true;
          }
          state[a][t][d] = ignored ? IGNORED : (dtmNonZero ? TP : FP);
        }
      }
    }
    return new PairEval(scores, state, npig);
  }

  /** Mean of the non-zero frame areas of a prediction (0 if none), as the official loadRes. */
  private static double predictionArea(TrackMasks masks) {
    long sum = 0;
    int n = 0;
    for (long a : masks.areas) {
      if (a != 0) {
        sum += a;
        n++;
      }
    }
    return n == 0 ? 0 : (double) sum / n;
  }

  /** The official {@code accumulate} for one category (all area ranges and maxDets). */
  private static void accumulateCategory(
      List<PairEval> es, int k, int K, double[] precision, double[] recall) {
    if (es.isEmpty()) {
      return;
    }
    double[] rc = null;
    double[] pr = null;
    for (int m = 0; m < M; m++) {
      // kept detections: the first maxDet of each video (already score-sorted), in video order
      int maxDet = MAX_DETS[m];
      int nd = 0;
      for (PairEval e : es) {
        nd += Math.min(maxDet, e.scores().length);
      }
      double[] scores = new double[nd];
      int[] owner = new int[nd];
      int[] local = new int[nd];
      int p = 0;
      for (int ei = 0; ei < es.size(); ei++) {
        PairEval e = es.get(ei);
        for (int d = 0; d < Math.min(maxDet, e.scores().length); d++) {
          scores[p] = e.scores()[d];
          owner[p] = ei;
          local[p++] = d;
        }
      }
      int[] order = stableOrderByScoreDesc(scores);
      if (rc == null || rc.length < nd) {
        rc = new double[nd];
        pr = new double[nd];
      }
      for (int a = 0; a < A; a++) {
        int npig = 0;
        for (PairEval e : es) {
          npig += e.npig()[a];
        }
        if (npig == 0) {
          continue;
        }
        for (int t = 0; t < T; t++) {
          double tp = 0;
          double fp = 0;
          for (int i = 0; i < nd; i++) {
            int j = order[i];
            byte s = es.get(owner[j]).state()[a][t][local[j]];
            if (s == TP) {
              tp++;
            } else if (s == FP) {
              fp++;
            }
            rc[i] = tp / npig;
            pr[i] = tp / (fp + tp + Math.ulp(1.0)); // np.spacing(1)
          }
          recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1] : 0;
          for (int i = nd - 1; i > 0; i--) {
            if (pr[i] > pr[i - 1]) {
              pr[i - 1] = pr[i];
            }
          }
          int i = 0;
          for (int ri = 0; ri < R; ri++) {
            // searchsorted(rc, recThrs, side='left'): first i with rc[i] >= r
            while (i < nd && rc[i] < REC_THRS[ri]) {
              i++;
            }
            double q = i < nd ? pr[i] : 0; // the official loop stops at the first index past the end
            precision[(((t * R + ri) * K + k) * A + a) * M + m] = q;
          }
        }
      }
    }
  }

  /**
   * Indices by descending score, ties in index order: numpy's {@code argsort(-s, kind='mergesort')}
   * (a stable sort; -0.0 and 0.0 tie as in numpy).
   */
  static int[] stableOrderByScoreDesc(double[] s) {
    Integer[] idx = new Integer[s.length];
    for (int i = 0; i < s.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (x, y) -> s[x] > s[y] ? -1 : (s[x] < s[y] ? 1 : 0)); // TimSort: stable
    int[] out = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  /** The official {@code summarize} for segm: 6 AP then 6 AR numbers. */
  private static Metrics summarize(double[] precision, double[] recall, int K) {
    int t50 = thresholdIndex(.5);
    int t75 = thresholdIndex(.75);
    return new Metrics(
        meanPrecision(precision, K, -1, 0, 2),
        meanPrecision(precision, K, t50, 0, 2),
        meanPrecision(precision, K, t75, 0, 2),
        meanPrecision(precision, K, -1, 1, 2),
        meanPrecision(precision, K, -1, 2, 2),
        meanPrecision(precision, K, -1, 3, 2),
        meanRecall(recall, K, 0, 0),
        meanRecall(recall, K, 0, 1),
        meanRecall(recall, K, 0, 2),
        meanRecall(recall, K, 1, 2),
        meanRecall(recall, K, 2, 2),
        meanRecall(recall, K, 3, 2));
  }

  /** {@code np.where(iouThr == p.iouThrs)}: exact comparison; -2 if absent (empty slice). */
  private static int thresholdIndex(double thr) {
    for (int t = 0; t < T; t++) {
      if (IOU_THRS[t] == thr) {
        return t;
      }
    }
    return -2;
  }

  /** Mean of precision[t?, :, :, a, m] over entries > -1, in (t, r, k) order; -1 if none. */
  private static double meanPrecision(double[] precision, int K, int tOnly, int a, int m) {
    if (tOnly == -2) {
      return -1;
    }
    double[] v = new double[T * R * K];
    int n = 0;
    for (int t = 0; t < T; t++) {
      if (tOnly >= 0 && t != tOnly) {
        continue;
      }
      for (int r = 0; r < R; r++) {
        for (int k = 0; k < K; k++) {
          double x = precision[(((t * R + r) * K + k) * A + a) * M + m];
          if (x > -1) {
            v[n++] = x;
          }
        }
      }
    }
    return n == 0 ? -1 : NumpyMath.mean(v, n);
  }

  /** Mean of recall[:, :, a, m] over entries > -1, in (t, k) order; -1 if none. */
  private static double meanRecall(double[] recall, int K, int a, int m) {
    double[] v = new double[T * K];
    int n = 0;
    for (int t = 0; t < T; t++) {
      for (int k = 0; k < K; k++) {
        double x = recall[((t * K + k) * A + a) * M + m];
        if (x > -1) {
          v[n++] = x;
        }
      }
    }
    return n == 0 ? -1 : NumpyMath.mean(v, n);
  }

  private static void checkFrames(
      List<Rle> frames, YtvisDataset.Video v, String where, String field, boolean anyLength) {
    if (frames == null) {
      throw new InputException(where + ": field " + field + " missing");
    }
    if (frames.size() != v.length() && !anyLength) {
      throw new InputException(where + ": field " + field + " has " + frames.size()
          + " frames, video " + v.id() + " has " + v.length());
    }
    for (int f = 0; f < frames.size(); f++) {
      Rle r = frames.get(f);
      if (r != null && (r.height() != v.height() || r.width() != v.width())) {
        throw new InputException(where + ": field " + field + ", frame " + f + ": mask is "
            + r.height() + "x" + r.width() + ", video " + v.id() + " is " + v.height() + "x" + v.width());
      }
    }
  }

  private void parallel(int n, java.util.function.IntConsumer body) {
    if (threads == 1 || n < 2) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("evaluation interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdown();
    }
  }
}
