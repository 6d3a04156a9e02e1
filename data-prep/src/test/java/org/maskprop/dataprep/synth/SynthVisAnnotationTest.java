package org.maskprop.dataprep.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;

/**
 * The written JSON read back with Jackson, masks decoded: areas, boxes, nulls, lengths and
 * disjointness checked against values computed here from the decoded masks.
 */
class SynthVisAnnotationTest {
  private static final int H = 40;
  private static final int W = 56;
  private static final int FRAMES = 8;

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(SynthPreset.class)
  void annotationsAgreeWithTheirMasks(SynthPreset preset) throws IOException {
    SynthVisSpec spec = new SynthVisSpec(preset, 3, 2, 2, FRAMES, H, W, 11, 2);
    SynthVis.Summary summary = SynthVis.generate(spec, tmp, false);
    ObjectMapper mapper = new ObjectMapper();
    int nulls = 0;
    for (String split : SynthVis.SPLITS) {
      // the project's reader validates ids, lengths, RLE sizes and that every frame file exists
      YtvisDataset read =
          YtvisDataset.read(tmp.resolve(split + ".json"), tmp.resolve(split).resolve("JPEGImages"));
      assertEquals(spec.videos(split), read.videos().size());
      JsonNode root = mapper.readTree(tmp.resolve(split + ".json").toFile());
      JsonNode cats = root.get("categories");
      assertEquals(ShapeClass.values().length, cats.size());
      for (int k = 0; k < cats.size(); k++) {
        assertEquals(k + 1, cats.get(k).get("id").asInt());
        assertEquals(ShapeClass.values()[k].label(), cats.get(k).get("name").asText());
      }
      Map<Integer, JsonNode> videos = new HashMap<>();
      for (JsonNode v : root.get("videos")) {
        assertEquals(H, v.get("height").asInt());
        assertEquals(W, v.get("width").asInt());
        assertEquals(FRAMES, v.get("length").asInt());
        assertEquals(FRAMES, v.get("file_names").size());
        for (JsonNode f : v.get("file_names")) {
          Path jpg = tmp.resolve(split).resolve("JPEGImages").resolve(f.asText());
          BufferedImage img = ImageIO.read(jpg.toFile());
          assertEquals(W, img.getWidth(), jpg.toString());
          assertEquals(H, img.getHeight(), jpg.toString());
        }
        videos.put(v.get("id").asInt(), v);
      }
      assertEquals(spec.videos(split), videos.size());
      JsonNode anns = root.get("annotations");
      assertEquals(summary.splits().get(SynthVis.SPLITS.indexOf(split)).instances(), anns.size());
      // per video and frame: which instance owns each pixel (disjointness)
      Map<String, int[]> owner = new HashMap<>();
      int expectedId = 1;
      for (JsonNode a : anns) {
        assertEquals(expectedId++, a.get("id").asInt());
        assertEquals(0, a.get("iscrowd").asInt());
        int cat = a.get("category_id").asInt();
        assertTrue(cat >= 1 && cat <= ShapeClass.values().length);
        assertNotNull(videos.get(a.get("video_id").asInt()));
        JsonNode segs = a.get("segmentations");
        JsonNode areas = a.get("areas");
        JsonNode boxes = a.get("bboxes");
        assertEquals(FRAMES, segs.size());
        assertEquals(FRAMES, areas.size());
        assertEquals(FRAMES, boxes.size());
        int present = 0;
        for (int t = 0; t < FRAMES; t++) {
          JsonNode seg = segs.get(t);
          if (seg.isNull()) {
            assertTrue(areas.get(t).isNull() && boxes.get(t).isNull(), "null mismatch, frame " + t);
            nulls++;
            continue;
          }
          present++;
          assertEquals(H, seg.get("size").get(0).asInt());
          assertEquals(W, seg.get("size").get(1).asInt());
          byte[] mask = Rle.fromCompressedString(seg.get("counts").asText(), H, W).decode();
          int count = 0;
          int x0 = W;
          int y0 = H;
          int x1 = -1;
          int y1 = -1;
          int[] own = owner.computeIfAbsent(a.get("video_id").asInt() + "/" + t, k -> new int[H * W]);
          for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
              if (mask[y * W + x] != 0) {
                count++;
                x0 = Math.min(x0, x);
                y0 = Math.min(y0, y);
                x1 = Math.max(x1, x);
                y1 = Math.max(y1, y);
                assertEquals(0, own[y * W + x], "overlapping masks at frame " + t);
                own[y * W + x] = a.get("id").asInt();
              }
            }
          }
          assertTrue(count >= LabelFrame.MIN_VISIBLE_PIXELS, "tiny mask kept, frame " + t);
          assertEquals(count, areas.get(t).asDouble(), 0.0);
          double[] box = new double[4];
          for (int k = 0; k < 4; k++) {
            box[k] = boxes.get(t).get(k).asDouble();
          }
          assertArrayEquals(new double[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1}, box, 0.0);
        }
        assertTrue(present > 0, "an annotation without any mask");
      }
    }
    if (preset != SynthPreset.EASY) {
      assertTrue(nulls > 0, "no absent frame at all in " + preset);
    }
  }
}
