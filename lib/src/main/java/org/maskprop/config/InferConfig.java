package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

/**
 * Inference (Sec. 4.3): clips of T' = 13 frames [R]; box score > 0.1 feeds the mask and
 * propagation branches [U]; Eq. 5 assignment threshold 0.5 [U]; final masks binarised at 0.5 [U];
 * 1000 proposals [U].
 */
public record InferConfig(
    int clipLength, double scoreThreshold, double assignThreshold, double maskThreshold, int proposals) {
  public InferConfig {
    require(clipLength >= 1 && clipLength % 2 == 1, "infer.clipLength", "must be odd and >= 1, got " + clipLength);
    require(assignThreshold >= 0 && assignThreshold <= 1, "infer.assignThreshold", "must be in [0, 1]");
    require(maskThreshold > 0 && maskThreshold < 1, "infer.maskThreshold", "must be in (0, 1)");
  }
}
