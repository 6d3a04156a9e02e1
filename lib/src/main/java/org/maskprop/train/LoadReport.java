package org.maskprop.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.maskprop.InputException;

/**
 * How a weights file matched a model (fvcore's {@code _load_model} report, STYLE.md E2): names the
 * model has and the file lacks, names the file has and the model lacks, and names whose shapes
 * differ ({@code "name: file [..] vs model [..]"}). Matching names were loaded.
 */
public record LoadReport(Path file, List<String> missing, List<String> unexpected, List<String> misshaped) {
  public LoadReport {
    missing = List.copyOf(missing);
    unexpected = List.copyOf(unexpected);
    misshaped = List.copyOf(misshaped);
  }

  public boolean isClean() {
    return missing.isEmpty() && unexpected.isEmpty() && misshaped.isEmpty();
  }

  /**
   * Throws unless every mismatch is allowed: missing names that start with one of {@code
   * allowedMissingPrefixes} (a newly added head) are fine, anything else is an error.
   */
  public LoadReport requireClean(Set<String> allowedMissingPrefixes) {
    List<String> badMissing =
        missing.stream().filter(n -> allowedMissingPrefixes.stream().noneMatch(n::startsWith)).toList();
    if (!badMissing.isEmpty() || !unexpected.isEmpty() || !misshaped.isEmpty()) {
      throw new InputException(file + ": weights do not match the model: missing " + badMissing
          + ", unexpected " + unexpected + ", wrong shape " + misshaped);
    }
    return this;
  }

  @Override
  public String toString() {
    return file + ": missing " + missing + ", unexpected " + unexpected + ", wrong shape " + misshaped;
  }
}
