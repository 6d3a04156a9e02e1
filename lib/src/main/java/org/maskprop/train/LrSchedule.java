package org.maskprop.train;

import java.util.List;
import org.maskprop.config.TrainConfig;

/**
 * Learning rate as a pure function of the iteration (detectron2's {@code WarmupMultiStepLR} with
 * linear warm-up): {@code lr(i) = baseLr * warmup(i) * gamma^(number of steps <= i)}, where
 * {@code warmup(i) = warmupFactor * (1 - i / W) + i / W} for {@code i < W} and 1 afterwards. Being
 * stateless, a resumed run needs no scheduler state.
 */
public final class LrSchedule {
  private final double baseLr;
  private final int warmupIterations;
  private final double warmupFactor;
  private final int[] steps;
  private final double gamma;

  public LrSchedule(double baseLr, int warmupIterations, double warmupFactor, List<Integer> steps, double gamma) {
    if (!(baseLr > 0)) {
      throw new IllegalArgumentException("LrSchedule: baseLr must be > 0, got " + baseLr);
    }
    this.baseLr = baseLr;
    this.warmupIterations = Math.max(0, warmupIterations);
    this.warmupFactor = warmupFactor;
    this.steps = steps.stream().mapToInt(Integer::intValue).sorted().toArray();
    this.gamma = gamma;
  }

  public static LrSchedule of(TrainConfig c) {
    return new LrSchedule(c.baseLr(), c.warmupIterations(), c.warmupFactor(), c.lrSteps(), c.lrGamma());
  }

  /** The learning rate used by the update of iteration {@code iteration} (0-based). */
  public double lr(long iteration) {
    double factor = 1;
    if (iteration < warmupIterations) {
      double alpha = (double) iteration / warmupIterations;
      factor = warmupFactor * (1 - alpha) + alpha;
    }
    int passed = 0;
    for (int s : steps) {
      if (iteration >= s) {
        passed++;
      }
    }
    return baseLr * factor * Math.pow(gamma, passed);
  }
}
