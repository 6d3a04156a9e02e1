package org.maskprop.experiments;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The methods a grid can score (the rows of Tables 2 and 3), by the name grid files use. Which
 * code runs a method is decided in one place, {@link MethodRegistry#BUILT_IN} (an exhaustive
 * switch; no string registry).
 */
public enum Method {
  /** MaskProp (Sec. 4): clip-level mask propagation, Eq. 4-5 video-level linking. */
  MASKPROP("maskprop"),
  /** Per-frame Mask R-CNN masks linked frame to frame by mask IoU. */
  IOU_LINKING("iou-linking"),
  /** DeepSORT on the per-frame detections (Table 2 baseline). */
  DEEPSORT("deepsort"),
  /** Masks warped by optical flow instead of the propagation branch (Table 3, FlowNet2 row). */
  FLOW_PROPAGATION("flow-propagation"),
  /** MaskTrack R-CNN-style tracking head on the same detector (Tables 2 and 3, MaskTrack R-CNN*). */
  MASKTRACK("masktrack"),
  /** GT-initialised zero-motion reference ({@code FirstFrameCopyBaseline.predict}); uses GT. */
  REFERENCE_FIRST_FRAME_COPY("reference-first-frame-copy"),
  /** The GT tracks submitted as results: a pipeline check that must score AP = 1; uses GT. */
  REFERENCE_GT("reference-gt");

  private final String label;

  Method(String label) {
    this.label = label;
  }

  /** The name in grid files, params and result tables. */
  @JsonValue
  public String label() {
    return label;
  }

  /** A reference predictor that reads GT: never a method row of a paper table. */
  public boolean usesGroundTruth() {
    return this == REFERENCE_FIRST_FRAME_COPY || this == REFERENCE_GT;
  }

  @Override
  public String toString() {
    return label;
  }
}
