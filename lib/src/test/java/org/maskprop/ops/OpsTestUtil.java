package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;

/** Comparisons shared by the ops tests. */
final class OpsTestUtil {
  private OpsTestUtil() {}

  /** Asserts equal shapes and {@code |a - e| <= atol + rtol * |e|} elementwise. */
  static void assertClose(NDArray expected, NDArray actual, double rtol, double atol, String what) {
    assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), what + ": shape");
    double[] e = expected.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    double[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      if (!(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) {
        fail(what + ": element " + i + " expected " + e[i] + " but was " + a[i]);
      }
    }
  }

  /** Max-norm relative error {@code max|a - e| / max(max|e|, tiny)}. */
  static double relError(NDArray expected, NDArray actual) {
    double[] e = expected.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    double[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    double num = 0;
    double den = 1e-30;
    for (int i = 0; i < e.length; i++) {
      num = Math.max(num, Math.abs(a[i] - e[i]));
      den = Math.max(den, Math.abs(e[i]));
    }
    return num / den;
  }
}
