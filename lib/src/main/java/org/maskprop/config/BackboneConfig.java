package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

/**
 * Backbone and FPN. {@code fpnChannels} is 256 at paper scale, smaller in CPU presets. {@code
 * frozenStages}: stem plus that many ResNet stages (layer1..layerk, k <= 4) get no gradient (0 = none).
 */
public record BackboneConfig(Arch arch, int fpnChannels, boolean frozenBatchNorm, int frozenStages,
    int widthDivisor) {
  /** ResNet-18/50/101 and ResNeXt-101 64x4d (Table 4 of the paper). */
  public enum Arch { R18, R50, R101, X101_64X4D }

  public BackboneConfig {
    require(arch != null, "backbone.arch", "must be one of R18, R50, R101, X101_64X4D");
    require(fpnChannels >= 8, "backbone.fpnChannels", "must be >= 8, got " + fpnChannels);
    require(frozenStages >= 0 && frozenStages <= 4, "backbone.frozenStages", "must be in 0..4 (stem + layer1..layerk), got " + frozenStages);
    require(widthDivisor >= 1, "backbone.widthDivisor", "must be >= 1 (1 = paper widths), got " + widthDivisor);
  }
}
