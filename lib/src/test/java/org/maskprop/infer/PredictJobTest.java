package org.maskprop.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;

/** The pure parts of {@link PredictJob}; the job end to end runs in the CLI's PredictCommandTest. */
class PredictJobTest {

  @Test
  void evenlySpacedFramesIncludeBothEnds() {
    assertArrayEquals(new int[] {0, 3, 6, 9}, PredictJob.evenlySpaced(10, 4));
    assertArrayEquals(new int[] {0, 2, 4}, PredictJob.evenlySpaced(5, 3));
    assertArrayEquals(new int[] {0, 1, 2}, PredictJob.evenlySpaced(3, 5));
    assertArrayEquals(new int[] {0}, PredictJob.evenlySpaced(7, 1));
    assertArrayEquals(new int[0], PredictJob.evenlySpaced(7, 0));
  }

  @Test
  void nullFramesAreNullInEveryTrackAndLengthsKept() {
    byte[] m = new byte[6];
    m[2] = 1;
    Rle r = Rle.encode(m, 2, 3);
    List<YtvisResult> in = List.of(new YtvisResult(4, 1, 0.9, Arrays.asList(r, r, null, r)),
        new YtvisResult(4, 2, 0.5, Arrays.asList(r, r, r, r)));
    List<YtvisResult> out = PredictJob.withNullFrames(in, new TreeSet<>(List.of(1, 3)));
    assertEquals(Arrays.asList(r, null, null, null), out.get(0).segmentations());
    assertEquals(Arrays.asList(r, null, r, null), out.get(1).segmentations());
    assertEquals(0.5, out.get(1).score());
    assertSame(in, PredictJob.withNullFrames(in, new TreeSet<>()));
    assertNull(out.get(0).segmentations().get(3));
  }
}
