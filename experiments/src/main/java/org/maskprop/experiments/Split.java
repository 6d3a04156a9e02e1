package org.maskprop.experiments;

import com.fasterxml.jackson.annotation.JsonValue;

/** The splits a grid scores (DESIGN.md section 5: split names are train, valid, test everywhere). */
public enum Split {
  VALID("valid"),
  TEST("test");

  private final String label;

  Split(String label) {
    this.label = label;
  }

  /** The split name: {@code <root>/<label>.json}, {@code <root>/<label>/JPEGImages}. */
  @JsonValue
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
