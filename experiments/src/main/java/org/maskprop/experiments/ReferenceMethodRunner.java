package org.maskprop.experiments;

import java.util.List;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.FirstFrameCopyBaseline;

/**
 * The two GT-based references ({@link FirstFrameCopyBaseline}): they train nothing and need no
 * frames, so they check the grid machinery end to end before the model exists.
 */
final class ReferenceMethodRunner implements MethodRunner {

  @Override
  public List<YtvisResult> run(MethodContext context) {
    return switch (context.method()) {
      case REFERENCE_FIRST_FRAME_COPY -> FirstFrameCopyBaseline.predict(context.gt());
      case REFERENCE_GT -> FirstFrameCopyBaseline.groundTruthAsResults(context.gt());
      case MASKPROP, IOU_LINKING, DEEPSORT, FLOW_PROPAGATION, MASKTRACK ->
          throw new IllegalArgumentException("not a reference method: " + context.method());
    };
  }
}
