package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

/** High-resolution mask refinement: patch 384 [U], 128 channels [R?], 3 residual blocks [U]. */
public record RefineConfig(boolean enabled, int patchSize, int channels, int blocks) {
  public RefineConfig {
    require(patchSize >= 16, "refine.patchSize", "must be >= 16");
    require(channels >= 1 && blocks >= 0, "refine.channels/blocks", "must be positive");
  }
}
