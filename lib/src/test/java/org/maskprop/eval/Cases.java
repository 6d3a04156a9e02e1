package org.maskprop.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

/** Builders for small hand-made evaluation cases. */
final class Cases {
  private Cases() {}

  /** Rectangle {@code [x0, x1) x [y0, y1)} in an {@code h x w} frame, via the pixel encoder. */
  static Rle rect(int h, int w, int x0, int y0, int x1, int y1) {
    byte[] m = new byte[h * w];
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        m[y * w + x] = 1;
      }
    }
    return Rle.encode(m, h, w);
  }

  static List<Rle> frames(Rle... rles) {
    return new ArrayList<>(Arrays.asList(rles));
  }

  /** A GT track whose JSON areas are its mask areas (null where absent). */
  static YtvisDataset.Annotation gt(int id, int video, int cat, int crowd, List<Rle> segs) {
    List<Double> areas = new ArrayList<>();
    for (Rle r : segs) {
      areas.add(r == null ? null : (double) r.area());
    }
    return gt(id, video, cat, crowd, segs, areas);
  }

  static YtvisDataset.Annotation gt(
      int id, int video, int cat, int crowd, List<Rle> segs, List<Double> areas) {
    Rle any = segs.stream().filter(r -> r != null).findFirst().orElseThrow();
    List<double[]> boxes = new ArrayList<>();
    for (Rle r : segs) {
      boxes.add(r == null ? null : r.toBbox());
    }
    return new YtvisDataset.Annotation(id, video, cat, crowd, any.height(), any.width(), segs,
        areas, boxes);
  }

  /** Videos 1..videos of {@code frames} frames of {@code h x w}; categories 1..cats. */
  static YtvisDataset dataset(int videos, int frames, int h, int w, int cats,
      List<YtvisDataset.Annotation> anns) {
    List<YtvisDataset.Video> vs = new ArrayList<>();
    for (int v = 1; v <= videos; v++) {
      List<String> names = new ArrayList<>();
      for (int f = 0; f < frames; f++) {
        names.add("v" + v + "/" + f + ".jpg");
      }
      vs.add(new YtvisDataset.Video(v, w, h, frames, names));
    }
    List<YtvisDataset.Category> cs = new ArrayList<>();
    for (int c = 1; c <= cats; c++) {
      cs.add(new YtvisDataset.Category(c, "c" + c, "s"));
    }
    return new YtvisDataset(null, null, null, vs, cs, anns);
  }

  static YtvisResult result(int video, int cat, double score, List<Rle> segs) {
    return new YtvisResult(video, cat, score, segs);
  }
}
