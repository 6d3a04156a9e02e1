package org.maskprop.tracking;

/**
 * One logged metric value, as MLflow stores it: a flat key, a double (NaN and infinities allowed,
 * as in MLflow's file store), a timestamp in epoch milliseconds and an integer step.
 */
public record Metric(String key, double value, long timestamp, long step) {
  public Metric {
    MlflowNames.checkMetric(key, timestamp);
  }

  /** A metric stamped with the current wall-clock time. */
  public static Metric now(String key, double value, long step) {
    return new Metric(key, value, System.currentTimeMillis(), step);
  }
}
