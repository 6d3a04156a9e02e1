package org.maskprop.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

/**
 * Adversarial random cases for comparing with the official evaluator and for property tests:
 * crowd GT, absent frames, empty masks, JSON areas that disagree with the masks (zeros, rescaled,
 * fractional), tied scores, more than 100 results in one (video, category), categories without
 * GT, results of categories not in the GT file, GT ids starting at 0.
 */
final class RandomYtvisCases {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RandomYtvisCases() {}

  static EvalBenchmark.Case generate(long seed) {
    return generate(seed, false);
  }

  /**
   * With {@code lengthMismatch}, about a fifth of the results get a per-frame list shorter or
   * longer than their video (readable only leniently).
   */
  static EvalBenchmark.Case generate(long seed, boolean lengthMismatch) {
    SplittableRandom rng = new SplittableRandom(seed);
    boolean small = rng.nextInt(3) == 0;
    int h = small ? 20 + rng.nextInt(30) : 360;
    int w = small ? 20 + rng.nextInt(50) : 640;
    int videos = 1 + rng.nextInt(4);
    int frames = 1 + rng.nextInt(6);
    int cats = 1 + rng.nextInt(5);
    boolean ties = rng.nextBoolean();
    int idBase = rng.nextInt(10) == 0 ? 0 : 1;
    double crowdP = rng.nextInt(3) == 0 ? 0.3 : 0.05;
    List<YtvisDataset.Video> vids = new ArrayList<>();
    List<YtvisDataset.Category> cs = new ArrayList<>();
    for (int c = 1; c <= cats; c++) {
      cs.add(new YtvisDataset.Category(c, "c" + c, "s"));
    }
    List<YtvisDataset.Annotation> anns = new ArrayList<>();
    List<YtvisResult> results = new ArrayList<>();
    int annId = idBase;
    for (int v = 1; v <= videos; v++) {
      List<String> names = new ArrayList<>();
      for (int f = 0; f < frames; f++) {
        names.add("v" + v + "/" + f + ".jpg");
      }
      vids.add(new YtvisDataset.Video(v, w, h, frames, names));
      List<List<Rle>> tracks = new ArrayList<>();
      List<Integer> trackCats = new ArrayList<>();
      int nGt = rng.nextInt(5);
      for (int i = 0; i < nGt; i++) {
        int cat = 1 + rng.nextInt(cats);
        List<Rle> segs = track(rng, h, w, frames, 0.25);
        if (segs.stream().allMatch(r -> r == null)) {
          segs.set(0, shape(rng, h, w));
        }
        List<Double> areas = new ArrayList<>();
        int areaMode = rng.nextInt(20);
        double factor = 0.2 + 8 * rng.nextDouble();
        for (Rle r : segs) {
          if (r == null) {
            areas.add(null);
          } else if (areaMode == 0) {
            areas.add(Math.rint(r.area() * factor)); // JSON areas disagree with the masks
          } else if (areaMode == 1) {
            areas.add(rng.nextInt(3) == 0 ? 0.0 : (double) r.area()); // zero areas
          } else if (areaMode == 2) {
            areas.add(r.area() * factor); // fractional
          } else {
            areas.add((double) r.area());
          }
        }
        List<double[]> boxes = new ArrayList<>();
        segs.forEach(r -> boxes.add(r == null ? null : r.toBbox()));
        int crowd = rng.nextDouble() < crowdP ? 1 : 0;
        anns.add(new YtvisDataset.Annotation(annId++, v, cat, crowd, h, w, segs, areas, boxes));
        tracks.add(segs);
        trackCats.add(cat);
      }
      int nRes = rng.nextInt(12);
      for (int i = 0; i < nRes; i++) {
        int cat;
        List<Rle> segs;
        if (!tracks.isEmpty() && rng.nextInt(3) != 0) {
          int t = rng.nextInt(tracks.size());
          cat = rng.nextInt(8) == 0 ? 1 + rng.nextInt(cats) : trackCats.get(t);
          segs = perturb(rng, tracks.get(t), h, w);
        } else {
          cat = rng.nextInt(20) == 0 ? 99 : 1 + rng.nextInt(cats);
          segs = track(rng, h, w, frames, 0.3);
        }
        results.add(new YtvisResult(v, cat, score(rng, ties), segs));
      }
      if (rng.nextInt(12) == 0) { // > maxDets results in one (video, category)
        int cat = 1 + rng.nextInt(cats);
        int n = 100 + rng.nextInt(12);
        for (int i = 0; i < n; i++) {
          List<Rle> segs = !tracks.isEmpty() && rng.nextBoolean()
              ? perturb(rng, tracks.get(rng.nextInt(tracks.size())), h, w)
              : track(rng, h, w, frames, 0.3);
          results.add(new YtvisResult(v, cat, score(rng, ties), segs));
        }
      }
    }
    if (results.isEmpty()) {
      results.add(new YtvisResult(1, 1, 0.5, track(rng, h, w, frames, 0.0)));
    }
    if (lengthMismatch) {
      for (int i = 0; i < results.size(); i++) {
        if (rng.nextInt(5) == 0) {
          YtvisResult r = results.get(i);
          List<Rle> segs = new ArrayList<>(r.segmentations());
          if (rng.nextBoolean() && segs.size() > 1) {
            segs = segs.subList(0, 1 + rng.nextInt(segs.size() - 1));
          } else {
            int extra = 1 + rng.nextInt(3);
            for (int k = 0; k < extra; k++) {
              segs.add(rng.nextBoolean() ? null : shape(rng, h, w));
            }
          }
          results.set(i, new YtvisResult(r.videoId(), r.categoryId(), r.score(), segs));
        }
      }
    }
    return new EvalBenchmark.Case(new YtvisDataset(null, null, null, vids, cs, anns), results);
  }

