package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;

/** The nearest-in-time rule of {@link ResampledFrameSource}, on hand-computed cases. */
class ResampledFrameSourceTest {

  static int[] indices(int n, double rate, double fps) {
    FakeFrames src = new FakeFrames(n, rate, Set.of());
    try (ResampledFrameSource r = new ResampledFrameSource(src, fps, "fake.mp4")) {
      return IntStream.range(0, r.frameCount()).map(k -> FakeFrames.indexOf(r.frame(k))).toArray();
    }
  }

  @Test
  void thirtyToSixKeepsEveryFifthFrame() {
    assertArrayEquals(new int[] {0, 5, 10, 15, 20, 25}, indices(30, 30, 6));
  }

  @Test
  void halfwayTimesTakeTheLaterFrame() {
    // 10 fps -> 4 fps: times 0, 0.25, 0.5, 0.75 s = source frames 0, 2.5, 5, 7.5
    assertArrayEquals(new int[] {0, 3, 5, 8}, indices(10, 10, 4));
  }

  @Test
  void frameCountCoversTheDurationAndTheLastIndexIsClamped() {
    // 7 frames at 10 fps last 0.7 s; at 3 fps times 0, 1/3, 2/3 s -> frames 0, 3.33, 6.67 -> 0, 3, 7 -> 6
    assertArrayEquals(new int[] {0, 3, 6}, indices(7, 10, 3));
    // above the source rate frames repeat: 3 frames at 5 fps to 10 fps, 0.3 s -> 6 frames
    assertArrayEquals(new int[] {0, 1, 1, 2, 2, 2}, indices(3, 5, 10));
    // the native rate is the identity
    assertArrayEquals(new int[] {0, 1, 2, 3}, indices(4, 25, 25));
  }

  @Test
  void shortGapsAreReadThroughInsteadOfSeeking() {
    FakeFrames src = new FakeFrames(30, 30, Set.of(2));
    try (ResampledFrameSource r = new ResampledFrameSource(src, 6, "fake.mp4")) {
      for (int k = 0; k < r.frameCount(); k++) {
        r.frame(k);
      }
    }
    // every source frame up to the last kept one, in order (the corrupt skipped frame 2 is no error)
    assertEquals(IntStream.rangeClosed(0, 25).boxed().toList(), src.reads);
    assertTrue(src.closed);
  }

  @Test
  void aCorruptKeptFrameNamesTheOutputFrame() {
    FakeFrames src = new FakeFrames(30, 30, Set.of(10));
    try (ResampledFrameSource r = new ResampledFrameSource(src, 6, "fake.mp4")) {
      InputException e = assertThrows(InputException.class, () -> r.frame(2));
      assertTrue(e.getMessage().contains("frame 10") && e.getMessage().contains("(frame 2 at 6.0 fps)"),
          e.getMessage());
    }
  }

  @Test
  void badRatesAreInputErrors() {
    for (double fps : List.of(0.0, -1.0, Double.NaN)) {
      InputException e = assertThrows(InputException.class,
          () -> new ResampledFrameSource(new FakeFrames(3, 10, Set.of()), fps, "a.mp4"));
      assertTrue(e.getMessage().startsWith("a.mp4: --fps"), e.getMessage());
    }
    InputException e = assertThrows(InputException.class,
        () -> new ResampledFrameSource(new FakeFrames(3, Double.NaN, Set.of()), 5, "b"));
    assertTrue(e.getMessage().contains("frame rate unknown"), e.getMessage());
  }
}
