package org.maskprop.tracking;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's meta.yaml in MLflow 2.17.2's file store. {@code endTime} is null while running;
 * {@code deleted_time: null} is written only by the first write of a new run and disappears with the
 * next one (MLflow's {@code _overwrite_run_info}), which MLflow's create_run itself makes when it sets
 * the run-name tag.
 */
public record RunInfo(
    String runId,
    String experimentId,
    String runName,
    String userId,
    RunStatus status,
    long startTime,
    Long endTime,
    String artifactUri,
    String lifecycleStage) {

  public RunInfo withRunName(String name) {
    return new RunInfo(runId, experimentId, name, userId, status, startTime, endTime, artifactUri, lifecycleStage);
  }

  public RunInfo terminated(RunStatus newStatus, long end) {
    return new RunInfo(runId, experimentId, runName, userId, newStatus, startTime, end, artifactUri, lifecycleStage);
  }

  /**
   * The meta.yaml map MLflow writes ({@code _make_persisted_run_info_dict}): the RunInfo fields plus
   * the legacy {@code tags: []}, {@code source_type: 4} (LOCAL) and empty source fields.
   */
  Map<String, Object> toMetaYaml(boolean withDeletedTime) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("artifact_uri", artifactUri);
    m.put("end_time", endTime);
    m.put("entry_point_name", "");
    m.put("experiment_id", experimentId);
    m.put("lifecycle_stage", lifecycleStage);
    m.put("run_id", runId);
    m.put("run_name", runName);
    m.put("run_uuid", runId);
    m.put("source_name", "");
    m.put("source_type", 4);
    m.put("source_version", "");
    m.put("start_time", startTime);
    m.put("status", status.code());
    m.put("tags", List.of());
    m.put("user_id", userId);
    if (withDeletedTime) {
      m.put("deleted_time", null);
    }
    return m;
  }

  /** Reads a parsed meta.yaml (legacy integer experiment ids become strings, as in MLflow). */
  static RunInfo fromMetaYaml(Map<String, Object> m, String where) {
    Object status = m.get("status");
    Object stage = m.get("lifecycle_stage");
    String runId = str(m.get("run_id") != null ? m.get("run_id") : m.get("run_uuid"));
    if (runId == null || m.get("experiment_id") == null) {
      throw new TrackingException(where + ": meta.yaml lacks run_id or experiment_id");
    }
    return new RunInfo(
        runId,
        str(m.get("experiment_id")),
        str(m.get("run_name")),
        str(m.get("user_id")),
        status == null ? RunStatus.RUNNING : RunStatus.fromCode(((Number) status).intValue()),
        m.get("start_time") == null ? 0L : ((Number) m.get("start_time")).longValue(),
        m.get("end_time") == null ? null : ((Number) m.get("end_time")).longValue(),
        str(m.get("artifact_uri")),
        stage == null ? "active" : stage.toString());
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
