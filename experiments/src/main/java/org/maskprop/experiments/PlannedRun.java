package org.maskprop.experiments;

/** One child run of a grid: a method scored on a split at a point. */
public record PlannedRun(GridPoint point, Method method, Split split) {

  /** The child run's name: {@code p<point>-<method>-<split>}. */
  public String runName() {
    return "p" + point.index() + "-" + method.label() + "-" + split.label();
  }
}
