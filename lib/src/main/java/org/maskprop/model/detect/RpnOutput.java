package org.maskprop.model.detect;

import java.util.List;
import org.maskprop.ops.LossTerms;

/** What {@link Rpn} returns (TV2): proposals per image and its losses (empty when not training). */
public record RpnOutput(List<Proposals> proposals, LossTerms losses) {
  public RpnOutput {
    proposals = List.copyOf(proposals);
  }
}
