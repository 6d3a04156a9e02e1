package org.maskprop.tracking;

import java.time.Duration;

/**
 * Exponential back-off for an unreachable tracking server: after a failed send the next attempt
 * waits {@code initialBackoff}, then that times {@code multiplier}, up to {@code maxBackoff}; a
 * success resets it. {@code drainTimeout} bounds how long closing the tracker keeps trying before
 * it reports what stayed unsent.
 */
public record RetryPolicy(Duration initialBackoff, Duration maxBackoff, double multiplier, Duration drainTimeout) {
  public RetryPolicy {
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || multiplier < 1
        || drainTimeout.isNegative()) {
      throw new IllegalArgumentException("retry policy needs 0 <= initialBackoff <= maxBackoff, multiplier >= 1,"
          + " drainTimeout >= 0; got " + initialBackoff + ", " + maxBackoff + ", " + multiplier + ", " + drainTimeout);
    }
  }

  /** 0.5 s doubling up to 60 s; closing waits at most 30 s for the server. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(60), 2.0, Duration.ofSeconds(30));
  }

  /** The wait after {@code failures} consecutive failures (1 = first failure). */
  public long backoffMillis(int failures) {
    double ms = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failures - 1));
    return (long) Math.min(ms, maxBackoff.toMillis());
  }
}
