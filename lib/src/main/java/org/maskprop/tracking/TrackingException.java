package org.maskprop.tracking;

import org.maskprop.InputException;

/**
 * A tracking call that MLflow itself would reject (bad key, value too long, a param logged twice with
 * different values, an artifact store we cannot upload to) or a store that cannot be read. The
 * message is one line and names the run, the key and the limit that was broken. It is bad input in
 * the sense of {@link InputException} (a config key, a tracking URI, a store on disk), so the CLI
 * prints it and exits with code 2.
 */
public class TrackingException extends InputException {
  public TrackingException(String message) {
    super(message);
  }

  public TrackingException(String message, Throwable cause) {
    super(message, cause);
  }
}