  private static double score(SplittableRandom rng, boolean ties) {
    return ties ? (1 + rng.nextInt(9)) / 10.0 : rng.nextDouble();
  }

  private static Rle shape(SplittableRandom rng, int h, int w) {
    double scale = Math.exp(rng.nextDouble() * Math.log(Math.max(h, w)));
    return EvalBenchmark.ellipse(h, w, rng.nextDouble() * w, rng.nextDouble() * h,
        0.5 + scale * (0.3 + rng.nextDouble()), 0.5 + scale * (0.3 + rng.nextDouble()));
  }

  private static List<Rle> track(SplittableRandom rng, int h, int w, int frames, double absentP) {
    List<Rle> segs = new ArrayList<>();
    double cx = rng.nextDouble() * w;
    double cy = rng.nextDouble() * h;
    double scale = Math.exp(rng.nextDouble() * Math.log(Math.max(h, w)));
    double rx = 0.5 + scale * (0.3 + rng.nextDouble());
    double ry = 0.5 + scale * (0.3 + rng.nextDouble());
    for (int f = 0; f < frames; f++) {
      if (rng.nextDouble() < absentP) {
        segs.add(null);
      } else if (rng.nextInt(15) == 0) {
        segs.add(Rle.empty(h, w)); // present but empty
      } else {
        segs.add(EvalBenchmark.ellipse(h, w, cx + f * 2, cy + f, rx, ry));
      }
    }
    return segs;
  }

  /** A prediction near a GT track: its ellipse-free masks are re-drawn around their boxes. */
  private static List<Rle> perturb(SplittableRandom rng, List<Rle> src, int h, int w) {
    List<Rle> out = new ArrayList<>();
    boolean exact = rng.nextInt(5) == 0;
    double dx = (rng.nextDouble() - 0.5) * w * 0.1;
    double dy = (rng.nextDouble() - 0.5) * h * 0.1;
    double s = 0.7 + 0.6 * rng.nextDouble();
    for (Rle r : src) {
      if (r == null || rng.nextInt(8) == 0) {
        out.add(exact && r != null ? r : (rng.nextInt(6) == 0 ? shape(rng, h, w) : null));
        continue;
      }
      if (exact) {
        out.add(r);
        continue;
      }
      double[] b = r.toBbox();
      out.add(EvalBenchmark.ellipse(h, w, b[0] + b[2] / 2 + dx, b[1] + b[3] / 2 + dy,
          Math.max(0.5, b[2] / 2 * s), Math.max(0.5, b[3] / 2 * s)));
    }
    return out;
  }

  /** GT JSON in the YouTube-VIS layout (compressed-string RLE, as the official loadRes needs). */
  static String gtJson(YtvisDataset ds) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("info");
    root.putArray("licenses");
    ArrayNode vs = root.putArray("videos");
    for (YtvisDataset.Video v : ds.videos()) {
      ObjectNode o = vs.addObject();
      o.put("id", v.id()).put("width", v.width()).put("height", v.height()).put("length", v.length());
      ArrayNode names = o.putArray("file_names");
      v.fileNames().forEach(names::add);
    }
    ArrayNode cs = root.putArray("categories");
    for (YtvisDataset.Category c : ds.categories()) {
      cs.addObject().put("id", c.id()).put("name", c.name()).put("supercategory", c.supercategory());
    }
    ArrayNode as = root.putArray("annotations");
    for (YtvisDataset.Annotation a : ds.annotations()) {
      ObjectNode o = as.addObject();
      o.put("id", a.id()).put("video_id", a.videoId()).put("category_id", a.categoryId())
          .put("iscrowd", a.iscrowd()).put("height", a.height()).put("width", a.width())
          .put("length", 1);
      segs(o.putArray("segmentations"), a.segmentations());
      ArrayNode areas = o.putArray("areas");
      a.areas().forEach(x -> {
        if (x == null) {
          areas.addNull();
        } else {
          areas.add(x);
        }
      });
      ArrayNode boxes = o.putArray("bboxes");
      a.bboxes().forEach(b -> {
        if (b == null) {
          boxes.addNull();
        } else {
          ArrayNode bb = boxes.addArray();
          for (double x : b) {
            bb.add(x);
          }
        }
      });
    }
    return root.toString();
  }

  static String resultsJson(List<YtvisResult> results) {
    ArrayNode root = JSON.createArrayNode();
    for (YtvisResult r : results) {
      ObjectNode o = root.addObject();
      o.put("video_id", r.videoId()).put("category_id", r.categoryId()).put("score", r.score());
      segs(o.putArray("segmentations"), r.segmentations());
    }
    return root.toString();
  }

  private static void segs(ArrayNode arr, List<Rle> segs) {
    for (Rle r : segs) {
      if (r == null) {
        arr.addNull();
      } else {
        ObjectNode s = arr.addObject();
        s.putArray("size").add(r.height()).add(r.width());
        s.put("counts", r.toCompressedString());
      }
    }
  }
}
