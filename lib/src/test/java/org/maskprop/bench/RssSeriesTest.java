package org.maskprop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The flatness figures of the memory benchmarks: least-squares slope by hand. */
class RssSeriesTest {
  @Test
  void slopeIsTheLeastSquaresFitPerUnit() {
    // y = 100 + 0.02 x exactly: slope 0.02 MiB per step = 20 per 1000
    List<RssSeries.Sample> line = List.of(new RssSeries.Sample(0, 100, 5), new RssSeries.Sample(500, 110, 5),
        new RssSeries.Sample(1000, 120, 5));
    assertEquals(0.02, RssSeries.slope(line, true), 1e-12);
    assertEquals(0.0, RssSeries.slope(line, false), 1e-12);
    // points (0,0), (1,1), (2,0): mean x 1, sxy = 0 -> slope 0 despite the bump
    List<RssSeries.Sample> bump = List.of(new RssSeries.Sample(0, 0, 0), new RssSeries.Sample(1, 1, 0),
        new RssSeries.Sample(2, 0, 0));
    assertEquals(0.0, RssSeries.slope(bump, true), 1e-12);
    // (0,1), (1,3), (3,4): mean x 4/3, mean y 8/3; sxy = (20 - 1 + 20) / 9, sxx = (16 + 1 + 25) / 9: 39/42
    List<RssSeries.Sample> three = List.of(new RssSeries.Sample(0, 1, 0), new RssSeries.Sample(1, 3, 0),
        new RssSeries.Sample(3, 4, 0));
    assertEquals(39.0 / 42.0, RssSeries.slope(three, true), 1e-12);
    assertTrue(Double.isNaN(RssSeries.slope(List.of(new RssSeries.Sample(3, 1, 1)), true)));
  }
}
