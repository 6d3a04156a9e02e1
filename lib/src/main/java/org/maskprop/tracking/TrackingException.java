package org.maskprop.tracking;

/**
 * A tracking call that MLflow itself would reject (bad key, value too long, a param logged twice with
 * different values, an artifact store we cannot upload to) or a store that cannot be read. The
 * message is one line and names the run, the key and the limit that was broken.
 */
public class TrackingException extends RuntimeException {
  public TrackingException(String message) {
    super(message);
  }

  public TrackingException(String message, Throwable cause) {
    super(message, cause);
  }
}
