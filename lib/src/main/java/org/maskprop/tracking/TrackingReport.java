package org.maskprop.tracking;

import java.util.List;

/**
 * What could not be recorded. The file store always reports nothing; the server tracker reports the
 * items still unsent when it closed (server unreachable) and those the server refused.
 *
 * @param unsentMetrics metric values not accepted by the server
 * @param unsentParams params not accepted
 * @param unsentTags tags not accepted
 * @param unsentArtifacts artifact files not uploaded
 * @param unsentRunUpdates run creations and status updates not accepted
 * @param problems one line per distinct cause, e.g. the last connection error
 */
public record TrackingReport(
    long unsentMetrics,
    long unsentParams,
    long unsentTags,
    long unsentArtifacts,
    long unsentRunUpdates,
    List<String> problems) {
  public TrackingReport {
    problems = List.copyOf(problems);
  }

  public static TrackingReport clean() {
    return new TrackingReport(0, 0, 0, 0, 0, List.of());
  }

  /** True when everything logged reached the store. */
  public boolean isComplete() {
    return unsentMetrics == 0 && unsentParams == 0 && unsentTags == 0 && unsentArtifacts == 0
        && unsentRunUpdates == 0 && problems.isEmpty();
  }

  /** One line for logs and the CLI. */
  public String summary() {
    if (isComplete()) {
      return "tracking: everything recorded";
    }
    return "tracking: not recorded: " + unsentMetrics + " metric values, " + unsentParams + " params, "
        + unsentTags + " tags, " + unsentArtifacts + " artifact files, " + unsentRunUpdates
        + " run creations/updates" + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
  }
}
