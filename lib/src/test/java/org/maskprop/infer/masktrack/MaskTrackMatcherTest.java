package org.maskprop.infer.masktrack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.config.TrackConfig;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.masktrack.MaskTrackMatcher.Candidate;

/** Hand-built candidates; weights are MaskTrack R-CNN's (1, 2, 10) unless a test says otherwise. */
class MaskTrackMatcherTest {
  static final int H = 12;
  static final int W = 40;
  static final TrackConfig CFG = TrackConfig.paper(true);

  static Rle rect(double[] b) {
    byte[] m = new byte[H * W];
    for (int y = (int) b[1]; y < (int) b[3]; y++) {
      for (int x = (int) b[0]; x < (int) b[2]; x++) {
        m[y * W + x] = 1;
      }
    }
    return Rle.encode(m, H, W);
  }

  static Candidate cand(double x1, double x2, double score, int category, float... embedding) {
    double[] box = {x1, 0, x2, 10};
    return new Candidate(box, score, category, embedding, rect(box));
  }

  @Test
  void matchingScoresFollowTheFormulaByHand() {
    MaskTrackMatcher m = new MaskTrackMatcher(CFG, 3, 7);
    m.addFrame(0, List.of(cand(0, 10, 0.9, 1, 1, 0)));
    // logits [0, 2]; log Z = log(1 + e^2) = 2.126928; alpha log 0.5 = -0.693147; IoU([5,15],[0,10]) = 1/3
    double[] v = m.scores(cand(5, 15, 0.5, 1, 2, 0));
    assertEquals(-2.126928 - 0.693147 + 10, v[0], 1e-5); // new slot: IoU 0, counts as category agreement
    assertEquals(2 - 2.126928 - 0.693147 + 2.0 / 3 + 10, v[1], 1e-5);
    double[] other = m.scores(cand(5, 15, 0.5, 2, 2, 0)); // another category loses gamma on slot 1 only
    assertEquals(v[0], other[0], 1e-12);
    assertEquals(v[1] - 10, other[1], 1e-12);
  }

  @Test
  void twoSameClassObjectsCrossingKeepTheirIdentitiesByEmbedding() {
    MaskTrackMatcher m = new MaskTrackMatcher(CFG, 3, 7);
    assertArrayEquals(new int[] {0, 1}, m.addFrame(0, List.of(cand(0, 10, 0.9, 3, 3, 0), cand(20, 30, 0.8, 3, 0, 3))));
    assertArrayEquals(new int[] {0, 1}, m.addFrame(1, List.of(cand(6, 16, 0.9, 3, 3, 0), cand(14, 24, 0.8, 3, 0, 3))));
    // frame 2: A (embedding e_A) is where B was in frame 1, and B where A was: IoU alone would swap them
    assertArrayEquals(new int[] {1, 0}, m.addFrame(2, List.of(cand(6, 16, 0.8, 3, 0, 3), cand(14, 24, 0.9, 3, 3, 0))));
    assertEquals(2, m.numInstances());
    List<YtvisResult> r = m.finish();
    assertEquals(2, r.size());
    assertEquals(rect(new double[] {14, 0, 24, 10}), r.get(0).segmentations().get(2)); // A ended on the right
    assertEquals(rect(new double[] {6, 0, 16, 10}), r.get(1).segmentations().get(2));
    assertEquals((0.9 + 0.9 + 0.9) / 3, r.get(0).score(), 1e-12);

    // control: with uninformative embeddings the box IoU cue swaps the identities, so the test can fail
    MaskTrackMatcher blind = new MaskTrackMatcher(CFG, 3, 7);
    blind.addFrame(0, List.of(cand(0, 10, 0.9, 3, 1, 1), cand(20, 30, 0.8, 3, 1, 1)));
    blind.addFrame(1, List.of(cand(6, 16, 0.9, 3, 1, 1), cand(14, 24, 0.8, 3, 1, 1)));
    int[] swapped = blind.addFrame(2, List.of(cand(6, 16, 0.8, 3, 1, 1), cand(14, 24, 0.9, 3, 1, 1)));
    assertArrayEquals(new int[] {0, 1}, swapped);
  }

  @Test
  void anUnlikeObjectStartsANewInstance() {
    MaskTrackMatcher m = new MaskTrackMatcher(CFG, 2, 7);
    m.addFrame(0, List.of(cand(0, 10, 0.9, 1, 3, 0)));
    // same category, far away, embedding dissimilar to the memory: the new slot (logit 0) wins
    int[] a = m.addFrame(1, List.of(cand(1, 11, 0.9, 1, 3, 0), cand(28, 38, 0.7, 1, -3, 0)));
    assertArrayEquals(new int[] {0, 1}, a);
    List<YtvisResult> r = m.finish();
    assertEquals(2, r.size());
    assertNull(r.get(1).segmentations().get(0)); // the new instance is absent from frame 0
    assertEquals(0.7, r.get(1).score(), 1e-12);
  }

