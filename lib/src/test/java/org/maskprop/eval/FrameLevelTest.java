package org.maskprop.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

class FrameLevelTest {
  private static final int H = 20;
  private static final int W = 30;

  /** Video 1: instance A (cat 1) in frames 0-2, instance B (cat 2) only in frame 1; video 2: C in frame 0. */
  private static YtvisDataset videoGt() {
    Rle a0 = Cases.rect(H, W, 0, 0, 10, 10);
    Rle a1 = Cases.rect(H, W, 2, 0, 12, 10);
    Rle a2 = Cases.rect(H, W, 4, 0, 14, 10);
    Rle b1 = Cases.rect(H, W, 20, 10, 30, 20);
    Rle c0 = Cases.rect(H, W, 5, 5, 15, 15);
    return Cases.dataset(2, 3, H, W, 2, List.of(
        Cases.gt(1, 1, 1, 0, Cases.frames(a0, a1, a2)),
        Cases.gt(2, 1, 2, 0, Cases.frames(null, b1, null)),
        Cases.gt(3, 2, 1, 0, Cases.frames(c0, null, null))));
  }

  @Test
  void everyFrameBecomesAOneFrameVideoWithItsPresentInstances() {
    FrameLevel fl = FrameLevel.of(videoGt());
    assertEquals(6, fl.gt().videos().size());
    assertEquals(5, fl.gt().annotations().size()); // A x3, B x1, C x1
    assertEquals(2, fl.gt().annotationsOf(fl.frameVideoId(0, 1)).size());
    assertEquals(1, fl.gt().annotationsOf(fl.frameVideoId(1, 0)).size());
    assertEquals(0, fl.gt().annotationsOf(fl.frameVideoId(1, 2)).size());
    assertEquals(5, fl.frameVideoId(1, 1));
  }

  @Test
  void perfectDetectionsScoreOneAndAMissedHalfOfOneClassScoresLess() {
    YtvisDataset gt = videoGt();
    FrameLevel fl = FrameLevel.of(gt);
    List<YtvisResult> perfect = new ArrayList<>();
    for (int vi = 0; vi < gt.videos().size(); vi++) {
      YtvisDataset.Video v = gt.videos().get(vi);
      for (YtvisDataset.Annotation a : gt.annotationsOf(v.id())) {
        for (int f = 0; f < v.length(); f++) {
          if (a.segmentations().get(f) != null) {
            perfect.add(fl.result(vi, f, a.categoryId(), 0.9, a.segmentations().get(f)));
          }
        }
      }
    }
    assertEquals(1.0, fl.evaluate(perfect).asMap().get("AP"), 1e-12);
    // drop two of the four category-1 frames: category 1 recall 0.5, AP 0.5 (precision 1 up to
    // recall 0.5, interpolated 0 beyond), category 2 AP 1: mean 0.75 at every IoU threshold
    List<YtvisResult> partial = new ArrayList<>(perfect);
    partial.removeIf(r -> r.categoryId() == 1 && (r.videoId() == fl.frameVideoId(0, 0) || r.videoId() == fl.frameVideoId(0, 2)));
    assertEquals(2, perfect.size() - partial.size());
    assertEquals(0.7525, fl.evaluate(partial).asMap().get("AP"), 0.01);
  }
}
