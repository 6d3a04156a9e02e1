package org.maskprop.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;

/** The {@code track.*} section: preset values, overrides, and strict keys and values. */
class TrackConfigTest {
  @Test
  void cpuPresetsTrainTheHeadPaperPresetsDoNot() {
    TrackConfig tiny = Presets.get("cpu-tiny").track();
    assertEquals(new TrackConfig(true, 128, 128, 1.0, 4, 1.0, 2.0, 10.0), tiny); // 1024 / widthDivisor 8
    assertEquals(256, Presets.get("cpu-synthetic").track().embedDim()); // widthDivisor 4
    for (String paper : List.of("ytvis-r50", "ytvis-r101", "ytvis-x101")) {
      TrackConfig t = Presets.get(paper).track();
      assertFalse(t.enabled(), paper);
      assertEquals(TrackConfig.paper(false), t); // MaskTrack R-CNN: 1024, 1024, cues 1, 2, 10
    }
  }

  @Test
  void overridesResolveAndBadValuesNameTheKey() {
    MaskPropConfig c = MaskPropConfig.fromPreset("ytvis-r50", List.of("track.enabled=true", "track.iouWeight=3"));
    assertTrue(c.track().enabled());
    assertEquals(3.0, c.track().iouWeight());
    assertEquals("3.0", c.flatten().get("track.iouWeight"));
    InputException zero = assertThrows(InputException.class,
        () -> MaskPropConfig.fromPreset("cpu-tiny", List.of("track.embedDim=0")));
    assertTrue(zero.getMessage().contains("track.embedDim"), zero.getMessage());
    InputException unknown = assertThrows(InputException.class,
        () -> MaskPropConfig.fromPreset("cpu-tiny", List.of("track.alpha=1")));
    assertTrue(unknown.getMessage().contains("track.alpha"), unknown.getMessage());
  }
}
