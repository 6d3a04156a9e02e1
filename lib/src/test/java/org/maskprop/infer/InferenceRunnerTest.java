package org.maskprop.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.eval.YtvisEvaluator;

/** The runner on a 3-video GT with stub predictors (no model): order, evaluation, warm-up timing. */
class InferenceRunnerTest {
  static final int H = 8;
  static final int W = 8;

  static Rle square(int x0) {
    byte[] m = new byte[H * W];
    for (int y = 2; y < 6; y++) {
      for (int x = x0; x < x0 + 3; x++) {
        m[y * W + x] = 1;
      }
    }
    return Rle.encode(m, H, W);
  }

  /** Videos 1..3 of 2, 3 and 4 frames, one instance of category 1 each. */
  static YtvisDataset dataset() {
    List<YtvisDataset.Video> videos = new ArrayList<>();
    List<YtvisDataset.Annotation> anns = new ArrayList<>();
    for (int v = 1; v <= 3; v++) {
      int frames = v + 1;
      List<String> names = new ArrayList<>();
      List<Rle> segs = new ArrayList<>();
      List<Double> areas = new ArrayList<>();
      List<double[]> boxes = new ArrayList<>();
      for (int f = 0; f < frames; f++) {
        names.add("v" + v + "/" + f + ".jpg");
        Rle r = square(f);
        segs.add(r);
        areas.add((double) r.area());
        boxes.add(r.toBbox());
      }
      videos.add(new YtvisDataset.Video(v, W, H, frames, names));
      anns.add(new YtvisDataset.Annotation(v, v, 1, 0, H, W, segs, areas, boxes));
    }
    return new YtvisDataset(null, null, null, videos,
        List.of(new YtvisDataset.Category(1, "c1", "s")), anns);
  }

  @Test
  void perfectPredictionsScoreApOneAndWarmUpVideosAreNotTimed() {
    YtvisDataset gt = dataset();
    List<Integer> order = new ArrayList<>();
    InferenceRunner.VideoInference copyGt = video -> {
      order.add(video.id());
      return List.of(new YtvisResult(video.id(), 1, 0.9, gt.annotationsOf(video.id()).get(0).segmentations()));
    };
    InferenceRunner.Report r = InferenceRunner.run(copyGt, gt, new YtvisEvaluator(gt, 1), 1);
    assertEquals(List.of(1, 2, 3), order);
    assertEquals(3, r.results().size());
    assertEquals(1.0, r.metrics().ap(), 1e-12);
    assertEquals(2, r.timedVideos()); // video 1 is the warm-up
    assertEquals(3 + 4, r.timedFrames()); // frames of videos 2 and 3
  }

  @Test
  void evaluatorIsResetFirstAndAWrongVideoIdIsRefused() {
    YtvisDataset gt = dataset();
    YtvisEvaluator evaluator = new YtvisEvaluator(gt, 1);
    // a stale perfect prediction of video 1 processed before the run must not count: the run
    // predicts video 3 only, so recall is 1/3 at every IoU (2/3 had the evaluator not been reset)
    evaluator.process(List.of(new YtvisResult(1, 1, 0.9, gt.annotationsOf(1).get(0).segmentations())));
    InferenceRunner.Report r = InferenceRunner.run(video -> video.id() != 3 ? List.of()
        : List.of(new YtvisResult(3, 1, 0.9, gt.annotationsOf(3).get(0).segmentations())), gt, evaluator, 0);
    assertEquals(1.0 / 3, r.metrics().ar100(), 1e-9);
    assertEquals(3, r.timedVideos());
    assertEquals(2 + 3 + 4, r.timedFrames());
    assertThrows(IllegalStateException.class, () -> InferenceRunner.run(
        video -> List.of(new YtvisResult(99, 1, 0.5, gt.annotationsOf(1).get(0).segmentations())), gt,
        new YtvisEvaluator(gt, 1), 0));
  }
}
