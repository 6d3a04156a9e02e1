package org.maskprop.experiments;

import org.maskprop.InputException;
import org.maskprop.infer.VideoMethods;

/**
 * Which {@link MethodRunner} runs a {@link Method}. {@link #BUILT_IN} is the project's registry: the
 * two references, and every name {@link VideoMethods} knows through {@link VideoMethodRunner}
 * (train the point's detector once, predict with the method). Tests pass their own to exercise the
 * runner with a stand-in method.
 */
@FunctionalInterface
public interface MethodRegistry {

  /**
   * The runner for {@code method}; a method that cannot run is an {@link InputException} naming the
   * grid and the known methods, thrown when the plan is validated, before any run starts.
   */
  MethodRunner runnerFor(Method method, String gridName);

  /** References, then the video methods registered in {@link VideoMethods}. */
  MethodRegistry BUILT_IN = (method, gridName) -> {
    if (method.usesGroundTruth()) {
      return new ReferenceMethodRunner();
    }
    if (!VideoMethods.names().contains(method.label())) {
      throw unknown(method, gridName);
    }
    return new VideoMethodRunner(VideoMethods.byName(method.label()));
  };

  /** The error for a method no code is registered under. */
  static InputException unknown(Method method, String gridName) {
    return new InputException("grid " + gridName + ": method " + method.label()
        + " is not registered (known: " + String.join(", ", Method.knownNames()) + ")");
  }
}
