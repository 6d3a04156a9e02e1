package org.maskprop.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Bit-exact agreement with numpy 1.24 (values printed by /usr/bin/python3 with float.hex). */
class NumpyMathTest {

  /** {@code np.linspace(.5, 0.95, 10)}; 0.5 and 0.75 must be present exactly (AP50/AP75). */
  @Test
  void iouThresholdsAsNumpy() {
    String[] want = {"0x1.0p-1", "0x1.199999999999ap-1", "0x1.3333333333333p-1",
        "0x1.4cccccccccccdp-1", "0x1.6666666666666p-1", "0x1.8p-1", "0x1.999999999999ap-1",
        "0x1.b333333333333p-1", "0x1.cccccccccccccp-1",
        "0x1.e666666666666p-1"};
    for (int i = 0; i < want.length; i++) {
      assertEquals(Double.parseDouble(want[i]), YtvisEvaluator.IOU_THRS[i], 0, "t" + i);
    }
    assertEquals(0.75, YtvisEvaluator.IOU_THRS[5], 0);
    assertEquals(101, YtvisEvaluator.REC_THRS.length);
    for (int i = 0; i < 100; i++) {
      assertEquals(i * 0.01, YtvisEvaluator.REC_THRS[i], 0); // numpy: all equal i * 0.01
    }
    assertEquals(1.0, YtvisEvaluator.REC_THRS[100], 0);
  }

  /**
   * {@code np.mean} of {@code a[i] = 1/(i+1) + (i % 7) * 0.1} uses pairwise summation: for n >= 100
   * it differs from a left-to-right sum in the last bits, and we match numpy, not the naive sum.
   */
  @Test
  void meanIsNumpyPairwise() {
    int[] ns = {5, 9, 17, 100, 129, 1000, 40400};
    String[] numpyMean = {"0x1.50369d0369d04p-1", "0x1.1e17a896fb36dp-1", "0x1.de3dc49d8e89bp-2",
        "0x1.6332e100e405dp-2", "0x1.59a081db3f851p-2", "0x1.3a8ed3fc9c154p-2",
        "0x1.3377e01541383p-2"};
    String[] naiveMean = {"0x1.50369d0369d04p-1", "0x1.1e17a896fb36dp-1", "0x1.de3dc49d8e89bp-2",
        "0x1.6332e100e405bp-2", "0x1.59a081db3f850p-2", "0x1.3a8ed3fc9c147p-2",
        "0x1.3377e01541381p-2"};
    for (int c = 0; c < ns.length; c++) {
      int n = ns[c];
      double[] a = new double[n];
      double naive = 0;
      for (int i = 0; i < n; i++) {
        a[i] = 1.0 / (i + 1) + (i % 7) * 0.1;
        naive += a[i];
      }
      assertEquals(Double.parseDouble(numpyMean[c]), NumpyMath.mean(a, n), 0, "n=" + n);
      assertEquals(Double.parseDouble(naiveMean[c]), naive / n, 0, "naive n=" + n);
    }
  }

  /**
   * Above 8192 elements numpy sums blocks of 8192 (its buffer size) pairwise and adds the block
   * sums in turn; one pairwise sum over everything differs in the last bit for these n. Array:
   * {@code a[i] = 1/(i+1) + (i % 7) * 0.1 + (i % 13) * 0.37}.
   */
  @Test
  void meanOverBlocksOf8192AsNumpy() {
    int[] ns = {8193, 9000, 30001, 50000};
    String[] numpyMean = {"0x1.429d1c8fd5c14p+1", "0x1.42988b1182503p+1", "0x1.4294dc577e557p+1",
        "0x1.4293f7187b443p+1"};
    for (int c = 0; c < ns.length; c++) {
      int n = ns[c];
      double[] a = new double[n];
      for (int i = 0; i < n; i++) {
        a[i] = 1.0 / (i + 1) + (i % 7) * 0.1 + (i % 13) * 0.37;
      }
      assertEquals(Double.parseDouble(numpyMean[c]), NumpyMath.mean(a, n), 0, "n=" + n);
    }
  }
}
