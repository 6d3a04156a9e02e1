package org.maskprop.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.eval.Cases.dataset;
import static org.maskprop.eval.Cases.frames;
import static org.maskprop.eval.Cases.gt;
import static org.maskprop.eval.Cases.rect;
import static org.maskprop.eval.Cases.result;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

/** Hand-computed cases for the official rules. Frames are 10x10 unless said otherwise. */
class YtvisEvaluatorTest {
  private static final double EPS = Math.ulp(1.0); // np.spacing(1) in pr = tp / (fp + tp + eps)
  private static final int H = 10;
  private static final int W = 10;

  /**
   * 1 video, 2 frames, one GT (rows 0-1 in both frames: 20 + 20 px, small), two predictions.
   *
   * <pre>
   * A (0.9): frame 0 = GT, frame 1 absent   -> IoU = (20 + 0) / (20 + 20) = 0.5
   * B (0.8): frame 0 rows 0-2, frame 1 = GT -> IoU = (20 + 20) / (30 + 20) = 0.8
   * t = .50:            A TP, B FP: rc = [1, 1], pr = [1/(1+eps), 1/2] -> q = 1/(1+eps) x 101
   * t = .55 .. .80 (6): A FP, B TP: rc = [0, 1], pr = [0, 1/2] -> monotone [1/2, 1/2] -> q = 1/2
   * t = .85 .. .95 (3): both FP: q = 0
   * AP = (1/(1+eps) + 6 * 0.5) / 10 = 0.4; AP50 = 1/(1+eps); AP75 = 0.5
   * AR100 = AR10 = (1 + 6) / 10 = 0.7; AR1 (A only) = 1/10 (only t = .5 recalls)
   * all tracks are small: APs = AP, ARs = AR100; medium/large have no GT: -1
   * </pre>
   */
  @Test
  void oneGtTwoPredictionsByHand() {
    Rle g = rect(H, W, 0, 0, 10, 2);
    YtvisDataset ds = dataset(1, 2, H, W, 1, List.of(gt(1, 1, 1, 0, frames(g, g))));
    List<YtvisResult> rs = List.of(
        result(1, 1, 0.9, frames(g, null)),
        result(1, 1, 0.8, frames(rect(H, W, 0, 0, 10, 3), g)));
    Metrics m = YtvisEvaluator.evaluate(ds, rs);
    double one = 1 / (1 + EPS);
    assertEquals((one + 6 * 0.5) / 10, m.ap(), 1e-15);
    assertEquals(one, m.ap50(), 1e-15);
    assertEquals(0.5, m.ap75(), 1e-15);
    assertEquals(m.ap(), m.apSmall(), 0);
    assertEquals(-1, m.apMedium(), 0);
    assertEquals(-1, m.apLarge(), 0);
    assertEquals(0.1, m.ar1(), 1e-15);
    assertEquals(0.7, m.ar10(), 1e-15);
    assertEquals(0.7, m.ar100(), 1e-15);
    assertEquals(0.7, m.arSmall(), 1e-15);
    assertEquals(-1, m.arMedium(), 0);
    assertEquals(-1, m.arLarge(), 0);
  }

  /**
   * Equal scores keep the results' order, as the official stable sort: one GT, a perfect
   * prediction P and a disjoint one F, both 0.5. [P, F]: q = 1/(1+eps) everywhere, AP ~ 1.
   * [F, P]: rc = [0, 1], pr = [0, 1/2] -> monotone 1/2 everywhere, AP = 0.5.
   */
  @Test
  void tiesFollowResultsOrder() {
    Rle g = rect(H, W, 0, 0, 5, 5);
    YtvisDataset ds = dataset(1, 1, H, W, 1, List.of(gt(1, 1, 1, 0, frames(g))));
    YtvisResult p = result(1, 1, 0.5, frames(g));
    YtvisResult f = result(1, 1, 0.5, frames(rect(H, W, 5, 5, 10, 10)));
    assertEquals(1 / (1 + EPS), YtvisEvaluator.evaluate(ds, List.of(p, f)).ap(), 1e-15);
    assertEquals(0.5, YtvisEvaluator.evaluate(ds, List.of(f, p)).ap(), 1e-15);
  }

