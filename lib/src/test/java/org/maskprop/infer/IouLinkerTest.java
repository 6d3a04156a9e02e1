package org.maskprop.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;

class IouLinkerTest {
  /** A 1 x 20 mask with columns c0..c1 set. */
  static Rle cols(int c0, int c1) {
    byte[] b = new byte[20];
    Arrays.fill(b, c0, c1 + 1, (byte) 1);
    return Rle.encode(b, 1, 20);
  }

  static Detection det(Rle mask, int category, double score) {
    return new Detection(mask, category, score);
  }

  @Test
  void takesHigherIousFirst() {
    Rle p1 = cols(0, 9);
    Rle p2 = cols(4, 13);
    Rle d1 = cols(1, 11);
    Rle d2 = cols(0, 8);
    // By hand: IoU(p1, d1) = 9/12, IoU(p2, d1) = 8/13, IoU(p1, d2) = 9/10, IoU(p2, d2) = 5/14.
    double[][] iou = Rle.iou(List.of(p1, p2), List.of(d1, d2), null);
    assertArrayEquals(new double[] {9.0 / 12, 9.0 / 10}, iou[0], 1e-12);
    assertArrayEquals(new double[] {8.0 / 13, 5.0 / 14}, iou[1], 1e-12);
    // Global greedy: (p1, d2) first, then (p2, d1). Taking detections in order would give d1 to
    // p1 and leave d2 unmatched (5/14 < 0.5).
    List<YtvisResult> res =
        IouLinker.link(
            3,
            2,
            List.of(
                new FrameDetections(0, List.of(det(p1, 1, 0.9), det(p2, 2, 0.8))),
                new FrameDetections(1, List.of(det(d1, 2, 0.6), det(d2, 1, 0.7)))),
            0.5);
    assertEquals(2, res.size());
    assertEquals(List.of(p1, d2), res.get(0).segmentations());
    assertEquals(1, res.get(0).categoryId());
    assertEquals(0.8, res.get(0).score(), 1e-12);
    assertEquals(List.of(p2, d1), res.get(1).segmentations());
    assertEquals(2, res.get(1).categoryId());
    assertEquals(0.7, res.get(1).score(), 1e-12);
    assertEquals(3, res.get(0).videoId());
  }

  @Test
  void iouExactlyAtThresholdStartsANewTrack() {
    // IoU(cols 0..3, cols 0..1) = 2/4
    List<FrameDetections> frames =
        List.of(
            new FrameDetections(0, List.of(det(cols(0, 3), 1, 1))),
            new FrameDetections(1, List.of(det(cols(0, 1), 1, 1))));
    assertEquals(2, IouLinker.link(1, 2, frames, 0.5).size());
    assertEquals(1, IouLinker.link(1, 2, frames, 0.49).size());
  }

  @Test
  void movingObjectsAreLinkedAcrossFramesWhateverTheirOrder() {
    // object a moves right one column per frame (4 wide), object b stays at the right end
    List<FrameDetections> frames = new ArrayList<>();
    for (int f = 0; f < 6; f++) {
      Detection a = det(cols(f, f + 3), 1, 0.9);
      Detection b = det(cols(16, 19), 2, 0.5);
      frames.add(new FrameDetections(f, f % 2 == 0 ? List.of(a, b) : List.of(b, a)));
    }
    List<YtvisResult> res = IouLinker.link(1, 6, frames, 0.5);
    assertEquals(2, res.size());
    for (int f = 0; f < 6; f++) {
      assertEquals(cols(f, f + 3), res.get(0).segmentations().get(f));
      assertEquals(cols(16, 19), res.get(1).segmentations().get(f));
    }
  }

  @Test
  void aFrameWithoutTheObjectEndsItsTrack() {
    Rle m = cols(2, 6);
    List<FrameDetections> frames =
        List.of(
            new FrameDetections(0, List.of(det(m, 1, 1))),
            new FrameDetections(1, List.of(det(m, 1, 1))),
            new FrameDetections(2, List.of()),
            new FrameDetections(4, List.of(det(m, 1, 1)))); // frame 3 missing altogether
    List<YtvisResult> res = IouLinker.link(1, 5, frames, 0.5);
    assertEquals(2, res.size());
    assertEquals(Arrays.asList(m, m, null, null, null), res.get(0).segmentations());
    assertEquals(Arrays.asList(null, null, null, null, m), res.get(1).segmentations());
  }

  @Test
  void scoresAreMeansPerCategoryOverTheTracksDetections() {
    Rle m = cols(0, 4);
    List<FrameDetections> frames =
        List.of(
            new FrameDetections(0, List.of(det(m, 7, 0.9))),
            new FrameDetections(1, List.of(det(m, 7, 0.7))),
            new FrameDetections(2, List.of(det(m, 2, 0.6))));
    List<YtvisResult> res = IouLinker.link(1, 3, frames, 0.5);
    // category 2: 0.6 / 3; category 7: (0.9 + 0.7) / 3; ordered by category id
    assertEquals(2, res.size());
    assertEquals(2, res.get(0).categoryId());
    assertEquals(0.2, res.get(0).score(), 1e-12);
    assertEquals(7, res.get(1).categoryId());
    assertEquals(1.6 / 3, res.get(1).score(), 1e-12);
    assertEquals(List.of(m, m, m), res.get(1).segmentations());
  }

  @Test
  void rejectsFramesOutOfOrderOrRange() {
    FrameDetections f1 = new FrameDetections(1, List.of());
    FrameDetections f0 = new FrameDetections(0, List.of());
    assertThrows(IllegalArgumentException.class, () -> IouLinker.link(1, 3, List.of(f1, f0), 0.5));
    assertThrows(
        IllegalArgumentException.class,
        () -> IouLinker.link(1, 1, List.of(new FrameDetections(1, List.of())), 0.5));
  }
}
