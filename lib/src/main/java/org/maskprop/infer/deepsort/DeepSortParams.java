package org.maskprop.infer.deepsort;

/**
 * DeepSORT's hyperparameters; {@link #defaults()} gives the values of the reference application.
 *
 * @param maxCosineDistance appearance gate of the matching cascade (cosine distance, 0.2)
 * @param budget gallery size: last N appearance descriptors kept per track (100)
 * @param maxIouDistance gate of the IoU stage on {@code 1 - IoU} (0.7)
 * @param maxAge a track is deleted once it has been missed for more than this many frames (30)
 * @param nInit detections needed to confirm a tentative track (3)
 * @param gatingThreshold squared Mahalanobis gate (chi-square 95% for 4 dof, 9.4877)
 */
public record DeepSortParams(
    double maxCosineDistance,
    int budget,
    double maxIouDistance,
    int maxAge,
    int nInit,
    double gatingThreshold) {
  public DeepSortParams {
    if (!(maxCosineDistance >= 0 && maxCosineDistance <= 2)) {
      throw new IllegalArgumentException("DeepSortParams: maxCosineDistance " + maxCosineDistance);
    }
    if (budget < 1 || maxAge < 1 || nInit < 1) {
      throw new IllegalArgumentException(
          "DeepSortParams: budget " + budget + ", maxAge " + maxAge + ", nInit " + nInit
              + " must be >= 1");
    }
    if (!(maxIouDistance >= 0 && maxIouDistance <= 1)) {
      throw new IllegalArgumentException("DeepSortParams: maxIouDistance " + maxIouDistance);
    }
    if (!(gatingThreshold > 0)) {
      throw new IllegalArgumentException("DeepSortParams: gatingThreshold " + gatingThreshold);
    }
  }

  public static DeepSortParams defaults() {
    return new DeepSortParams(0.2, 100, 0.7, 30, 3, KalmanBoxFilter.CHI2_95_4DOF);
  }

  public DeepSortParams withMaxAge(int age) {
    return new DeepSortParams(
        maxCosineDistance, budget, maxIouDistance, age, nInit, gatingThreshold);
  }
}
