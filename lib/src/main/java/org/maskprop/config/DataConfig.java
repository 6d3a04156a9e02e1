package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

/**
 * Where the data is and how frames are sized. {@code root} holds {@code <split>.json} and
 * {@code <split>/JPEGImages}; {@code imageRoot} overrides the latter for splits carved from train.
 */
public record DataConfig(
    String root, String trainSplit, String validSplit, String imageRoot, int numClasses,
    int minSize, int maxSize) {
  public DataConfig {
    require(trainSplit != null && validSplit != null, "data.trainSplit/validSplit", "must be set");
    require(numClasses >= 1, "data.numClasses", "must be >= 1, got " + numClasses);
    require(minSize >= 16 && maxSize >= minSize, "data.minSize/maxSize",
        "need 16 <= minSize <= maxSize, got " + minSize + "/" + maxSize);
  }
}
