package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

import java.util.List;

/** Region proposal network: anchors per FPN level, proposal budgets per mode, training sampler. */
public record RpnConfig(
    List<Integer> anchorSizes,
    List<Double> aspectRatios,
    TrainTest<Integer> preNmsTopN,
    TrainTest<Integer> postNmsTopN,
    double nmsThreshold,
    double fgIouThreshold,
    double bgIouThreshold,
    int batchSizePerImage,
    double positiveFraction) {
  public RpnConfig {
    require(anchorSizes != null && anchorSizes.size() == 5, "rpn.anchorSizes", "needs one size per level P2..P6");
    require(aspectRatios != null && !aspectRatios.isEmpty(), "rpn.aspectRatios", "must not be empty");
    require(nmsThreshold > 0 && nmsThreshold <= 1, "rpn.nmsThreshold", "must be in (0, 1]");
    require(bgIouThreshold <= fgIouThreshold, "rpn.bgIouThreshold", "must be <= fgIouThreshold");
    require(positiveFraction > 0 && positiveFraction <= 1, "rpn.positiveFraction", "must be in (0, 1]");
  }
}