  /**
   * A crowd GT is ignored and absorbs any number of predictions (video IoU, no crowd formula).
   *
   * <pre>
   * GT g (regular) and c (crowd); predictions c1 (0.95) and c2 (0.94) exactly on c, p (0.9) on g.
   * crowd:   c1, c2 ignored, p TP -> as if only p: AP = 1/(1+eps); but c1 takes the single
   *          maxDets=1 slot of the (video, category), so AR1 = 0.
   * regular: c1 TP, c2 FP, p TP: rc = [.5, .5, 1], pr = [1/(1+eps), 1/2, 2/3]
   *          -> monotone [1/(1+eps), 2/3, 2/3]; 51 recall points <= .5 read ~1, 50 read 2/3:
   *          AP = (51/(1+eps) + 50 * 2/3) / 101
   * </pre>
   */
  @Test
  void crowdAbsorbsPredictionsWithoutPenalty() {
    Rle g = rect(H, W, 0, 0, 4, 4);
    Rle c = rect(H, W, 5, 5, 10, 10);
    YtvisResult p = result(1, 1, 0.9, frames(g));
    List<YtvisResult> rs = List.of(
        result(1, 1, 0.95, frames(c)), result(1, 1, 0.94, frames(c)), p);
    YtvisDataset crowd = dataset(1, 1, H, W, 1,
        List.of(gt(1, 1, 1, 0, frames(g)), gt(2, 1, 1, 1, frames(c))));
    Metrics only = YtvisEvaluator.evaluate(crowd, List.of(p));
    Metrics m = YtvisEvaluator.evaluate(crowd, rs);
    assertEquals(1 / (1 + EPS), m.ap(), 1e-15);
    assertEquals(only.ap(), m.ap(), 0);
    assertEquals(1.0, m.ar100(), 0);
    assertEquals(0.0, m.ar1(), 0);
    YtvisDataset regular = dataset(1, 1, H, W, 1,
        List.of(gt(1, 1, 1, 0, frames(g)), gt(2, 1, 1, 0, frames(c))));
    assertEquals((51 / (1 + EPS) + 50 * 2.0 / 3) / 101, YtvisEvaluator.evaluate(regular, rs).ap(), 1e-15);
    // a GT set with only crowd has nothing to average: -1 like the official code
    YtvisDataset crowdOnly = dataset(1, 1, H, W, 1, List.of(gt(2, 1, 1, 1, frames(c))));
    assertEquals(-1, YtvisEvaluator.evaluate(crowdOnly, List.of(result(1, 1, 0.9, frames(c)))).ap(), 0);
  }

  /**
   * Categories: one with GT, one declared without GT (its predictions are not averaged in), and
   * results of a category absent from the GT file (dropped, as the official getAnnIds does).
   */
  @Test
  void categoryWithoutGtIsLeftOut() {
    Rle g = rect(H, W, 0, 0, 4, 4);
    YtvisDataset ds = dataset(1, 1, H, W, 2, List.of(gt(1, 1, 1, 0, frames(g))));
    Metrics base = YtvisEvaluator.evaluate(ds, List.of(result(1, 1, 0.9, frames(g))));
    Metrics extra = YtvisEvaluator.evaluate(ds, List.of(
        result(1, 2, 0.99, frames(g)), result(1, 1, 0.9, frames(g)), result(1, 7, 0.95, frames(g))));
    assertEquals(base, extra);
  }

  /** maxDets count per (video, category): two videos, one perfect prediction each -> AR1 = 1. */
  @Test
  void ar1CountsPerVideoAndCategory() {
    Rle g = rect(H, W, 2, 2, 6, 6);
    YtvisDataset ds = dataset(2, 1, H, W, 1,
        List.of(gt(1, 1, 1, 0, frames(g)), gt(2, 2, 1, 0, frames(g))));
    Metrics m = YtvisEvaluator.evaluate(ds, List.of(
        result(1, 1, 0.9, frames(g)), result(2, 1, 0.8, frames(g))));
    assertEquals(1.0, m.ar1(), 0);
    assertEquals(1.0, m.ar100(), 0);
  }

  /**
   * Area ranges use the GT's JSON areas (not its masks), bounds inclusive: a GT whose areas say
   * exactly 128^2 is small and medium at once, so it counts in both and never in large.
   */
  @Test
  void areaRangesFromJsonAreasInclusive() {
    Rle g = rect(H, W, 0, 0, 3, 3);
    List<Double> areas = new ArrayList<>();
    areas.add(16384.0);
    areas.add(null);
    areas.add(0.0); // zero areas are left out of the mean like nulls
    YtvisDataset ds = dataset(1, 3, H, W, 1,
        List.of(gt(1, 1, 1, 0, frames(g, null, g), areas)));
    // the prediction's own area is 9 px (small only); matched, so never ignored for its size
    Metrics m = YtvisEvaluator.evaluate(ds, List.of(result(1, 1, 0.9, frames(g, null, g))));
    assertEquals(m.ap(), m.apSmall(), 0);
    assertEquals(m.ap(), m.apMedium(), 0);
    assertEquals(-1, m.apLarge(), 0);
    assertEquals(1.0, m.arMedium(), 0);
    assertEquals(-1, m.arLarge(), 0);
  }

