package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

import java.util.List;

/**
 * Cascade box heads (1 stage = Mask R-CNN, 3 = cascade / HTC-style), mask head and the optional
 * semantic head. Stage loss weights 1, 0.5, 0.25 and semantic weight 0.2 are [R?] (HTC defaults);
 * the semantic target (union of GT instance masks per class) is a stand-in [U].
 */
public record RoiHeadsConfig(
    int stages,
    List<Double> stageIous,
    List<Double> stageLossWeights,
    boolean classAgnosticBoxes,
    int batchSizePerImage,
    double positiveFraction,
    int maskConvs,
    int maskResolution,
    boolean semanticHead,
    double semanticLossWeight,
    double scoreThreshold,
    double nmsThreshold,
    int detectionsPerImage) {
  public RoiHeadsConfig {
    require(stages >= 1 && stages <= 3, "roiHeads.stages", "must be 1..3, got " + stages);
    require(stageIous != null && stageIous.size() == stages, "roiHeads.stageIous", "needs one IoU per stage");
    require(stageLossWeights != null && stageLossWeights.size() == stages, "roiHeads.stageLossWeights",
        "needs one weight per stage");
    require(maskResolution % 2 == 0 && maskResolution >= 4, "roiHeads.maskResolution", "must be even and >= 4");
    require(scoreThreshold >= 0 && scoreThreshold < 1, "roiHeads.scoreThreshold", "must be in [0, 1)");
  }
}
