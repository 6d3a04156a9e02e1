package org.maskprop.dataprep.ytvis;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;

/**
 * What {@link YtvisValidator} found in one split: every problem across the whole split, one
 * {@link Issue} per video or annotation (missing frames are counted per video, not listed one
 * issue per frame). Errors make the split unusable; warnings are worth a look but do not stop
 * training or evaluation.
 *
 * @param dataset the split as read, or null when its JSON could not be read (then the only issue
 *     is the reader's first error)
 */
public record ValidationReport(
    Path json, Path imageRoot, YtvisDataset dataset, List<Issue> issues) {

  public ValidationReport {
    issues = List.copyOf(issues);
  }

  public enum Severity {
    ERROR,
    WARNING
  }

  /**
   * One problem. {@code kind} is a short stable key ({@code missing-frames}, {@code frame-size},
   * ...); {@code videoId}/{@code annotationId} are -1 where they do not apply.
   */
  public record Issue(Severity severity, String kind, int videoId, int annotationId, String message) {}

  /** True when there is no error (warnings allowed). */
  public boolean ok() {
    return count(Severity.ERROR) == 0;
  }

  public long count(Severity s) {
    return issues.stream().filter(i -> i.severity() == s).count();
  }

  /** Issue counts by kind, errors first ({@code "ERROR missing-frames" -> 3}). */
  public Map<String, Long> countsByKind() {
    Map<String, Long> m = new TreeMap<>();
    for (Issue i : issues) {
      m.merge(i.severity() + " " + i.kind(), 1L, Long::sum);
    }
    return m;
  }

  /** A short text: a summary line, counts by kind, then at most {@code maxListed} issues. */
  public String toText(int maxListed) {
    StringBuilder sb = new StringBuilder();
    sb.append(json).append(": ");
    if (dataset != null) {
      sb.append(dataset.videos().size()).append(" videos, ")
          .append(dataset.videos().stream().mapToLong(YtvisDataset.Video::length).sum())
          .append(" frames, ").append(dataset.annotations().size()).append(" annotations; ");
    }
    sb.append(count(Severity.ERROR)).append(" errors, ").append(count(Severity.WARNING))
        .append(" warnings").append(imageRoot == null ? " (frame files not checked)" : "")
        .append('\n');
    countsByKind().forEach((k, n) -> sb.append("  ").append(n).append(" x ").append(k).append('\n'));
    int shown = 0;
    for (Severity s : Severity.values()) {
      for (Issue i : issues) {
        if (i.severity() != s) {
          continue;
        }
        if (shown == maxListed) {
          sb.append("  ... ").append(issues.size() - shown).append(" more\n");
          return sb.toString();
        }
        sb.append("  ").append(s).append(' ').append(i.message()).append('\n');
        shown++;
      }
    }
    return sb.toString();
  }

  /** The one-line exception for a report with errors: counts by kind plus the first error. */
  public InputException toException() {
    Issue first = issues.stream().filter(i -> i.severity() == Severity.ERROR).findFirst()
        .orElseThrow(() -> new IllegalStateException("no errors"));
    if (dataset == null) {
      return new InputException(first.message());
    }
    StringBuilder kinds = new StringBuilder();
    countsByKind().forEach((k, n) -> {
      if (k.startsWith("ERROR ")) {
        kinds.append(kinds.isEmpty() ? "" : ", ").append(n).append(" x ").append(k.substring(6));
      }
    });
    return new InputException(json + ": " + count(Severity.ERROR) + " errors (" + kinds
        + "); first: " + first.message());
  }
}
