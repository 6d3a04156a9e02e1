package org.maskprop.tracking;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a new run needs: the experiment (by name, created when missing), the run name (a generated
 * one when null), the parent run for nested runs (null for a top-level run) and extra tags.
 */
public record RunSpec(String experimentName, String runName, String parentRunId, Map<String, String> tags) {
  public RunSpec {
    MlflowNames.checkExperimentName(experimentName);
    tags = Map.copyOf(tags == null ? Map.of() : tags);
  }

  public static RunSpec of(String experimentName, String runName) {
    return new RunSpec(experimentName, runName, null, Map.of());
  }

  /** The same run as a child of {@code parentRunId} (MLflow tag {@code mlflow.parentRunId}). */
  public RunSpec childOf(String parentRunId) {
    return new RunSpec(experimentName, runName, parentRunId, tags);
  }

  public RunSpec withTags(Map<String, String> more) {
    Map<String, String> all = new LinkedHashMap<>(tags);
    all.putAll(more);
    return new RunSpec(experimentName, runName, parentRunId, all);
  }
}
