package org.maskprop.dataprep.ytvis;

import org.maskprop.InputException;

/** A split that failed validation; carries the full report so that a caller can print it. */
public final class InvalidDatasetException extends InputException {
  private final transient ValidationReport report;

  public InvalidDatasetException(ValidationReport report) {
    super(report.toException().getMessage());
    this.report = report;
  }

  public ValidationReport report() {
    return report;
  }
}