  /**
   * An unmatched prediction outside an area range is ignored there, not counted as a false
   * positive: a 9 px GT, a disjoint 130x130 px (medium) false positive at 0.9 and a perfect
   * prediction at 0.5. "all": FP then TP -> rc = [0, 1], pr = [0, 1/2] -> AP = 0.5; "small": the
   * FP is ignored -> AP = 1/(1+eps).
   */
  @Test
  void unmatchedPredictionOutsideRangeIsIgnored() {
    int h = 200;
    int w = 200;
    Rle small = rect(h, w, 0, 0, 3, 3);
    Rle medium = rect(h, w, 50, 50, 180, 180); // 130 x 130 = 16900 px > 128^2
    YtvisDataset ds = dataset(1, 1, h, w, 1, List.of(gt(1, 1, 1, 0, frames(small))));
    Metrics m = YtvisEvaluator.evaluate(ds, List.of(
        result(1, 1, 0.9, frames(medium)), result(1, 1, 0.5, frames(small))));
    assertEquals(0.5, m.ap(), 1e-15);
    assertEquals(1 / (1 + EPS), m.apSmall(), 1e-15);
  }

  @Test
  void emptyResultsAreAnInputError() {
    YtvisDataset ds = dataset(1, 1, H, W, 1, List.of(gt(1, 1, 1, 0, frames(rect(H, W, 0, 0, 2, 2)))));
    InputException e = assertThrows(InputException.class, () -> YtvisEvaluator.evaluate(ds, List.of()));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void badResultsAreInputErrorsNamingTheEntry() {
    Rle g = rect(H, W, 0, 0, 2, 2);
    YtvisDataset ds = dataset(1, 2, H, W, 1, List.of(gt(1, 1, 1, 0, frames(g, g))));
    InputException frames = assertThrows(InputException.class,
        () -> YtvisEvaluator.evaluate(ds, List.of(result(1, 1, 0.5, frames(g)))));
    assertTrue(frames.getMessage().contains("results[0]") && frames.getMessage().contains("1 frames"),
        frames.getMessage());
    InputException video = assertThrows(InputException.class,
        () -> YtvisEvaluator.evaluate(ds, List.of(result(1, 1, 0.5, frames(g, g)),
            result(9, 1, 0.5, frames(g, g)))));
    assertTrue(video.getMessage().contains("results[1]") && video.getMessage().contains("video_id 9"),
        video.getMessage());
    Rle wrong = rect(H + 1, W, 0, 0, 2, 2);
    InputException size = assertThrows(InputException.class,
        () -> YtvisEvaluator.evaluate(ds, List.of(result(1, 1, 0.5, frames(g, wrong)))));
    assertTrue(size.getMessage().contains("frame 1"), size.getMessage());
  }

  /**
   * Lenient results may have fewer frames than the video; IoU then pairs frames as the official
   * {@code zip}: GT rows 0-1 in 2 frames, prediction = [GT frame 0] only. Lenient: IoU = 20 / 20 =
   * 1 -> AP = 1/(1+eps). The strict-valid [GT frame 0, null] has IoU 20 / 40 = 0.5 -> AP = 0.1 x
   * 1/(1+eps) (only t = .5 matches). Strict mode rejects the short list.
   */
  @Test
  void lenientShortListPairsFramesLikeZip() {
    Rle g = rect(H, W, 0, 0, 10, 2);
    YtvisDataset ds = dataset(1, 2, H, W, 1, List.of(gt(1, 1, 1, 0, frames(g, g))));
    List<YtvisResult> shortList = List.of(result(1, 1, 0.9, frames(g)));
    assertEquals(1 / (1 + EPS), YtvisEvaluator.evaluate(ds, shortList, true).ap(), 1e-15);
    assertEquals(0.1 / (1 + EPS),
        YtvisEvaluator.evaluate(ds, List.of(result(1, 1, 0.9, frames(g, null)))).ap(), 1e-15);
    assertThrows(InputException.class, () -> YtvisEvaluator.evaluate(ds, shortList));
  }

  /** Reset forgets processed predictions; process in parts equals one list. */
  @Test
  void evaluatorProtocol() {
    Rle g = rect(H, W, 0, 0, 4, 4);
    YtvisDataset ds = dataset(2, 1, H, W, 1,
        List.of(gt(1, 1, 1, 0, frames(g)), gt(2, 2, 1, 0, frames(g))));
    YtvisResult a = result(1, 1, 0.9, frames(g));
    YtvisResult b = result(2, 1, 0.3, frames(rect(H, W, 0, 0, 2, 4)));
    YtvisEvaluator e = new YtvisEvaluator(ds, 1);
    e.process(List.of(result(2, 1, 0.1, frames(g))));
    e.reset();
    e.process(List.of(a));
    e.process(List.of(b));
    assertEquals(YtvisEvaluator.evaluate(ds, List.of(a, b)), e.evaluate());
  }
}
