package org.maskprop.tracking;

import java.nio.file.Path;
import java.util.Map;

/**
 * Experiment tracking in MLflow's model: experiments hold runs; a run has params (immutable
 * strings), metrics (history of doubles by step), tags and artifacts, and ends as FINISHED, FAILED or
 * KILLED. Runs nest through a parent run id.
 *
 * <p>Implementations: {@link FileStoreTracker} (MLflow's file store under {@code ./mlruns}, the
 * default) and {@link MlflowServerTracker} (an MLflow server); {@link Trackers#fromEnvironment()}
 * picks one from {@code MLFLOW_TRACKING_URI}.
 *
 * <p>Contract for callers in a training loop (STYLE.md: tracking is the last hook and never aborts
 * a step): calls that MLflow would reject (bad keys, over-long values, a param changed) throw
 * {@link TrackingException} at once, in both implementations; a store that is unreachable never
 * throws from the logging calls: the server tracker buffers, retries and accounts for what it could
 * not send in {@link #report()}.
 */
public interface Tracker extends AutoCloseable {

  /** The id of the active experiment with this name, created when there is none. */
  String getOrCreateExperiment(String name);

  /** Starts a run and returns its id (the MLflow run id; see {@link MlflowServerTracker#startRun}). */
  String startRun(RunSpec spec);

  /** Logs a param; logging the same key again with another value is an error, as in MLflow. */
  void logParam(String runId, String key, String value);

  /** Logs params in key order given; values are stringified with {@link String#valueOf(Object)}. */
  default void logParams(String runId, Map<String, ?> params) {
    params.forEach((k, v) -> logParam(runId, k, String.valueOf(v)));
  }

  void logMetric(String runId, Metric metric);

  default void logMetric(String runId, String key, double value, long step) {
    logMetric(runId, Metric.now(key, value, step));
  }

  /** Logs several metrics at one step with one timestamp (a loss dict after a training step). */
  default void logMetrics(String runId, Map<String, ? extends Number> values, long step) {
    long now = System.currentTimeMillis();
    values.forEach((k, v) -> logMetric(runId, new Metric(k, v.doubleValue(), now, step)));
  }

  void setTag(String runId, String key, String value);

  /** Stores {@code file} as {@code <artifactPath>/<file name>} in the run's artifacts (artifactPath may be null). */
  void logArtifact(String runId, Path file, String artifactPath);

  /** Stores the contents of {@code dir} under {@code artifactPath} (null: the artifact root). */
  void logArtifacts(String runId, Path dir, String artifactPath);

  /** Ends a run with a terminal status (FINISHED, FAILED or KILLED) at {@code endTime} (epoch ms). */
  void endRun(String runId, RunStatus status, long endTime);

  /** Ends a run with a terminal status and the current time as end time. */
  default void endRun(String runId, RunStatus status) {
    endRun(runId, status, System.currentTimeMillis());
  }

  /** What could not be recorded so far (complete for the file store). */
  TrackingReport report();

  /** Flushes what is buffered (bounded in time) and releases resources; never throws for I/O. */
  @Override
  void close();
}
