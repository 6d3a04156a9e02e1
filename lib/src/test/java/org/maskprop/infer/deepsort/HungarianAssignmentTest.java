package org.maskprop.infer.deepsort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HungarianAssignmentTest {
  private static final double INF = Double.POSITIVE_INFINITY;

  @Test
  void handCases() {
    // greedy would take (0,0)=1 and then pay 4; optimum is 2 + 2
    assertArrayEquals(new int[] {1, 0},
        HungarianAssignment.solve(new double[][] {{1, 2}, {2, 4}}, 10));
    // wide: row 1 prefers col 2
    assertArrayEquals(new int[] {0, 2},
        HungarianAssignment.solve(new double[][] {{1, 5, 9}, {3, 7, 2}}, 10));
    // tall: row 2 is left out
    assertArrayEquals(new int[] {0, 1, -1},
        HungarianAssignment.solve(new double[][] {{1, 5}, {3, 2}, {4, 4}}, 10));
    // only infeasible pairs: nothing matched
    assertArrayEquals(new int[] {-1, -1},
        HungarianAssignment.solve(new double[][] {{INF, 11}, {12, INF}}, 10));
    assertArrayEquals(new int[0], HungarianAssignment.solve(new double[0][], 1));
    assertArrayEquals(new int[] {-1}, HungarianAssignment.solve(new double[][] {{}}, 1));
  }

  @Test
  void gateMakesUnmatchedCheaperThanAnExpensivePair() {
    // gate 0.9: (0,0)+(1,1) = 0.1 + 0.89 = 0.99 vs (0,1)+(1,0) = 0.9 (gated) + 0.05 = 0.95, so
    // row 0 stays unmatched although its feasible pair is cheap
    assertArrayEquals(new int[] {-1, 0},
        HungarianAssignment.solve(new double[][] {{0.1, INF}, {0.05, 0.89}}, 0.9));
    // an entry above the gate counts as the gate: 0.1 + 0.95->0.9 = 1.0 < 0.9 + 0.2
    assertArrayEquals(new int[] {0, -1},
        HungarianAssignment.solve(new double[][] {{0.1, INF}, {0.2, 0.95}}, 0.9));
  }

  @Test
  void matchesBruteForceOnRandomGatedMatrices() {
    Random rnd = new Random(42);
    double gate = 0.8;
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + rnd.nextInt(5);
      int m = 1 + rnd.nextInt(5);
      double[][] c = new double[n][m];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          c[i][j] = rnd.nextDouble() < 0.25 ? INF : rnd.nextDouble();
        }
      }
      int[] colOf = HungarianAssignment.solve(c, gate);
      boolean[] used = new boolean[m];
      int matched = 0;
      double total = 0;
      for (int i = 0; i < n; i++) {
        if (colOf[i] >= 0) {
          assertTrue(c[i][colOf[i]] <= gate, "infeasible pair reported");
          assertTrue(!used[colOf[i]], "column used twice");
          used[colOf[i]] = true;
          total += c[i][colOf[i]];
          matched++;
        }
      }
      total += gate * (Math.min(n, m) - matched);
      assertEquals(bruteForce(c, gate), total, 1e-9, "trial " + trial);
    }
  }

  /** Min over complete assignments of the smaller side of sum(min(c, gate)). */
  private static double bruteForce(double[][] c, double gate) {
    int n = c.length;
    int m = c[0].length;
    boolean transpose = n > m;
    int rows = transpose ? m : n;
    int cols = transpose ? n : m;
    double[][] g = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double v = transpose ? c[j][i] : c[i][j];
        g[i][j] = v <= gate ? v : gate;
      }
    }
    return best(g, 0, new boolean[cols]);
  }

  private static double best(double[][] g, int row, boolean[] used) {
    if (row == g.length) {
      return 0;
    }
    double b = INF;
    for (int j = 0; j < used.length; j++) {
      if (!used[j]) {
        used[j] = true;
        b = Math.min(b, g[row][j] + best(g, row + 1, used));
        used[j] = false;
      }
    }
    assertNotEquals(INF, b);
    return b;
  }
}
