package org.maskprop.infer.masktrack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.maskprop.config.TrackConfig;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.Detection;
import org.maskprop.infer.IouLinker;

/**
 * MaskTrack R-CNN's online instance matching (Yang et al., ICCV 2019, Sec. 4.1 "Inference"), as plain
 * Java on per-frame candidates: the detections of a frame with their tracking-head embeddings,
 * matched against a memory of the video's instances so far.
 *
 * <p>For candidate i (box {@code b_i}, score {@code s_i}, category {@code c_i}, embedding {@code
 * f_i}) and memory instance n = 1..N (latest box {@code b_n}, category {@code c_n}, latest embedding
 * {@code f_n}), with slot 0 the new-instance slot:
 *
 * <pre>
 *   log p_i(n) = log softmax([0, f_i . f_1, ..., f_i . f_N])[n]                  (MaskTrack Eq. 1)
 *   v_i(n)     = log p_i(n) + alpha log s_i + beta IoU(b_i, b_n) + gamma [c_i == c_n],  n &gt;= 1
 *   v_i(0)     = log p_i(0) + alpha log s_i + beta * 0          + gamma                 (new slot)
 * </pre>
 *
 * with alpha, beta, gamma = {@code track.scoreWeight}, {@code iouWeight}, {@code categoryWeight}
 * (MaskTrack R-CNN's {@code match_coeff} 1, 2, 10). As in their code the new slot counts as IoU 0
 * and as category agreement, and {@code alpha log s_i} is the same for every slot of a row: it only
 * decides between candidates that claim the same instance.
 *
 * <p>Each candidate takes its best slot (ties: the lower slot). Slot 0 makes it a new instance. When
 * several candidates of a frame pick the same instance, the one with the highest {@code v_i(n)} keeps
 * it (ties: the earlier candidate) and the others are dropped, as in MaskTrack R-CNN's {@code
 * simple_test_bboxes}. All scores of a frame are computed against the memory before the frame. The
 * winner replaces the instance's box and embedding; its category stays the one it was created with
 * (MaskTrack R-CNN does not update {@code prev_det_labels}). Instances are never forgotten within a
 * video. A frame before any instance exists (or after frames without candidates only) makes every
 * candidate a new instance.
 *
 * <p>Output, consistent with {@link IouLinker}: one {@link YtvisResult} per (instance, category)
 * with positive mean score, the mean over all the instance's detections with detections of another
 * category counting 0; segmentations are the winning candidates' masks, null in frames without one.
 * Results are ordered by instance creation, then category id.
 */
public final class MaskTrackMatcher {
  /**
   * One detection of a frame as the matcher sees it.
   *
   * @param detection mask (frame resolution), category id and score; the score must be &gt; 0 (its log
   *     enters the matching score)
   * @param box {@code [x1, y1, x2, y2]} of the detection, in any pixel frame used for every candidate
   *     of the video (e.g. the detector's input pixels)
   * @param embedding the tracking head's embedding of the box ({@code VideoMaskRcnn.embed}), copied
   */
  public record Candidate(Detection detection, double[] box, float[] embedding) {
    public Candidate {
      if (detection == null || box == null || embedding == null) {
        throw new IllegalArgumentException("MaskTrackMatcher.Candidate: null detection, box or embedding");
      }
      if (box.length != 4 || !Arrays.stream(box).allMatch(Double::isFinite)) {
        throw new IllegalArgumentException("MaskTrackMatcher.Candidate: box must be 4 finite numbers, got "
            + Arrays.toString(box));
      }
      if (!(detection.score() > 0)) {
        throw new IllegalArgumentException("MaskTrackMatcher.Candidate: score must be > 0, got " + detection.score());
      }
      if (embedding.length == 0) {
        throw new IllegalArgumentException("MaskTrackMatcher.Candidate: empty embedding");
      }
      box = box.clone();
      embedding = embedding.clone();
    }

