package org.maskprop.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;

/** Minimal test-only reader of YouTube-VIS JSON (compressed-string RLE), independent of data's. */
final class TestJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestJson() {}

  static JsonNode resource(String name) throws IOException {
    try (InputStream in = TestJson.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return JSON.readTree(in);
    }
  }

  static YtvisDataset dataset(JsonNode root) {
    List<YtvisDataset.Video> videos = new ArrayList<>();
    for (JsonNode v : root.get("videos")) {
      List<String> names = new ArrayList<>();
      v.get("file_names").forEach(n -> names.add(n.asText()));
      videos.add(new YtvisDataset.Video(v.get("id").asInt(), v.get("width").asInt(),
          v.get("height").asInt(), v.get("length").asInt(), names));
    }
    List<YtvisDataset.Category> cats = new ArrayList<>();
    for (JsonNode c : root.get("categories")) {
      cats.add(new YtvisDataset.Category(c.get("id").asInt(), c.get("name").asText(),
          c.path("supercategory").asText()));
    }
    List<YtvisDataset.Annotation> anns = new ArrayList<>();
    for (JsonNode a : root.get("annotations")) {
      List<Double> areas = new ArrayList<>();
      for (JsonNode x : a.get("areas")) {
        areas.add(x.isNull() ? null : x.asDouble());
      }
      List<double[]> boxes = new ArrayList<>();
      anns.add(new YtvisDataset.Annotation(a.get("id").asInt(), a.get("video_id").asInt(),
          a.get("category_id").asInt(), a.get("iscrowd").asInt(), a.get("height").asInt(),
          a.get("width").asInt(), rles(a.get("segmentations")), areas, boxes));
    }
    return new YtvisDataset(null, root.get("info"), root.get("licenses"), videos, cats, anns);
  }

  static List<YtvisResult> results(JsonNode root) {
    List<YtvisResult> out = new ArrayList<>();
    for (JsonNode r : root) {
      out.add(new YtvisResult(r.get("video_id").asInt(), r.get("category_id").asInt(),
          r.get("score").asDouble(), rles(r.get("segmentations"))));
    }
    return out;
  }

  private static List<Rle> rles(JsonNode segs) {
    List<Rle> out = new ArrayList<>();
    for (JsonNode s : segs) {
      if (s.isNull()) {
        out.add(null);
        continue;
      }
      int h = s.get("size").get(0).asInt();
      int w = s.get("size").get(1).asInt();
      JsonNode c = s.get("counts");
      if (c.isTextual()) {
        out.add(Rle.fromCompressedString(c.asText(), h, w));
      } else {
        int[] counts = new int[c.size()];
        for (int i = 0; i < counts.length; i++) {
          counts[i] = c.get(i).asInt();
        }
        out.add(Rle.fromCounts(counts, h, w));
      }
    }
    return out;
  }
}
