package org.maskprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Warm-up and step decay, values computed by hand. */
class LrScheduleTest {
  @Test
  void linearWarmupThenStepDecay() {
    // base 0.01, warm-up 4 iterations from 0.25, x0.1 at 6 and 8 (given unsorted)
    LrSchedule s = new LrSchedule(0.01, 4, 0.25, List.of(8, 6), 0.1);
    assertEquals(0.0025, s.lr(0), 1e-12); // 0.01 * 0.25
    assertEquals(0.004375, s.lr(1), 1e-12); // 0.01 * (0.25 * 0.75 + 0.25)
    assertEquals(0.00625, s.lr(2), 1e-12); // 0.01 * (0.25 * 0.5 + 0.5)
    assertEquals(0.01, s.lr(4), 1e-12);
    assertEquals(0.01, s.lr(5), 1e-12);
    assertEquals(0.001, s.lr(6), 1e-12);
    assertEquals(0.001, s.lr(7), 1e-12);
    assertEquals(0.0001, s.lr(8), 1e-12);
    assertEquals(0.0001, s.lr(1000), 1e-12);
  }

  @Test
  void noWarmupIsConstantUntilTheFirstStep() {
    LrSchedule s = new LrSchedule(0.5, 0, 0.001, List.of(), 0.1);
    assertEquals(0.5, s.lr(0), 0);
    assertEquals(0.5, s.lr(99), 0);
  }
}
