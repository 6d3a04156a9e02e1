package org.maskprop.dataprep.ytvis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Video;

/**
 * Splits a split with GT (YouTube-VIS {@code train}) by video into local {@code train}, {@code valid}
 * and optionally {@code test} splits (DESIGN.md section 5: YouTube-VIS publishes no GT for its
 * {@code valid}/{@code test}). Every video, with all its annotations, lands in exactly one split.
 *
 * <p>Deterministic: the videos sorted by id are shuffled by a Fisher-Yates pass driven by
 * {@link java.util.Random} (whose sequence the JDK specifies) seeded with {@code seed}; the first
 * {@code n_valid} go to {@code valid}, the next {@code n_test} to {@code test}, the rest to
 * {@code train}. Inside a split, videos and annotations keep their order in the input file, ids are
 * kept, and every split carries the full category list (so category ids mean the same everywhere).
 * {@code n_valid = max(1, round(fraction * n))} when the fraction is positive, else 0; same for test.
 */
public final class VideoSplitter {
  private VideoSplitter() {}

  /** Fractions of the videos that go to {@code valid} and {@code test}; the rest is {@code train}. */
  public record Fractions(double valid, double test) {
    public Fractions {
      if (!(valid >= 0 && valid < 1)) {
        throw new InputException("--valid-fraction " + valid + ": expected a value in [0, 1)");
      }
      if (!(test >= 0 && test < 1)) {
        throw new InputException("--test-fraction " + test + ": expected a value in [0, 1)");
      }
      if (valid + test >= 1) {
        throw new InputException("--valid-fraction " + valid + " plus --test-fraction " + test
            + " leave no videos for train");
      }
    }
  }

  /** Videos per split for {@code n} videos. */
  static int count(double fraction, int n) {
    return fraction > 0 ? Math.max(1, (int) Math.round(fraction * n)) : 0;
  }

  /**
   * The split datasets in the order {@code train, valid[, test]}; {@code test} only when its
   * fraction is positive.
   *
   * @throws InputException if the requested splits cannot all get at least one video
   */
  public static Map<String, YtvisDataset> split(YtvisDataset d, Fractions fr, long seed) {
    int n = d.videos().size();
    int nValid = count(fr.valid(), n);
    int nTest = count(fr.test(), n);
    if (n - nValid - nTest < 1) {
      throw new InputException(
          (d.source() == null ? "dataset" : d.source().toString()) + ": " + n + " videos cannot give "
              + nValid + " valid + " + nTest + " test videos and leave at least one for train");
    }
    List<Integer> ids = new ArrayList<>(n);
    for (Video v : d.videos()) {
      ids.add(v.id());
    }
    ids.sort(null);
    Random rng = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      Integer t = ids.get(i);
      ids.set(i, ids.get(j));
      ids.set(j, t);
    }
    Map<Integer, String> splitOf = new HashMap<>();
    for (int k = 0; k < n; k++) {
      splitOf.put(ids.get(k), k < nValid ? "valid" : k < nValid + nTest ? "test" : "train");
    }
    Map<String, YtvisDataset> out = new LinkedHashMap<>();
    for (String s : nTest > 0 ? List.of("train", "valid", "test") : nValid > 0
        ? List.of("train", "valid") : List.of("train")) {
      List<Video> videos = new ArrayList<>();
      for (Video v : d.videos()) {
        if (splitOf.get(v.id()).equals(s)) {
          videos.add(v);
        }
      }
      List<Annotation> anns = new ArrayList<>();
      for (Annotation a : d.annotations()) {
        if (splitOf.get(a.videoId()).equals(s)) {
          anns.add(a);
        }
      }
      out.put(s, new YtvisDataset(null, d.info(), d.licenses(), videos, d.categories(), anns));
    }
    return out;
  }
}
