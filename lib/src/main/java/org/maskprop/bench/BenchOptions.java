package org.maskprop.bench;

import java.util.regex.Pattern;

/**
 * Options shared by the {@code bench ops} benchmarks.
 *
 * @param ops which ops to run: a row runs when {@code ops.matcher(op).find()}
 * @param runs timed runs per row; 0 = each op's default
 * @param warmup untimed warm-up runs per row; -1 = each op's default
 */
public record BenchOptions(Pattern ops, int runs, int warmup) {

  /** True when the op name matches {@link #ops()}. */
  public boolean selects(String op) {
    return ops.matcher(op).find();
  }

  /** {@link #runs()} if set, else {@code defaultRuns}. */
  public int runsOr(int defaultRuns) {
    return runs > 0 ? runs : defaultRuns;
  }

  /** {@link #warmup()} if set, else {@code defaultWarmup}. */
  public int warmupOr(int defaultWarmup) {
    return warmup >= 0 ? warmup : defaultWarmup;
  }
}
