package org.maskprop.model.detect;

import java.util.List;
import org.maskprop.ops.LossTerms;

/**
 * What {@link CascadeRoiHeads} returns (TV2): detections per image (empty list in training, where
 * only the losses are computed) and the losses (empty when not training).
 */
public record RoiOutput(List<Detections> detections, LossTerms losses) {
  public RoiOutput {
    detections = List.copyOf(detections);
  }
}
