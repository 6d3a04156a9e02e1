package org.maskprop.infer.deepsort;

import java.util.Arrays;

/**
 * Minimum-cost assignment for rectangular cost matrices (Kuhn-Munkres with row/column potentials
 * and shortest augmenting paths, O(n^2 m) for n <= m), as DeepSORT's {@code min_cost_matching}
 * uses it.
 *
 * <p>Gating: an entry that is not finite or exceeds {@code gateCost} is infeasible. It takes part
 * in the optimisation with cost {@code gateCost} (so leaving a row unmatched costs exactly the
 * gate, as in DeepSORT where gated costs are set to {@code max_distance + 1e-5}) and a pair that
 * lands on one is reported as unmatched. The result therefore minimises
 * {@code sum(min(cost, gateCost))} over complete assignments of the smaller side.
 */
public final class HungarianAssignment {
  private HungarianAssignment() {}

  /**
   * @param cost {@code [rows][cols]}, rectangular (all rows the same length)
   * @return {@code colOf[row]}: the column assigned to each row, or -1 when unmatched
   */
  public static int[] solve(double[][] cost, double gateCost) {
    if (!Double.isFinite(gateCost)) {
      throw new IllegalArgumentException(
          "HungarianAssignment: gate cost " + gateCost + " not finite");
    }
    int rows = cost.length;
    int[] colOf = new int[rows];
    Arrays.fill(colOf, -1);
    if (rows == 0 || cost[0].length == 0) {
      return colOf;
    }
    int cols = cost[0].length;
    for (double[] r : cost) {
      if (r.length != cols) {
        throw new IllegalArgumentException("HungarianAssignment: ragged cost matrix");
      }
    }
    boolean transpose = rows > cols; // the algorithm assigns every row of an n x m matrix, n <= m
    int n = transpose ? cols : rows;
    int m = transpose ? rows : cols;
    double[][] a = new double[n + 1][m + 1]; // 1-based, gated
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double c = transpose ? cost[j][i] : cost[i][j];
        a[i + 1][j + 1] = Double.isFinite(c) && c <= gateCost ? c : gateCost;
      }
    }
    int[] rowOfCol = minCostRows(a, n, m);
    for (int j = 1; j <= m; j++) {
      int i = rowOfCol[j];
      if (i == 0) {
        continue;
      }
      int r = transpose ? j - 1 : i - 1;
      int c = transpose ? i - 1 : j - 1;
      double orig = cost[r][c];
      if (Double.isFinite(orig) && orig <= gateCost) {
        colOf[r] = c;
      }
    }
    return colOf;
  }

  /**
   * Potentials algorithm on 1-based {@code a[n+1][m+1]}, n <= m; returns the (1-based) row of
   * each column, 0 if none.
   */
  private static int[] minCostRows(double[][] a, int n, int m) {
    double[] u = new double[n + 1];
    double[] v = new double[m + 1];
    int[] p = new int[m + 1]; // p[j]: row matched to column j; p[0] is the row being inserted
    int[] way = new int[m + 1]; // previous column on the shortest alternating path
    double[] minv = new double[m + 1];
    boolean[] used = new boolean[m + 1];
    for (int i = 1; i <= n; i++) {
      p[0] = i;
      int j0 = 0;
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      Arrays.fill(used, false);
      do {
        used[j0] = true;
        int i0 = p[j0];
        double delta = Double.POSITIVE_INFINITY;
        int j1 = 0;
        for (int j = 1; j <= m; j++) {
          if (!used[j]) {
            double cur = a[i0][j] - u[i0] - v[j];
            if (cur < minv[j]) {
              minv[j] = cur;
              way[j] = j0;
            }
            if (minv[j] < delta) {
              delta = minv[j];
              j1 = j;
            }
          }
        }
        for (int j = 0; j <= m; j++) {
          if (used[j]) {
            u[p[j]] += delta;
            v[j] -= delta;
          } else {
            minv[j] -= delta;
          }
        }
        j0 = j1;
      } while (p[j0] != 0);
      do { // augment along the path back to the virtual column 0
        int j1 = way[j0];
        p[j0] = p[j1];
        j0 = j1;
      } while (j0 != 0);
    }
    return p;
  }
}
