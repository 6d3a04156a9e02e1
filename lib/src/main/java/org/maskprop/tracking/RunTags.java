package org.maskprop.tracking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * MLflow's system tags ({@code mlflow/utils/mlflow_tags.py}) and the values we give them for a new
 * run: run name, parent run, user, source (the launching command) and the git commit of the working
 * directory.
 */
public final class RunTags {
  public static final String RUN_NAME = "mlflow.runName";
  public static final String PARENT_RUN_ID = "mlflow.parentRunId";
  public static final String USER = "mlflow.user";
  public static final String SOURCE_NAME = "mlflow.source.name";
  public static final String SOURCE_TYPE = "mlflow.source.type";
  public static final String GIT_COMMIT = "mlflow.source.git.commit";

  private RunTags() {}

  /** The local user name, as MLflow's {@code _get_user} would see it. */
  static String user() {
    String u = System.getProperty("user.name");
    return u == null || u.isBlank() ? "unknown" : u;
  }

  /** What launched us: the main class or jar of {@code sun.java.command}, else "maskprop". */
  static String sourceName() {
    String cmd = System.getProperty("sun.java.command", "");
    String first = cmd.isBlank() ? "" : cmd.trim().split("\\s+")[0];
    return first.isEmpty() ? "maskprop" : first;
  }

  /** {@code git rev-parse HEAD} in {@code dir}, if git and a repository are there. */
  static Optional<String> gitCommit(Path dir) {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD")
          .directory(dir.toFile())
          .redirectErrorStream(false)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      String sha = new String(out, StandardCharsets.UTF_8).trim();
      return p.exitValue() == 0 && sha.matches("[0-9a-f]{40,64}") ? Optional.of(sha) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // no git on this machine
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** A run name when the caller gave none (MLflow would pick a random adjective-noun-number). */
  static String generatedRunName() {
    return "run-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * The tags of a new run: system tags first, the caller's tags over them. A caller tag
   * {@code mlflow.runName} that disagrees with the run name is an error, as in MLflow.
   */
  static Map<String, String> forNewRun(RunSpec spec, String runName, String parentRunId, Optional<String> commit) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(USER, user());
    tags.put(SOURCE_NAME, sourceName());
    tags.put(SOURCE_TYPE, "LOCAL");
    commit.ifPresent(c -> tags.put(GIT_COMMIT, c));
    if (parentRunId != null) {
      tags.put(PARENT_RUN_ID, parentRunId);
    }
    String tagName = spec.tags().get(RUN_NAME);
    if (tagName != null && !tagName.equals(runName)) {
      throw new TrackingException("run '" + runName + "': tag mlflow.runName='" + tagName
          + "' disagrees with the run name");
    }
    tags.putAll(spec.tags());
    tags.put(RUN_NAME, runName);
    tags.forEach(MlflowNames::checkTag);
    return tags;
  }

  /** The run name of a spec: its own, the {@code mlflow.runName} tag, or a generated one. */
  static String runName(RunSpec spec) {
    if (spec.runName() != null && !spec.runName().isEmpty()) {
      return spec.runName();
    }
    String tagName = spec.tags().get(RUN_NAME);
    return tagName != null && !tagName.isEmpty() ? tagName : generatedRunName();
  }
}
