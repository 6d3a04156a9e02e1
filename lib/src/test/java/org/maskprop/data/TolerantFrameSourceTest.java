package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;

/** {@link TolerantFrameSource}: which good frame stands in for a corrupt one, and what is reported. */
class TolerantFrameSourceTest {

  @Test
  void corruptFramesArePreviousGoodOnesAndRemembered() {
    List<String> reported = new ArrayList<>();
    try (TolerantFrameSource s = new TolerantFrameSource(new FakeFrames(6, 10, Set.of(0, 3, 4)), "v", reported::add)) {
      int[] seen = new int[6];
      for (int t = 0; t < 6; t++) {
        seen[t] = FakeFrames.indexOf(s.frame(t));
      }
      // frame 0 has no good frame before it: the next good one (1); 3 and 4 repeat 2
      assertEquals(List.of(1, 1, 2, 2, 2, 5), java.util.Arrays.stream(seen).boxed().toList());
      assertEquals(Set.of(0, 3, 4), s.badFrames());
      assertEquals(3, reported.size());
      assertTrue(reported.get(0).contains("fake.mp4: frame 0"), reported.get(0));
      assertEquals(reported, s.problems());
      assertEquals(6, s.frameCount());
    }
  }

  @Test
  void standInsAreCopiesTheCallerMayDrawOn() {
    try (TolerantFrameSource s = new TolerantFrameSource(new FakeFrames(4, 10, Set.of(2, 3)), "v", m -> {})) {
      BufferedImage one = s.frame(1);
      one.setRGB(0, 0, 99); // the caller owns its image
      assertEquals(1, FakeFrames.indexOf(s.frame(2)));
      BufferedImage three = s.frame(3);
      assertEquals(1, FakeFrames.indexOf(three));
      three.setRGB(0, 0, 77);
      assertEquals(1, FakeFrames.indexOf(s.frame(3)));
    }
  }

  @Test
  void aVideoWithNoReadableFrameIsUnreadable() {
    try (TolerantFrameSource s = new TolerantFrameSource(new FakeFrames(3, 10, Set.of(0, 1, 2)), "video 9 (gone)",
        m -> {})) {
      InputException e = assertThrows(InputException.class, () -> s.frame(0));
      assertTrue(e.getMessage().startsWith("video 9 (gone): none of its 3 frames could be read"), e.getMessage());
      assertTrue(e.getMessage().contains("fake.mp4: frame 0"), e.getMessage());
    }
  }
}