  @Test
  void categoryAgreementDecidesAnAmbiguousEmbedding() {
    for (int category : new int[] {1, 2}) {
      MaskTrackMatcher m = new MaskTrackMatcher(CFG, 2, 7);
      m.addFrame(0, List.of(cand(0, 10, 0.9, 1, 2, 0), cand(30, 40, 0.9, 2, 0, 2)));
      // equally similar to both (dot 2), overlapping neither: the category picks the instance
      int[] a = m.addFrame(1, List.of(cand(15, 25, 0.9, category, 1, 1)));
      assertArrayEquals(new int[] {category - 1}, a, "category " + category);
    }
    // without the category cue the embedding tie goes to the lower slot, the first instance
    MaskTrackMatcher noCue = new MaskTrackMatcher(1, 2, 0, 2, 7);
    noCue.addFrame(0, List.of(cand(0, 10, 0.9, 1, 2, 0), cand(30, 40, 0.9, 2, 0, 2)));
    assertArrayEquals(new int[] {0}, noCue.addFrame(1, List.of(cand(15, 25, 0.9, 2, 1, 1))));
  }

  @Test
  void twoClaimsOnOneInstanceKeepTheBestAndDropTheOther() {
    MaskTrackMatcher m = new MaskTrackMatcher(CFG, 2, 7);
    m.addFrame(0, List.of(cand(0, 10, 0.9, 1, 3, 0)));
    // both pick instance 0; the second has the higher score (alpha log s) and IoU: it keeps it
    int[] a = m.addFrame(1, List.of(cand(4, 14, 0.3, 1, 3, 0), cand(1, 11, 0.8, 1, 3, 0)));
    assertArrayEquals(new int[] {-1, 0}, a);
    assertEquals(1, m.numInstances());
    List<YtvisResult> r = m.finish();
    assertEquals(rect(new double[] {1, 0, 11, 10}), r.get(0).segmentations().get(1));
    assertEquals((0.9 + 0.8) / 2, r.get(0).score(), 1e-12);
  }

  @Test
  void oneResultPerCategoryWithTheMeanOverAllDetections() {
    MaskTrackMatcher m = new MaskTrackMatcher(CFG, 4, 9);
    assertArrayEquals(new int[0], m.addFrame(0, List.of())); // nothing yet: the next frame starts instances
    m.addFrame(1, List.of(cand(0, 10, 0.8, 1, 4, 0)));
    // frame 2 missing; frame 3 re-detects it as category 2 (embedding strong enough to override gamma)
    assertArrayEquals(new int[] {0}, m.addFrame(3, List.of(cand(0, 10, 0.6, 2, 4, 0))));
    List<YtvisResult> r = m.finish();
    assertEquals(2, r.size());
    assertEquals(9, r.get(0).videoId());
    assertEquals(1, r.get(0).categoryId());
    assertEquals(0.4, r.get(0).score(), 1e-12); // (0.8 + 0) / 2
    assertEquals(2, r.get(1).categoryId());
    assertEquals(0.3, r.get(1).score(), 1e-12);
    List<Rle> segs = r.get(0).segmentations();
    assertEquals(4, segs.size());
    assertNull(segs.get(0));
    assertNull(segs.get(2));
    assertSame(segs.get(1), r.get(1).segmentations().get(1));
  }

  @Test
  void rejectsOutOfOrderFramesAndMismatchedSizesWithoutChangingState() {
    MaskTrackMatcher m = new MaskTrackMatcher(CFG, 3, 5);
    m.addFrame(1, List.of(cand(0, 10, 0.9, 1, 1, 0)));
    assertThrows(IllegalArgumentException.class, () -> m.addFrame(1, List.of()));
    assertThrows(IllegalArgumentException.class, () -> m.addFrame(3, List.of()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> m.addFrame(2, List.of(cand(0, 10, 0.9, 1, 1, 0, 0))));
    assertTrue(e.getMessage().contains("video 5, frame 2"), e.getMessage());
    assertArrayEquals(new int[] {0}, m.addFrame(2, List.of(cand(0, 10, 0.9, 1, 1, 0)))); // still usable
    assertThrows(IllegalArgumentException.class, () -> cand(0, 10, 0, 1, 1, 0)); // log 0
  }
}
