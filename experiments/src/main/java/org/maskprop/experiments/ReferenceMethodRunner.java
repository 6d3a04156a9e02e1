package org.maskprop.experiments;

import java.util.List;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.FirstFrameCopyBaseline;

/**
 * The two GT-based references ({@link FirstFrameCopyBaseline}): they train nothing and need no
 * frames. Yardsticks (zero motion; AP = 1 pipeline check), never a method row of a paper table.
 */
final class ReferenceMethodRunner implements MethodRunner {

  @Override
  public List<YtvisResult> run(MethodContext context) {
    Method m = context.method();
    if (m.equals(Method.REFERENCE_FIRST_FRAME_COPY)) {
      return FirstFrameCopyBaseline.predict(context.gt());
    }
    if (m.equals(Method.REFERENCE_GT)) {
      return FirstFrameCopyBaseline.groundTruthAsResults(context.gt());
    }
    throw new IllegalArgumentException("not a reference method: " + m);
  }
}
