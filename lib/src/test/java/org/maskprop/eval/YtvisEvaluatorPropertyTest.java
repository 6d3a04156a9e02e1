package org.maskprop.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

/** Properties that hold for any input, checked on seeded random cases. */
class YtvisEvaluatorPropertyTest {
  private static final double ONE = 1 / (1 + Math.ulp(1.0));

  /**
   * GT tracks as predictions (crowd left out) score 1 on every number that has GT, except AR1,
   * which is below 1 when a video has two tracks of one category (1 prediction per video and
   * category).
   */
  @Test
  void perfectPredictionsScoreOne() {
    for (long seed = 0; seed < 5; seed++) {
      EvalBenchmark.Case c = EvalBenchmark.generate(8, 4, 0, seed);
      List<YtvisResult> rs = new ArrayList<>();
      int i = 0;
      for (YtvisDataset.Annotation a : c.gt().annotations()) {
        if (a.iscrowd() == 0) {
          rs.add(new YtvisResult(a.videoId(), a.categoryId(), 1 - 1e-3 * i++, a.segmentations()));
        }
      }
      Metrics m = YtvisEvaluator.evaluate(c.gt(), rs);
      double[] v = m.values();
      for (int k = 0; k < v.length; k++) {
        if (k != 6) {
          assertTrue(v[k] == -1 || Math.abs(v[k] - 1) <= 1e-15, "seed " + seed + ": " + m);
        }
      }
      assertTrue(m.ar1() > 0.5 && m.ar1() <= 1, "seed " + seed + ": " + m);
      assertEquals(1.0, m.ar100(), 0);
      assertTrue(m.ap() >= ONE - 1e-15);
    }
  }

  /** With distinct scores the order of the results does not matter. */
  @Test
  void shufflingDistinctScoresChangesNothing() {
    for (long seed = 0; seed < 10; seed++) {
      EvalBenchmark.Case c = RandomYtvisCases.generate(seed);
      List<YtvisResult> rs = new ArrayList<>();
      List<Integer> rank = new ArrayList<>();
      for (int i = 0; i < c.results().size(); i++) {
        rank.add(i);
      }
      Collections.shuffle(rank, new Random(seed));
      for (int i = 0; i < c.results().size(); i++) {
        YtvisResult r = c.results().get(i);
        rs.add(new YtvisResult(r.videoId(), r.categoryId(), (rank.get(i) + 1) / 1000.0, r.segmentations()));
      }
      Metrics before = YtvisEvaluator.evaluate(c.gt(), rs);
      Collections.shuffle(rs, new Random(seed + 100));
      assertEquals(before, YtvisEvaluator.evaluate(c.gt(), rs), "seed " + seed);
    }
  }

  /** A false positive scored below every other result never raises AP (any split). */
  @Test
  void lowScoredFalsePositiveNeverRaisesAp() {
    for (long seed = 0; seed < 10; seed++) {
      EvalBenchmark.Case c = EvalBenchmark.generate(10, 3, 5, seed);
      Metrics before = YtvisEvaluator.evaluate(c.gt(), c.results());
      // an object where no GT of its category is: a tiny ellipse in a corner of video 1
      YtvisDataset.Annotation a = c.gt().annotations().get(0);
      List<YtvisResult> rs = new ArrayList<>(c.results());
      List<org.maskprop.data.Rle> segs = new ArrayList<>();
      for (int f = 0; f < 3; f++) {
        segs.add(EvalBenchmark.ellipse(EvalBenchmark.HEIGHT, EvalBenchmark.WIDTH,
            3 + 40 * (seed % 5), 3, 3, 3));
      }
      rs.add(new YtvisResult(a.videoId(), a.categoryId(), -1, segs));
      Metrics after = YtvisEvaluator.evaluate(c.gt(), rs);
      double[] b = before.values();
      double[] x = after.values();
      for (int i = 0; i < 6; i++) {
        assertTrue(x[i] <= b[i], "seed " + seed + " " + Metrics.NAMES[i] + ": " + b[i] + " -> " + x[i]);
      }
    }
  }

  /** The same evaluation on 1 and 4 threads gives identical numbers. */
  @Test
  void threadsDoNotChangeResults() {
    EvalBenchmark.Case c = EvalBenchmark.generate(20, 4, 6, 5);
    YtvisEvaluator single = new YtvisEvaluator(c.gt(), 1);
    single.process(c.results());
    Metrics one = single.evaluate();
    YtvisEvaluator four = new YtvisEvaluator(c.gt(), 4);
    four.process(c.results());
    assertEquals(one, four.evaluate());
  }
}
