package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

/**
 * Backbone and FPN. {@code fpnChannels} is 256 at paper scale, smaller in CPU presets. {@code
 * frozenStages}: stem plus that many ResNet stages (layer1..layerk, k <= 4) get no gradient (0 = none).
 * {@code groupNorm}: the trainable stages and the FPN convs use GroupNorm (training from scratch, as
 * the CPU presets do: no ImageNet weights here, and one frame pair per step is too small a batch for
 * BatchNorm); it takes precedence over {@code frozenBatchNorm} for the unfrozen stages.
 */
public record BackboneConfig(Arch arch, int fpnChannels, boolean frozenBatchNorm, int frozenStages,
    int widthDivisor, boolean groupNorm) {
  /** ResNet-18/50/101 and ResNeXt-101 64x4d (Table 4 of the paper). */
  public enum Arch { R18, R50, R101, X101_64X4D }

  public BackboneConfig {
    require(arch != null, "backbone.arch", "must be one of R18, R50, R101, X101_64X4D");
    require(fpnChannels >= 8, "backbone.fpnChannels", "must be >= 8, got " + fpnChannels);
    require(frozenStages >= 0 && frozenStages <= 4, "backbone.frozenStages", "must be in 0..4 (stem + layer1..layerk), got " + frozenStages);
    require(widthDivisor >= 1, "backbone.widthDivisor", "must be >= 1 (1 = paper widths), got " + widthDivisor);
  }

  /** Without GroupNorm (the paper's set-up: ImageNet/COCO weights, frozen or trainable BatchNorm). */
  public BackboneConfig(Arch arch, int fpnChannels, boolean frozenBatchNorm, int frozenStages, int widthDivisor) {
    this(arch, fpnChannels, frozenBatchNorm, frozenStages, widthDivisor, false);
  }
}