    /** From the five fields directly. */
    public Candidate(double[] box, double score, int categoryId, float[] embedding, Rle mask) {
      this(new Detection(mask, categoryId, score), box, embedding);
    }

    @Override
    public double[] box() {
      return box.clone();
    }

    @Override
    public float[] embedding() {
      return embedding.clone();
    }
  }

  private static final class Instance {
    final int categoryId;
    final Rle[] segmentations;
    final Map<Integer, Double> scoreSums = new TreeMap<>();
    int detections;
    double[] box;
    float[] embedding;

    Instance(int categoryId, int numFrames) {
      this.categoryId = categoryId;
      this.segmentations = new Rle[numFrames];
    }

    void add(int frame, Candidate c) {
      segmentations[frame] = c.detection().mask();
      scoreSums.merge(c.detection().categoryId(), c.detection().score(), Double::sum);
      detections++;
      box = c.box;
      embedding = c.embedding;
    }
  }

  private final double scoreWeight;
  private final double iouWeight;
  private final double categoryWeight;
  private final int numFrames;
  private final int videoId;
  private final List<Instance> instances = new ArrayList<>();
  private int lastFrame = -1;
  private int embedDim = -1;
  private int maskHeight = -1;
  private int maskWidth = -1;

  /** The cue weights of {@code cfg} ({@code scoreWeight}, {@code iouWeight}, {@code categoryWeight}). */
  public MaskTrackMatcher(TrackConfig cfg, int numFrames, int videoId) {
    this(cfg.scoreWeight(), cfg.iouWeight(), cfg.categoryWeight(), numFrames, videoId);
  }

  public MaskTrackMatcher(double scoreWeight, double iouWeight, double categoryWeight, int numFrames, int videoId) {
    if (numFrames <= 0) {
      throw new IllegalArgumentException("MaskTrackMatcher: video " + videoId + " has " + numFrames + " frames");
    }
    this.scoreWeight = scoreWeight;
    this.iouWeight = iouWeight;
    this.categoryWeight = categoryWeight;
    this.numFrames = numFrames;
    this.videoId = videoId;
  }

  /** Instances created so far. */
  public int numInstances() {
    return instances.size();
  }

  /**
   * Matches the candidates of {@code frame} (frames in increasing order, gaps allowed) and updates the
   * memory.
   *
   * @return per candidate the instance it was assigned (0-based, in creation order), or -1 when it
   *     lost its instance to a better candidate of the same frame
   */
  public int[] addFrame(int frame, List<Candidate> candidates) {
    if (frame <= lastFrame || frame >= numFrames) {
      throw new IllegalArgumentException("MaskTrackMatcher: video " + videoId + ": frame " + frame + " after frame "
          + lastFrame + " or outside [0, " + numFrames + ")");
    }
    checkSizes(frame, candidates);
    lastFrame = frame;
    int n = candidates.size();
    int[] assigned = new int[n];
    if (instances.isEmpty()) {
      for (int i = 0; i < n; i++) {
        assigned[i] = newInstance(frame, candidates.get(i));
      }
      return assigned;
    }
    int memory = instances.size();
    int[] slot = new int[n];
    double[] value = new double[n];
    for (int i = 0; i < n; i++) {
      double[] v = scores(candidates.get(i));
      int best = 0;
      for (int s = 1; s <= memory; s++) {
        if (v[s] > v[best]) {
          best = s;
        }
      }
      slot[i] = best;
      value[i] = v[best];
    }
    // per instance, the candidate with the highest value keeps it (ties: the earlier one)
    int[] winner = new int[memory];
    Arrays.fill(winner, -1);
    for (int i = 0; i < n; i++) {
      int s = slot[i] - 1;
      if (s >= 0 && (winner[s] < 0 || value[i] > value[winner[s]])) {
        winner[s] = i;
      }
    }
    Arrays.fill(assigned, -1);
    for (int i = 0; i < n; i++) { // new instances in candidate order
      if (slot[i] == 0) {
        assigned[i] = newInstance(frame, candidates.get(i));
      }
    }
    for (int s = 0; s < memory; s++) {
      if (winner[s] >= 0) {
        instances.get(s).add(frame, candidates.get(winner[s]));
        assigned[winner[s]] = s;
      }
    }
    return assigned;
  }

