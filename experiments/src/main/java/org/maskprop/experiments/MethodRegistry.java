package org.maskprop.experiments;

import org.maskprop.InputException;

/**
 * Which {@link MethodRunner} runs a {@link Method}. {@link #BUILT_IN} is the project's registry: an
 * exhaustive switch over the enum (STYLE.md: no string registries, no reflection). Tests pass
 * their own to exercise the runner with a stand-in method.
 */
@FunctionalInterface
public interface MethodRegistry {

  /**
   * The runner for {@code method}; a method that cannot run yet is an {@link InputException}
   * naming the grid, thrown when the grid is validated, before any run starts.
   */
  MethodRunner runnerFor(Method method, String gridName);

  /** Reference methods now; the others when their issues land. */
  MethodRegistry BUILT_IN = (method, gridName) -> switch (method) {
    case REFERENCE_FIRST_FRAME_COPY, REFERENCE_GT -> new ReferenceMethodRunner();
    case MASKPROP, IOU_LINKING, DEEPSORT, FLOW_PROPAGATION, MASKTRACK -> throw notBuilt(method, gridName);
  };

  /** The error for a method whose code is not there yet. */
  static InputException notBuilt(Method method, String gridName) {
    return new InputException("grid " + gridName + ": method " + method.label()
        + " is not built yet: needs the model issue (detector, propagation branch, predict);"
        + " the reference methods reference-first-frame-copy and reference-gt run now");
  }
}
