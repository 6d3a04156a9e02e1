package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class MatcherTest {
  private static final double[] RPN_T = {0.3, 0.7};
  private static final int[] RPN_L = {Matcher.NEGATIVE, Matcher.IGNORE, Matcher.POSITIVE};

  @Test
  void rpnRuleWithAndWithoutLowQualityMatches() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray q = m.create(new float[] {
          0.9f, 0.5f, 0.1f, 0.0f, 0.2f,
          0.1f, 0.6f, 0.25f, 0.0f, 0.65f}, new Shape(2, 5));
      MatchResult strict = new Matcher(RPN_T, RPN_L, false).match(q);
      assertArrayEquals(new long[] {0, 1, 1, 0, 1}, strict.matched().toLongArray());
      assertArrayEquals(new int[] {1, -1, 0, 0, -1}, strict.labels().toIntArray());
      // gt 1's best prediction (0.65, below 0.7) becomes positive
      MatchResult low = new Matcher(RPN_T, RPN_L, true).match(q);
      assertArrayEquals(new int[] {1, -1, 0, 0, 1}, low.labels().toIntArray());
      assertArrayEquals(new long[] {0, 1, 1, 0, 1}, low.matched().toLongArray());
    }
  }

  /** Intervals are [low, high): a quality equal to a threshold falls into the upper interval. */
  @Test
  void thresholdsAreInclusiveBelow() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray q = m.create(new float[] {0.3f, 0.7f, 0.29999f, 0.69999f}, new Shape(1, 4));
      assertArrayEquals(new int[] {-1, 1, 0, -1}, new Matcher(RPN_T, RPN_L, false).match(q).labels().toIntArray());
      NDArray q2 = m.create(new float[] {0.5f, 0.49f}, new Shape(1, 2));
      assertArrayEquals(new int[] {1, 0},
          new Matcher(new double[] {0.5}, new int[] {0, 1}, false).match(q2).labels().toIntArray());
    }
  }

  /** Tied best qualities of one gt all become positive (detectron2 semantics). */
  @Test
  void lowQualityTiesAllPositive() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray q = m.create(new float[] {0.4f, 0.1f, 0.4f, 0.2f}, new Shape(1, 4));
      assertArrayEquals(new int[] {1, 0, 1, 0}, new Matcher(RPN_T, RPN_L, true).match(q).labels().toIntArray());
    }
  }

  @Test
  void noGroundTruthOrNoPredictions() {
    try (NDManager m = NDManager.newBaseManager()) {
      MatchResult none = new Matcher(RPN_T, RPN_L, true).match(m.zeros(new Shape(0, 4)));
      assertArrayEquals(new long[] {0, 0, 0, 0}, none.matched().toLongArray());
      assertArrayEquals(new int[] {0, 0, 0, 0}, none.labels().toIntArray());
      MatchResult empty = new Matcher(RPN_T, RPN_L, true).match(m.zeros(new Shape(3, 0)));
      assertEquals(0, empty.labels().size());
      assertThrows(IllegalArgumentException.class, () -> new Matcher(RPN_T, new int[] {0, 1}, false));
      assertThrows(IllegalArgumentException.class, () -> new Matcher(new double[] {0.7, 0.3}, RPN_L, false));
    }
  }
}
