package org.maskprop.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.Metric;
import org.maskprop.tracking.RunInfo;
import org.maskprop.tracking.RunTags;

/**
 * What a report needs of one tracked run, read back from the store: its params, tags and the latest
 * value of each metric (MLflow's rule: max of step, timestamp, value).
 */
public record ReportRun(RunInfo info, Map<String, String> params, Map<String, String> tags, Map<String, Double> metrics) {
  public ReportRun {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  public String runId() {
    return info.runId();
  }

  /** The run name, or the id when the run has none. */
  public String name() {
    return info.runName() == null || info.runName().isEmpty() ? info.runId() : info.runName();
  }

  /** The parent run id ({@code mlflow.parentRunId}), or null for a top-level run. */
  public String parentRunId() {
    return tags.get(RunTags.PARENT_RUN_ID);
  }

  /** Reads one run. */
  public static ReportRun read(FileStoreReader reader, RunInfo info) {
    Map<String, Double> latest = new LinkedHashMap<>();
    for (Map.Entry<String, Metric> e : reader.latestMetrics(info.runId()).entrySet()) {
      latest.put(e.getKey(), e.getValue().value());
    }
    return new ReportRun(info, reader.params(info.runId()), reader.tags(info.runId()), latest);
  }

  /** Reads every active run of an experiment, oldest first. */
  public static List<ReportRun> readAll(FileStoreReader reader, String experimentId) {
    return reader.runs(experimentId).stream().map(r -> read(reader, r)).toList();
  }
}
