package org.maskprop.infer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisResult;

/**
 * A trivial, GT-initialised reference predictor: each GT track's mask at its first visible frame is
 * held still for the rest of the video (nothing before it), with the GT category and score 1.
 *
 * <p>This is the zero-motion baseline of semi-supervised video object segmentation: it knows every
 * identity and class and only lacks motion, so its AP measures how much the objects move, and
 * a tracker without oracle identities has to beat its motion handling, not its recognition. It
 * uses GT and is never a method row in a paper table; the demo reports it until the model lands.
 */
public final class FirstFrameCopyBaseline {
  private FirstFrameCopyBaseline() {}

  /** One result per non-crowd GT track of {@code gt}, in annotation order. */
  public static List<YtvisResult> predict(YtvisDataset gt) {
    List<YtvisResult> out = new ArrayList<>();
    for (Annotation a : gt.annotations()) {
      if (a.iscrowd() != 0) {
        continue;
      }
      List<Rle> segs = a.segmentations();
      int first = -1;
      for (int f = 0; f < segs.size(); f++) {
        if (segs.get(f) != null && segs.get(f).area() > 0) {
          first = f;
          break;
        }
      }
      if (first < 0) {
        continue;
      }
      List<Rle> held = new ArrayList<>(Collections.nCopies(segs.size(), (Rle) null));
      for (int f = first; f < segs.size(); f++) {
        held.set(f, segs.get(first));
      }
      out.add(new YtvisResult(a.videoId(), a.categoryId(), 1.0, Collections.unmodifiableList(held)));
    }
    return out;
  }

  /** The GT tracks themselves as results (score 1): a pipeline check that must score AP = 1. */
  public static List<YtvisResult> groundTruthAsResults(YtvisDataset gt) {
    List<YtvisResult> out = new ArrayList<>();
    for (Annotation a : gt.annotations()) {
      if (a.iscrowd() == 0) {
        out.add(new YtvisResult(a.videoId(), a.categoryId(), 1.0, a.segmentations()));
      }
    }
    return out;
  }
}
