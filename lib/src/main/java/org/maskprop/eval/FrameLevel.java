package org.maskprop.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

/**
 * Frame-level mask AP with the video evaluator: every frame of every video becomes a one-frame
 * video, every GT instance present in that frame a one-frame annotation, every per-frame detection a
 * one-frame result. The video AP of one-frame videos is the frame-level mask AP of the detector
 * (COCO-style, the evaluator's IoU thresholds and maxDets), which is what tells the detector's share of
 * a video score apart from the tracking's.
 *
 * <p>One-frame video ids are 1, 2, ... in dataset order (videos, then frames); annotation ids too.
 */
public final class FrameLevel {
  private final YtvisDataset gt;
  private final int[] firstId; // per video (dataset order): id of its frame 0

  private FrameLevel(YtvisDataset gt, int[] firstId) {
    this.gt = gt;
    this.firstId = firstId;
  }

  /** The one-frame view of {@code videoGt}. */
  public static FrameLevel of(YtvisDataset videoGt) {
    List<YtvisDataset.Video> videos = new ArrayList<>();
    List<YtvisDataset.Annotation> annotations = new ArrayList<>();
    int[] firstId = new int[videoGt.videos().size()];
    int next = 1;
    int nextAnnotation = 1;
    for (int vi = 0; vi < videoGt.videos().size(); vi++) {
      YtvisDataset.Video v = videoGt.videos().get(vi);
      firstId[vi] = next;
      List<YtvisDataset.Annotation> tracks = videoGt.annotationsOf(v.id());
      for (int f = 0; f < v.length(); f++) {
        int id = next++;
        videos.add(new YtvisDataset.Video(id, v.width(), v.height(), 1, List.of(v.fileNames().get(f))));
        for (YtvisDataset.Annotation a : tracks) {
          Rle m = a.segmentations().get(f);
          if (m == null) {
            continue;
          }
          annotations.add(new YtvisDataset.Annotation(nextAnnotation++, id, a.categoryId(), a.iscrowd(),
              a.height(), a.width(), List.of(m), Arrays.asList(a.areas().get(f)),
              Arrays.asList(a.bboxes().get(f))));
        }
      }
    }
    YtvisDataset gt = new YtvisDataset(videoGt.source(), videoGt.info(), videoGt.licenses(), videos,
        videoGt.categories(), annotations);
    return new FrameLevel(gt, firstId);
  }


  /** The one-frame GT. */
  public YtvisDataset gt() {
    return gt;
  }

  /**
   * The one-frame video id of frame {@code frame} of the video at {@code videoIndex} (its position
   * in the original dataset's video list).
   */
  public int frameVideoId(int videoIndex, int frame) {
    return firstId[videoIndex] + frame;
  }

  /** One per-frame detection as a one-frame result. */
  public YtvisResult result(int videoIndex, int frame, int categoryId, double score, Rle mask) {
    return new YtvisResult(frameVideoId(videoIndex, frame), categoryId, score, List.of(mask));
  }

  /** Frame-level AP/AR of the given one-frame results. */
  public Metrics evaluate(List<YtvisResult> results) {
    return YtvisEvaluator.evaluate(gt, results);
  }
}
