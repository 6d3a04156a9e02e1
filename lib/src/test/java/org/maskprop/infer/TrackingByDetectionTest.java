package org.maskprop.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.config.InferConfig;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.deepsort.DeepSortParams;

/** The linkers behind the baselines on hand-built detections (no model). */
class TrackingByDetectionTest {
  static DetectedInstance det(int c0, int c1, float[] appearance) {
    return new DetectedInstance(new Detection(IouLinkerTest.cols(c0, c1), 1, 0.8),
        new float[] {c0, 0, c1 + 1, 1}, appearance, null);
  }

  static InferConfig assign(double threshold) {
    return new InferConfig(13, 0.1, threshold, 0.5, 1000);
  }

  @Test
  void iouLinkingJoinsAboveTheAssignThreshold() {
    // columns 0..9 then 0..5: IoU 6/10 = 0.6 by hand, so one track at threshold 0.5 and two at 0.7
    float[] a = {1, 0};
    for (double threshold : new double[] {0.5, 0.7}) {
      DetectionLinker linker = TrackingByDetection.iouLinker(3, 2, assign(threshold));
      linker.add(0, List.of(det(0, 9, a)));
      linker.add(1, List.of(det(0, 5, a)));
      List<YtvisResult> results = linker.finish();
      assertEquals(threshold < 0.6 ? 1 : 2, results.size(), "threshold " + threshold);
      assertEquals(3, results.get(0).videoId());
      if (threshold < 0.6) {
        assertEquals(IouLinkerTest.cols(0, 5), results.get(0).segmentations().get(1));
      } else {
        assertNull(results.get(0).segmentations().get(1));
      }
    }
  }

  @Test
  void deepSortSkipsDescriptorsWithoutDirectionAndConfirmsAfterNInit() {
    // one still object over 3 frames (nInit 3 confirms it) plus, in frame 1, a detection whose
    // descriptor is all zeros: it cannot be compared by cosine distance and must not start a track
    DetectionLinker linker =
        TrackingByDetection.deepSortLinker(DeepSortParams.defaults(), 5, 3);
    float[] a = {0.6f, 0.8f};
    linker.add(0, List.of(det(2, 9, a)));
    linker.add(1, List.of(det(2, 9, a), det(12, 18, new float[] {0, 0})));
    linker.add(2, List.of(det(2, 9, a)));
    List<YtvisResult> results = linker.finish();
    assertEquals(1, results.size());
    assertEquals(0.8, results.get(0).score(), 1e-12);
    for (int f = 0; f < 3; f++) {
      assertEquals(IouLinkerTest.cols(2, 9), results.get(0).segmentations().get(f));
    }
    assertThrows(IllegalArgumentException.class, () -> linker.add(5, List.of()));
  }

  @Test
  void methodsAreRegisteredUnderTheirNames() {
    assertEquals("iou-linking", VideoMethods.byName("iou-linking").name());
    assertEquals("deepsort", VideoMethods.byName("deepsort").name());
    assertSame(VideoMethods.byName("deepsort"), VideoMethods.byName("deepsort"));
  }
}
