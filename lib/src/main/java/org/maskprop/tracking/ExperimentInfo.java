package org.maskprop.tracking;

import java.util.Map;

/** An experiment as MLflow stores it (meta.yaml plus the files of its tags/ folder). */
public record ExperimentInfo(
    String experimentId,
    String name,
    String artifactLocation,
    String lifecycleStage,
    Long creationTime,
    Long lastUpdateTime,
    Map<String, String> tags) {
  public ExperimentInfo {
    tags = Map.copyOf(tags);
  }
}
