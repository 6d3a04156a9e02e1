package org.maskprop.tracking;

/**
 * MLflow's run status. The file store writes the number ({@code status: 3} in meta.yaml, MLflow's
 * {@code RunStatus} int enum); the REST API and the Java client use the name.
 */
public enum RunStatus {
  RUNNING(1),
  SCHEDULED(2),
  FINISHED(3),
  FAILED(4),
  KILLED(5);

  private final int code;

  RunStatus(int code) {
    this.code = code;
  }

  /** The integer MLflow's file store writes in a run's meta.yaml. */
  public int code() {
    return code;
  }

  /** Inverse of {@link #code()}; unknown codes are an error naming the code. */
  public static RunStatus fromCode(int code) {
    for (RunStatus s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown MLflow run status code " + code);
  }

  /** True once a run has ended: MLflow refuses nothing after this, but we log nothing more. */
  public boolean isTerminal() {
    return this == FINISHED || this == FAILED || this == KILLED;
  }
}
