package org.maskprop.tracking;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Picks the tracker from {@code MLFLOW_TRACKING_URI}, as MLflow's own clients do: {@code http(s)://}
 * is a server ({@link MlflowServerTracker}); a {@code file:} URI, a plain path or nothing is a file
 * store ({@link FileStoreTracker}, default {@code ./mlruns}). Other schemes (databricks, sqlite,
 * postgresql...) are refused with a message saying what to use instead.
 */
public final class Trackers {
  public static final String TRACKING_URI_ENV = "MLFLOW_TRACKING_URI";
  public static final String DEFAULT_ROOT = "mlruns";

  private Trackers() {}

  public static Tracker fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of("").toAbsolutePath());
  }

  /** As {@link #fromEnvironment()} with an explicit environment and working directory. */
  public static Tracker fromEnvironment(Map<String, String> env, Path workingDir) {
    String uri = env.get(TRACKING_URI_ENV);
    return switch (kind(uri)) {
      case SERVER -> new MlflowServerTracker(MlflowServerTracker.Settings.fromEnvironment(uri.trim(), env));
      case FILE_STORE -> new FileStoreTracker(fileStoreRoot(uri, workingDir));
    };
  }

  /** Where a file store lives for this tracking URI (null or blank: {@code ./mlruns}). */
  public static Path fileStoreRoot(String uri, Path workingDir) {
    if (uri == null || uri.isBlank()) {
      return workingDir.resolve(DEFAULT_ROOT).toAbsolutePath().normalize();
    }
    String u = uri.trim();
    Path p = u.regionMatches(true, 0, "file:", 0, 5) ? FileStoreFormat.pathOfFileUri(u) : Path.of(u);
    return workingDir.resolve(p).toAbsolutePath().normalize();
  }

  enum Kind { FILE_STORE, SERVER }

  static Kind kind(String uri) {
    if (uri == null || uri.isBlank()) {
      return Kind.FILE_STORE;
    }
    String lower = uri.trim().toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      return Kind.SERVER;
    }
    if (lower.startsWith("file:")) {
      return Kind.FILE_STORE;
    }
    if (lower.equals("databricks") || lower.startsWith("databricks-uc")) {
      throw new TrackingException(TRACKING_URI_ENV + "=" + uri + ": Databricks is not supported here;"
          + " use http(s)://host:port for an MLflow server or a file: URI / path for a file store");
    }
    int colon = lower.indexOf(':');
    // "C:\..." is a Windows path, not a scheme.
    if (colon > 1 && lower.substring(0, colon).matches("[a-z][a-z0-9+.-]*")) {
      throw new TrackingException(TRACKING_URI_ENV + "=" + uri + ": scheme '" + lower.substring(0, colon)
          + "' is not supported here; use http(s)://host:port for an MLflow server or a file: URI / path for a file store");
    }
    return Kind.FILE_STORE;
  }
}
