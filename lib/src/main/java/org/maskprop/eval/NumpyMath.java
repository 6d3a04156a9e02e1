package org.maskprop.eval;

/**
 * The few numpy operations whose floating-point results the official evaluator's numbers depend on,
 * reproduced bit for bit so our metrics equal the official ones exactly, not only to 1e-15.
 */
final class NumpyMath {
  private NumpyMath() {}

  /** numpy's {@code PW_BLOCKSIZE}: below it, 8 interleaved accumulators; above it, halving. */
  private static final int PW_BLOCKSIZE = 128;

  /**
   * {@code np.linspace(start, stop, num)} (endpoint=True): {@code i * step + start} with
   * {@code step = (stop - start) / (num - 1)}, the last value set to {@code stop}.
   */
  static double[] linspace(double start, double stop, int num) {
    double[] y = new double[num];
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; i++) {
      y[i] = i * step + start;
    }
    y[num - 1] = stop;
    return y;
  }

  /** {@code np.mean} of a contiguous float64 array: pairwise sum divided by the count. */
  static double mean(double[] a, int n) {
    return sum(a, n) / n;
  }

  /** numpy's default ufunc buffer size: a reduction sees the data in blocks of this many. */
  private static final int BUFSIZE = 8192;

  /**
   * {@code np.sum} of {@code a[0..n)}: the reduction starts at 0 and adds numpy's
   * {@code pairwise_sum_DOUBLE} of each block of {@link #BUFSIZE} elements in turn (so for n above
   * 8192 the result is not one pairwise sum over everything; checked against numpy 1.24).
   */
  static double sum(double[] a, int n) {
    double res = 0.0;
    for (int lo = 0; lo < n; lo += BUFSIZE) {
      res += pairwiseSum(a, lo, Math.min(BUFSIZE, n - lo));
    }
    return res;
  }

  private static double pairwiseSum(double[] a, int from, int n) {
    if (n < 8) {
      double res = 0.;
      for (int i = 0; i < n; i++) {
        res += a[from + i];
      }
      return res;
    } else if (n <= PW_BLOCKSIZE) {
      double[] r = new double[8];
      for (int j = 0; j < 8; j++) {
        r[j] = a[from + j];
      }
      int i;
      for (i = 8; i < n - (n % 8); i += 8) {
        for (int j = 0; j < 8; j++) {
          r[j] += a[from + i + j];
        }
      }
      double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) {
        res += a[from + i];
      }
      return res;
    } else {
      int n2 = n / 2;
      n2 -= n2 % 8;
      return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
    }
  }
}
