package org.maskprop.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.maskprop.InputException;

/**
 * Seeded frame-pair sampling for training (NOTES.md "Training": pairs of frames, the second at a
 * random gap from the first; paper +-25 raw frames [R?], i.e. +-5 annotated frames, {@code
 * train.maxFrameGap}).
 *
 * <p>{@link #sample} is a pure function of {@code (seed, iteration)}, so a resumed run sees the same
 * pairs (DESIGN.md section 9). Iterations go through epochs: epoch {@code e} visits every eligible
 * video once, in an order shuffled from {@code (seed, e)}. Within the video, frame {@code t} is
 * uniform over the frames with at least one instance ({@link FrameInstances#isPresent}: non-crowd,
 * non-empty mask); the gap is uniform over {@code d} with {@code 1 <= |d| <= maxFrameGap} and
 * {@code t + d} inside the video (gap 0 only when no other frame qualifies, e.g. a one-frame video
 * or {@code maxFrameGap = 0}). Frame {@code tPrime} may have no instance at all. Videos without any
 * instance are skipped; so every video weighs the same, whatever its length (an epoch is one pass
 * over videos, as the paper's epoch count).
 */
public final class PairSampler {
  private final long seed;
  private final int maxFrameGap;
  private final List<VideoFrames> videos; // eligible videos in dataset order
  private volatile EpochOrder cached; // last epoch's order; pure cache

  private record VideoFrames(int videoId, int length, int[] framesWithInstances, int[][] instancesOfFrame) {}

  private record EpochOrder(long epoch, int[] order) {}

  /**
   * @throws InputException when no frame of the dataset has an instance
   */
  public PairSampler(YtvisDataset dataset, int maxFrameGap, long seed) {
    if (maxFrameGap < 0) {
      throw new IllegalArgumentException("maxFrameGap must be >= 0, got " + maxFrameGap);
    }
    this.seed = seed;
    this.maxFrameGap = maxFrameGap;
    List<VideoFrames> vs = new ArrayList<>();
    for (YtvisDataset.Video v : dataset.videos()) {
      List<YtvisDataset.Annotation> anns = dataset.annotationsOf(v.id());
      int[][] inst = new int[v.length()][];
      List<Integer> withInstances = new ArrayList<>();
      for (int f = 0; f < v.length(); f++) {
        int fr = f;
        inst[f] = anns.stream().filter(a -> FrameInstances.isPresent(a, fr)).mapToInt(YtvisDataset.Annotation::id).toArray();
        if (inst[f].length > 0) {
          withInstances.add(f);
        }
      }
      if (!withInstances.isEmpty()) {
        vs.add(new VideoFrames(v.id(), v.length(), withInstances.stream().mapToInt(Integer::intValue).toArray(), inst));
      }
    }
    if (vs.isEmpty()) {
      throw new InputException((dataset.source() == null ? "dataset" : dataset.source().toString())
          + ": field annotations: no frame of any video has a (non-crowd, non-empty) instance to train on");
    }
    this.videos = List.copyOf(vs);
  }

  /** Number of videos with at least one instance: the iterations of one epoch. */
  public int epochLength() {
    return videos.size();
  }

  /** The ids of the videos that can be sampled, in dataset order. */
  public int[] videoIds() {
    return videos.stream().mapToInt(VideoFrames::videoId).toArray();
  }

  /** The pair of iteration {@code iteration} (>= 0). */
  public FramePair sample(long iteration) {
    if (iteration < 0) {
      throw new IllegalArgumentException("iteration must be >= 0, got " + iteration);
    }
    int n = videos.size();
    long epoch = iteration / n;
    VideoFrames v = videos.get(order(epoch)[(int) (iteration % n)]);
    SplittableRandom rng = Seeds.rng(seed, iteration, Seeds.PAIR_SAMPLER);
    int t = v.framesWithInstances[rng.nextInt(v.framesWithInstances.length)];
    int[] gaps = allowedGaps(t, v.length);
    int tPrime = t + (gaps.length == 0 ? 0 : gaps[rng.nextInt(gaps.length)]);
    int[] tracks = v.instancesOfFrame[t];
    int[] other = v.instancesOfFrame[tPrime];
    int[] present = java.util.Arrays.stream(tracks).filter(id -> contains(other, id)).toArray();
    int[] absent = java.util.Arrays.stream(tracks).filter(id -> !contains(other, id)).toArray();
    return new FramePair(v.videoId, t, tPrime, tracks, present, absent);
  }

  /** Gaps {@code d}, {@code 1 <= |d| <= maxFrameGap}, with {@code t + d} in {@code [0, length)}, ascending. */
  int[] allowedGaps(int t, int length) {
    int lo = Math.max(-maxFrameGap, -t);
    int hi = Math.min(maxFrameGap, length - 1 - t);
    int[] g = new int[Math.max(0, hi - lo)];
    int k = 0;
    for (int d = lo; d <= hi; d++) {
      if (d != 0) {
        g[k++] = d;
      }
    }
    return java.util.Arrays.copyOf(g, k);
  }

  /** Video positions in the order of {@code epoch}: a Fisher-Yates shuffle seeded by (seed, epoch). */
  private int[] order(long epoch) {
    EpochOrder c = cached;
    if (c != null && c.epoch == epoch) {
      return c.order;
    }
    int n = videos.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng = Seeds.rng(seed, epoch, Seeds.EPOCH_ORDER);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    cached = new EpochOrder(epoch, order);
    return order;
  }

  private static boolean contains(int[] a, int x) {
    for (int v : a) {
      if (v == x) {
        return true;
      }
    }
    return false;
  }
}