  /**
   * The matching scores {@code v_i(0..N)} of one candidate against the current memory (class
   * javadoc).
   */
  double[] scores(Candidate c) {
    int memory = instances.size();
    double[] logits = new double[memory + 1]; // slot 0: the new instance, logit 0
    double max = 0;
    for (int s = 0; s < memory; s++) {
      logits[s + 1] = dot(c.embedding, instances.get(s).embedding);
      max = Math.max(max, logits[s + 1]);
    }
    double sum = 0;
    for (double l : logits) {
      sum += Math.exp(l - max);
    }
    double logZ = max + Math.log(sum);
    double logScore = scoreWeight * Math.log(c.detection().score());
    double[] v = new double[memory + 1];
    v[0] = logits[0] - logZ + logScore + categoryWeight;
    for (int s = 0; s < memory; s++) {
      Instance inst = instances.get(s);
      v[s + 1] = logits[s + 1] - logZ + logScore + iouWeight * boxIou(c.box, inst.box)
          + (c.detection().categoryId() == inst.categoryId ? categoryWeight : 0);
    }
    return v;
  }

  /**
   * The video's results (class javadoc). The matcher can keep going afterwards; each call reflects
   * the frames added so far.
   */
  public List<YtvisResult> finish() {
    List<YtvisResult> out = new ArrayList<>();
    for (Instance inst : instances) {
      List<Rle> segs = Collections.unmodifiableList(Arrays.asList(inst.segmentations.clone()));
      for (Map.Entry<Integer, Double> e : inst.scoreSums.entrySet()) {
        double score = e.getValue() / inst.detections;
        if (score > 0) {
          out.add(new YtvisResult(videoId, e.getKey(), score, segs));
        }
      }
    }
    return out;
  }

  /** IoU of two XYXY boxes in continuous coordinates (0 when the union is empty). */
  static double boxIou(double[] a, double[] b) {
    double iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
    double ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
    double inter = iw * ih;
    double union = area(a) + area(b) - inter;
    return union > 0 ? inter / union : 0;
  }

  private static double area(double[] b) {
    return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += (double) a[k] * b[k];
    }
    return s;
  }

  private int newInstance(int frame, Candidate c) {
    Instance inst = new Instance(c.detection().categoryId(), numFrames);
    inst.add(frame, c);
    instances.add(inst);
    return instances.size() - 1;
  }

  /** Rejects a frame whose embeddings or masks disagree in size with the video's, before any state change. */
  private void checkSizes(int frame, List<Candidate> candidates) {
    if (candidates.isEmpty()) {
      return;
    }
    Rle first = candidates.get(0).detection().mask();
    int dim = embedDim >= 0 ? embedDim : candidates.get(0).embedding.length;
    int h = embedDim >= 0 ? maskHeight : first.height();
    int w = embedDim >= 0 ? maskWidth : first.width();
    for (Candidate c : candidates) {
      Rle mask = c.detection().mask();
      if (c.embedding.length != dim) {
        throw new IllegalArgumentException("MaskTrackMatcher: video " + videoId + ", frame " + frame
            + ": embedding of length " + c.embedding.length + ", expected " + dim);
      }
      if (mask.height() != h || mask.width() != w) {
        throw new IllegalArgumentException("MaskTrackMatcher: video " + videoId + ", frame " + frame + ": mask of "
            + mask.height() + "x" + mask.width() + ", expected " + h + "x" + w);
      }
    }
    embedDim = dim;
    maskHeight = h;
    maskWidth = w;
  }
}
