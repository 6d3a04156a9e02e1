package org.maskprop.experiments;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Which version of a paper result a grid is: the SynthVIS-scale version that runs on 2 CPU cores
 * (reduced width and resolution, labelled as such in every run) or the YouTube-VIS version for the
 * GPU image.
 */
public enum Scale {
  SYNTHVIS("synthvis", "SynthVIS scale: reduced width and resolution on CPU; not comparable to the paper"),
  YTVIS("ytvis", "YouTube-VIS 2019 scale (GPU image); a local valid split carved from train is not the"
      + " official server's valid split");

  private final String label;
  private final String note;

  Scale(String label, String note) {
    this.label = label;
    this.note = note;
  }

  @JsonValue
  public String label() {
    return label;
  }

  /** What numbers at this scale are: goes into every run's tags and the report caption. */
  public String note() {
    return note;
  }

  @Override
  public String toString() {
    return label;
  }
}
