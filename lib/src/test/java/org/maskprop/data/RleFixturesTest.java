package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RLE strings written by pycocotools (the shared YouTube-VIS examples): decoding and re-encoding
 * must give the identical string, and the GT's areas and boxes (computed by pycocotools) must equal
 * ours.
 */
class RleFixturesTest {

  static JsonNode load(String name) throws Exception {
    try (InputStream in = RleFixturesTest.class.getResourceAsStream("/ytvis-eval-examples/" + name)) {
      return new ObjectMapper().readTree(in);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"small-random", "medium-random", "crowd-random"})
  void gtStringsAreasAndBoxesMatchPycocotools(String example) throws Exception {
    JsonNode gt = load(example + "/gt.json");
    int checked = 0;
    for (JsonNode ann : gt.get("annotations")) {
      JsonNode segs = ann.get("segmentations");
      for (int f = 0; f < segs.size(); f++) {
        JsonNode seg = segs.get(f);
        if (seg.isNull()) {
          assertTrue(ann.get("areas").get(f).isNull() && ann.get("bboxes").get(f).isNull());
          continue;
        }
        int h = seg.get("size").get(0).asInt();
        int w = seg.get("size").get(1).asInt();
        String s = seg.get("counts").asText();
        Rle r = Rle.fromCompressedString(s, h, w);
        Rle again = Rle.encode(r.decode(), h, w);
        assertEquals(s, again.toCompressedString(), "annotation " + ann.get("id") + " frame " + f);
        assertEquals(ann.get("areas").get(f).asDouble(), r.area(), "area, frame " + f);
        JsonNode b = ann.get("bboxes").get(f);
        double[] expected = {b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()};
        assertArrayEquals(expected, r.toBbox(), "bbox, annotation " + ann.get("id") + " frame " + f);
        checked++;
      }
    }
    assertTrue(checked > 20, "only " + checked + " masks checked");
  }

  @ParameterizedTest
  @ValueSource(strings = {"small-random", "medium-random", "crowd-random"})
  void resultStringsRoundTrip(String example) throws Exception {
    JsonNode res = load(example + "/results.json");
    int checked = 0;
    for (JsonNode r : res) {
      for (JsonNode seg : r.get("segmentations")) {
        if (seg.isNull()) {
          continue;
        }
        int h = seg.get("size").get(0).asInt();
        int w = seg.get("size").get(1).asInt();
        String s = seg.get("counts").asText();
        Rle rle = Rle.fromCompressedString(s, h, w);
        assertEquals(s, Rle.encode(rle.decode(), h, w).toCompressedString());
        checked++;
      }
    }
    assertTrue(checked > 20);
  }
}
