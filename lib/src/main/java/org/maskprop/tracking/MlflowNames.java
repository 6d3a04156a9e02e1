package org.maskprop.tracking;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * MLflow 2.17.2's input rules ({@code mlflow/utils/validation.py}), checked on our side so that the
 * file store and the server reject the same calls with the same limits, before anything is written
 * or queued.
 */
public final class MlflowNames {
  /** Longest param value MLflow 2.17 accepts ({@code MAX_PARAM_VAL_LENGTH}). */
  public static final int MAX_PARAM_VALUE_LENGTH = 6000;
  /** Longest run tag value ({@code MAX_TAG_VAL_LENGTH}). */
  public static final int MAX_TAG_VALUE_LENGTH = 5000;
  /** Longest metric, param or tag key ({@code MAX_ENTITY_KEY_LENGTH}). */
  public static final int MAX_KEY_LENGTH = 250;
  /** Longest experiment name ({@code MAX_EXPERIMENT_NAME_LENGTH}). */
  public static final int MAX_EXPERIMENT_NAME_LENGTH = 500;
  /** log-batch limits per request ({@code MAX_METRICS_PER_BATCH}, {@code MAX_PARAMS_TAGS_PER_BATCH}). */
  public static final int MAX_METRICS_PER_BATCH = 1000;
  public static final int MAX_PARAMS_PER_BATCH = 100;
  public static final int MAX_TAGS_PER_BATCH = 100;
  /** All entities of one log-batch together ({@code MAX_ENTITIES_PER_BATCH}). */
  public static final int MAX_ENTITIES_PER_BATCH = 1000;

  // Python's \w is Unicode-aware, so is ours.
  private static final Pattern VALID_KEY =
      Pattern.compile("^[/\\w.\\- ]*$", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern VALID_RUN_ID = Pattern.compile("^[a-zA-Z0-9][\\w\\-]{0,255}$");

  private MlflowNames() {}

  public static void checkMetric(String key, long timestamp) {
    checkKey("metric", key);
    if (timestamp < 0) {
      throw new TrackingException(
          "metric '" + key + "': timestamp " + timestamp + " must be a nonnegative epoch-millisecond value");
    }
  }

  /** Checks a param and returns its value (MLflow stores params as strings). */
  public static String checkParam(String key, String value) {
    checkKey("param", key);
    if (value == null) {
      throw new TrackingException("param '" + key + "': value is null");
    }
    if (value.length() > MAX_PARAM_VALUE_LENGTH) {
      throw new TrackingException("param '" + key + "': value has " + value.length()
          + " characters, MLflow 2.17 accepts at most " + MAX_PARAM_VALUE_LENGTH);
    }
    return value;
  }

  public static String checkTag(String key, String value) {
    checkKey("tag", key);
    String v = value == null ? "" : value;
    if (v.length() > MAX_TAG_VALUE_LENGTH) {
      throw new TrackingException("tag '" + key + "': value has " + v.length()
          + " characters, MLflow 2.17 accepts at most " + MAX_TAG_VALUE_LENGTH);
    }
    return v;
  }

  public static void checkExperimentName(String name) {
    if (name == null || name.isEmpty()) {
      throw new TrackingException("experiment name is empty");
    }
    if (name.length() > MAX_EXPERIMENT_NAME_LENGTH) {
      throw new TrackingException("experiment name has " + name.length()
          + " characters, MLflow accepts at most " + MAX_EXPERIMENT_NAME_LENGTH);
    }
  }

  public static void checkRunId(String runId) {
    if (runId == null || !VALID_RUN_ID.matcher(runId).matches()) {
      throw new TrackingException("invalid run id '" + runId + "'");
    }
  }

  /**
   * A key is a file name in the file store, so MLflow allows only {@code [/\w.\- ]} and rejects keys
   * that normalise to another path ({@code a//b}, {@code ./a}, {@code ../a}, {@code /a}).
   */
  static void checkKey(String kind, String key) {
    if (key == null || key.isEmpty()) {
      throw new TrackingException(kind + " key is empty");
    }
    if (!VALID_KEY.matcher(key).matches()) {
      throw new TrackingException("invalid " + kind + " key '" + key
          + "': MLflow allows only alphanumerics, underscores, dashes, periods, spaces and slashes");
    }
    String norm = posixNormpath(key);
    if (!norm.equals(key) || norm.equals(".") || norm.startsWith("..") || norm.startsWith("/")) {
      throw new TrackingException("invalid " + kind + " key '" + key + "': as a file name it resolves to '"
          + norm + "'");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new TrackingException(kind + " key '" + key.substring(0, 40) + "...' has " + key.length()
          + " characters, MLflow accepts at most " + MAX_KEY_LENGTH);
    }
  }

  /** Python's {@code posixpath.normpath}. */
  static String posixNormpath(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    int initialSlashes = path.startsWith("/") ? (path.startsWith("//") && !path.startsWith("///") ? 2 : 1) : 0;
    Deque<String> parts = new ArrayDeque<>();
    for (String comp : path.split("/")) {
      if (comp.isEmpty() || comp.equals(".")) {
        continue;
      }
      if (!comp.equals("..") || (initialSlashes == 0 && parts.isEmpty())
          || (!parts.isEmpty() && parts.peekLast().equals(".."))) {
        parts.addLast(comp);
      } else if (!parts.isEmpty()) {
        parts.removeLast();
      }
    }
    String joined = String.join("/", parts);
    joined = "/".repeat(initialSlashes) + joined;
    return joined.isEmpty() ? "." : joined;
  }
}
