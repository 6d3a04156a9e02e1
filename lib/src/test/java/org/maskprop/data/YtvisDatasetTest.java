package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskprop.InputException;

class YtvisDatasetTest {
  static final ObjectMapper M = new ObjectMapper();

  @TempDir Path dir;

  /**
   * Two videos (1: 2x3, 2 frames; 2: 4x4, 3 frames), two categories, two annotations: 10 on video
   * 1 (frame 0 the mask "231" = rows [0 1 1], [0 1 0]; frame 1 absent) and 11 on video 2 (crowd,
   * uncompressed counts, no bboxes, no height/width).
   */
  static ObjectNode base() throws Exception {
    return (ObjectNode) M.readTree("""
        {"info": {"description": "test"}, "licenses": [],
         "videos": [
           {"id": 1, "width": 3, "height": 2, "length": 2, "file_names": ["v1/0.jpg", "v1/1.jpg"]},
           {"id": 2, "width": 4, "height": 4, "length": 3,
            "file_names": ["v2/0.jpg", "v2/1.jpg", "v2/2.jpg"]}],
         "categories": [{"id": 1, "name": "person", "supercategory": "object"},
                        {"id": 2, "name": "cat"}],
         "annotations": [
           {"id": 10, "video_id": 1, "category_id": 1, "iscrowd": 0, "height": 2, "width": 3,
            "length": 2,
            "segmentations": [{"size": [2, 3], "counts": "231"}, null],
            "areas": [3, null], "bboxes": [[1.0, 0.0, 2.0, 2.0], null]},
           {"id": 11, "video_id": 2, "category_id": 2, "iscrowd": 1,
            "segmentations": [null, {"size": [4, 4], "counts": [5, 2, 9]}, {"size": [4, 4], "counts": [16]}],
            "areas": [null, 2, 0]}]}
        """);
  }

  Path write(ObjectNode json, String name) throws Exception {
    Path p = dir.resolve(name);
    M.writeValue(p.toFile(), json);
    return p;
  }

  /** Applies a change to the valid base file and returns the error message of reading it. */
  String errorOf(Consumer<ObjectNode> change) throws Exception {
    ObjectNode j = base();
    change.accept(j);
    Path p = write(j, "bad.json");
    InputException e = assertThrows(InputException.class, () -> YtvisDataset.read(p));
    String msg = e.getMessage();
    assertTrue(msg.startsWith(p.toString() + ": "), msg);
    assertTrue(!msg.contains("\n"), msg);
    return msg;
  }

  static ObjectNode ann(ObjectNode j, int i) {
    return (ObjectNode) j.get("annotations").get(i);
  }

  static ObjectNode video(ObjectNode j, int i) {
    return (ObjectNode) j.get("videos").get(i);
  }

  static void assertContains(String msg, String... parts) {
    for (String p : parts) {
      assertTrue(msg.contains(p), "'" + p + "' not in: " + msg);
    }
  }

  @Test
  void readsValidFileWithLookups() throws Exception {
    YtvisDataset d = YtvisDataset.read(write(base(), "ok.json"));
    assertEquals(2, d.videos().size());
    assertEquals(List.of("v2/0.jpg", "v2/1.jpg", "v2/2.jpg"), d.videoById(2).fileNames());
    assertNull(d.videoById(3));
    assertEquals("cat", d.categoryById(2).name());
    assertNull(d.categoryById(2).supercategory());
    assertEquals(1, d.annotationsOf(1).size());
    assertEquals(List.of(), d.annotationsOf(99));
    YtvisDataset.Annotation a = d.annotationsOf(1).get(0);
    assertArrayEquals(new byte[] {0, 1, 1, 0, 1, 0}, a.segmentations().get(0).decode());
    assertNull(a.segmentations().get(1));
    assertEquals(3.0, a.areas().get(0));
    YtvisDataset.Annotation crowd = d.annotationsOf(2).get(0);
    assertEquals(1, crowd.iscrowd());
    // height/width come from the video; bboxes from the masks (toBbox)
    assertEquals(4, crowd.height());
    assertEquals(4, crowd.width());
    assertNull(crowd.bboxes().get(0));
    assertArrayEquals(new double[] {1, 1, 1, 2}, crowd.bboxes().get(1));
    assertArrayEquals(new double[4], crowd.bboxes().get(2));
    assertEquals("test", d.info().get("description").asText());
  }

  @Test
  void roundTripIsEqualAndByteIdentical() throws Exception {
    YtvisDataset d = YtvisDataset.read(write(base(), "in.json"));
    Path a = dir.resolve("a.json");
    Path b = dir.resolve("b.json");
    d.write(a);
    YtvisDataset again = YtvisDataset.read(a);
    assertEquals(d, again);
    again.write(b);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    String text = Files.readString(a);
    // uncompressed counts are written compressed: [5, 2, 9] -> "529"; integral areas as integers
    assertContains(text, "\"counts\":\"529\"", "\"areas\":[null,2,0]", "\"supercategory\":null");
  }

  @Test
  void inMemoryDatasetWritesAndReads() throws Exception {
    YtvisDataset.Video v = new YtvisDataset.Video(5, 3, 2, 1, List.of("a/0.jpg"));
    YtvisDataset.Category c = new YtvisDataset.Category(1, "x", null);
    Rle r = Rle.encode(new byte[] {1, 0, 0, 0, 0, 1}, 2, 3);
    YtvisDataset.Annotation an = new YtvisDataset.Annotation(
        1, 5, 1, 0, 2, 3, List.of(r), List.of(2.5), List.of(r.toBbox()));
    YtvisDataset d = new YtvisDataset(null, null, null, List.of(v), List.of(c), List.of(an));
    Path p = dir.resolve("mem.json");
    d.write(p);
    YtvisDataset back = YtvisDataset.read(p);
    assertEquals(d, back);
    assertEquals(p, back.source());
    assertThrows(IllegalArgumentException.class,
        () -> new YtvisDataset(null, null, null, List.of(v, v), List.of(c), List.of()));
  }

  @Test
  void perFrameListLengths() throws Exception {
    String m = errorOf(j -> ((ArrayNode) ann(j, 0).get("areas")).add(5));
    assertContains(m, "annotation 10 (video 1)", "field areas", "3 entries but 2 segmentations");
    m = errorOf(j -> ((ArrayNode) ann(j, 0).get("bboxes")).remove(1));
    assertContains(m, "annotation 10 (video 1)", "field bboxes", "1 entries");
    m = errorOf(j -> {
      ((ArrayNode) ann(j, 1).get("segmentations")).addNull();
      ((ArrayNode) ann(j, 1).get("areas")).addNull();
    });
    assertContains(m, "annotation 11 (video 2)", "field segmentations", "4 entries but the video has 3 frames");
    m = errorOf(j -> video(j, 0).put("length", 3));
    assertContains(m, "video 1", "field length", "3 disagrees with the 2 file_names");
  }

  @Test
  void rleSizeDisagreesWithVideo() throws Exception {
    String m = errorOf(j -> ((ArrayNode) ann(j, 1).get("segmentations").get(2).get("size")).set(1, 2));
    // size [4, 2] with counts [16]: the RLE is inconsistent in itself, caught before the video check
    assertContains(m, "annotation 11 (video 2)", "frame 2", "segmentations[2].counts", "sum to 16");
    m = errorOf(j -> {
      ObjectNode seg = (ObjectNode) ann(j, 1).get("segmentations").get(2);
      seg.set("size", M.createArrayNode().add(2).add(8));
    });
    assertContains(m, "annotation 11 (video 2), frame 2, field segmentations[2].size: [2, 8] disagrees with the video's 4x4");
  }

  @Test
  void countsNotSummingAndMalformedStrings() throws Exception {
    String m = errorOf(j -> ((ObjectNode) ann(j, 0).get("segmentations").get(0)).put("counts", "232"));
    assertContains(m, "annotation 10 (video 1), frame 0, field segmentations[0].counts", "sum to 7");
    m = errorOf(j -> ((ObjectNode) ann(j, 0).get("segmentations").get(0)).put("counts", "2 31"));
    assertContains(m, "frame 0, field segmentations[0].counts", "invalid character ' ' at offset 1");
    m = errorOf(j -> ((ObjectNode) ann(j, 0).get("segmentations").get(0)).put("counts", "23P"));
    assertContains(m, "frame 0", "ends inside a value");
    m = errorOf(j -> ((ArrayNode) ann(j, 1).get("segmentations").get(1).get("counts")).set(1, -2));
    assertContains(m, "annotation 11 (video 2), frame 1, field segmentations[1].counts", "negative count");
    m = errorOf(j -> ((ObjectNode) ann(j, 0).get("segmentations").get(0)).remove("counts"));
    assertContains(m, "frame 0, field segmentations[0].counts: missing required field");
  }

  @Test
  void unknownCategoryAndVideo() throws Exception {
    String m = errorOf(j -> ann(j, 1).put("category_id", 7));
    assertContains(m, "annotation 11 (video 2), field category_id: unknown category 7");
    m = errorOf(j -> ann(j, 0).put("video_id", 9));
    assertContains(m, "annotation 10 (video 9), field video_id: unknown video 9");
  }

  @Test
  void duplicateIds() throws Exception {
    String m = errorOf(j -> video(j, 1).put("id", 1));
    assertContains(m, "video 1, field videos[1].id: duplicate id (also videos[0])");
    m = errorOf(j -> ((ObjectNode) j.get("categories").get(1)).put("id", 1));
    assertContains(m, "category 1, field categories[1].id: duplicate id");
    m = errorOf(j -> ann(j, 1).put("id", 10));
    assertContains(m, "annotation 10 (video 2), field annotations[1].id: duplicate id (also annotations[0])");
  }

  /**
   * Many annotations are converted on worker threads in batches: the file order is kept and the
   * first problem in file order is reported (a duplicate id before a later bad RLE, a bad RLE
   * before later malformed JSON).
   */
  @Test
  void longAnnotationListsKeepOrderAndFirstError() throws Exception {
    ObjectNode j = base();
    ArrayNode anns = (ArrayNode) j.get("annotations");
    ObjectNode template = (ObjectNode) anns.get(0);
    anns.removeAll();
    for (int i = 0; i < 300; i++) {
      anns.add(template.deepCopy().put("id", 100 + i));
    }
    YtvisDataset d = YtvisDataset.read(write(j, "long.json"));
    assertEquals(300, d.annotations().size());
    for (int i = 0; i < 300; i++) {
      assertEquals(100 + i, d.annotations().get(i).id());
    }
    ((ObjectNode) anns.get(70)).put("id", 105);
    ((ObjectNode) anns.get(200).get("segmentations").get(0)).put("counts", "2~1");
    String m = messageOf(() -> YtvisDataset.read(write(j, "dup.json")));
    assertContains(m, "annotation 105 (video 1), field annotations[70].id: duplicate id (also annotations[5])");
    ((ObjectNode) anns.get(70)).put("id", 170);
    m = messageOf(() -> YtvisDataset.read(write(j, "rle.json")));
    assertContains(m, "annotation 300 (video 1), frame 0, field segmentations[0].counts: RLE counts string has invalid character '~' at offset 1");
    Path p = write(j, "trunc.json");
    String text = Files.readString(p);
    Files.writeString(p, text.substring(0, text.indexOf("\"id\":380")) + "{{");
    m = messageOf(() -> YtvisDataset.read(p));
    assertContains(m, "annotation 300 (video 1), frame 0, field segmentations[0].counts");
  }

  /** The streaming fast path and the tree path read plain files identically. */
  @Test
  void fastAndTreePathsAgree() throws Exception {
    // the base file: optional fields absent, iscrowd as int, integer-list counts (tree path only)
    Path b = write(base(), "base.json");
    assertNull(YtvisDataset.readFast(b, null));
    // a written file with random masks, doubles in boxes and areas
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    List<YtvisDataset.Annotation> anns = new java.util.ArrayList<>();
    YtvisDataset d0 = YtvisDataset.read(b);
    for (int i = 0; i < 200; i++) {
      int video = 1 + rng.nextInt(2);
      int h = video == 1 ? 2 : 4;
      int w = video == 1 ? 3 : 4;
      List<Rle> segs = new java.util.ArrayList<>();
      List<Double> areas = new java.util.ArrayList<>();
      List<double[]> boxes = new java.util.ArrayList<>();
      for (int f = 0; f < (video == 1 ? 2 : 3); f++) {
        byte[] m = new byte[h * w];
        for (int k = 0; k < m.length; k++) {
          m[k] = (byte) (rng.nextInt(3) == 0 ? 1 : 0);
        }
        Rle r = rng.nextInt(4) == 0 ? null : Rle.encode(m, h, w);
        segs.add(r);
        areas.add(r == null ? null : rng.nextInt(2) == 0 ? (double) r.area() : rng.nextDouble() * 9);
        boxes.add(r == null ? null : new double[] {rng.nextDouble(), 0.5, 1, rng.nextInt(3)});
      }
      anns.add(new YtvisDataset.Annotation(1000 + i, video, 1 + rng.nextInt(2), rng.nextInt(2), h, w,
          segs, areas, boxes));
    }
    YtvisDataset d = new YtvisDataset(null, d0.info(), d0.licenses(), d0.videos(), d0.categories(), anns);
    Path p = dir.resolve("random.json");
    d.write(p);
    YtvisDataset fast = YtvisDataset.readFast(p, null);
    assertEquals(d, fast);
    assertEquals(YtvisDataset.readTrees(p, null), fast);
    // optional fields absent or null, boolean iscrowd, other key orders, extra keys
    Path q = dir.resolve("q.json");
    Files.writeString(q, """
        {"extra": [1, {"a": 2}], "annotations": [
           {"segmentations": [{"counts": "231", "z": 1, "size": [2, 3]}, null], "areas": [3, null],
            "iscrowd": true, "video_id": 1, "category_id": 2, "id": 7, "height": null,
            "bboxes": null, "note": "x"},
           {"id": 8, "video_id": 2, "category_id": 1, "segmentations": [null, null, null],
            "areas": [null, null, null], "bboxes": [null, null, null], "length": 3}],
         "categories": [{"id": 1, "name": "person"}, {"id": 2, "name": "cat", "supercategory": null}],
         "videos": [{"id": 1, "width": 3, "height": 2, "file_names": ["a", "b"]},
                    {"id": 2, "width": 4, "height": 4, "length": 3, "file_names": ["c", "d", "e"]}]}
        """);
    YtvisDataset f2 = YtvisDataset.readFast(q, null);
    assertEquals(YtvisDataset.readTrees(q, null), f2);
    assertEquals(1, f2.annotations().get(0).iscrowd());
    assertEquals(2, f2.annotations().get(0).height());
    assertArrayEquals(new double[] {1, 0, 2, 2}, f2.annotations().get(0).bboxes().get(0));
  }

  /** The message of the InputException an action throws. */
  static String messageOf(org.junit.jupiter.api.function.Executable a) {
    return assertThrows(InputException.class, a).getMessage();
  }

  @Test
  void missingFieldsAndWrongTypes() throws Exception {
    String m = errorOf(j -> ann(j, 0).remove("category_id"));
    assertContains(m, "annotation 10 (video 1), field category_id: missing required field");
    m = errorOf(j -> ann(j, 0).remove("areas"));
    assertContains(m, "annotation 10 (video 1), field areas: missing required field");
    m = errorOf(j -> video(j, 0).remove("file_names"));
    assertContains(m, "video 1, field file_names: missing required field");
    m = errorOf(j -> j.remove("categories"));
    assertContains(m, "field categories: missing required field");
    m = errorOf(j -> video(j, 1).put("width", "640"));
    assertContains(m, "video 2, field width: expected an integer, found string \"640\"");
    m = errorOf(j -> ann(j, 0).put("segmentations", "none"));
    assertContains(m, "annotation 10 (video 1), field segmentations: expected an array");
    m = errorOf(j -> ((ArrayNode) ann(j, 0).get("areas")).set(0, "3"));
    assertContains(m, "annotation 10 (video 1), frame 0, field areas[0]: expected a non-negative number");
    m = errorOf(j -> ((ArrayNode) ann(j, 0).get("bboxes")).set(0, M.createArrayNode().add(1).add(2)));
    assertContains(m, "annotation 10 (video 1), frame 0, field bboxes[0]: expected [x, y, w, h]");
    m = errorOf(j -> ((ArrayNode) ann(j, 0).get("bboxes")).set(0, M.createArrayNode().add(1).add(2).add(-1).add(2)));
    assertContains(m, "frame 0, field bboxes[0]: degenerate box");
    m = errorOf(j -> ((ArrayNode) ann(j, 0).get("segmentations")).set(0, 5));
    assertContains(m, "frame 0, field segmentations[0]: expected an RLE object or null");
    m = errorOf(j -> ann(j, 1).put("height", 5));
    assertContains(m, "annotation 11 (video 2), field height: 5 disagrees with the video's height 4");
  }

  @Test
  void malformedJsonAndMissingFile() throws Exception {
    Path p = dir.resolve("broken.json");
    Files.writeString(p, "{\"videos\": [ {\"id\": 1,, ] }");
    InputException e = assertThrows(InputException.class, () -> YtvisDataset.read(p));
    assertContains(e.getMessage(), p.toString(), "malformed JSON at line 1");
    Path none = dir.resolve("none.json");
    e = assertThrows(InputException.class, () -> YtvisDataset.read(none));
    assertContains(e.getMessage(), none.toString(), "file not found");
    Path arr = dir.resolve("array.json");
    Files.writeString(arr, "[]");
    e = assertThrows(InputException.class, () -> YtvisDataset.read(arr));
    assertContains(e.getMessage(), "top level must be a JSON object");
  }

  @Test
  void frameFilesUnderImageRoot() throws Exception {
    Path json = write(base(), "frames.json");
    Path root = dir.resolve("JPEGImages");
    for (String f : List.of("v1/0.jpg", "v1/1.jpg", "v2/0.jpg", "v2/1.jpg", "v2/2.jpg")) {
      Files.createDirectories(root.resolve(f).getParent());
      Files.writeString(root.resolve(f), "x");
    }
    assertEquals(2, YtvisDataset.read(json, root).videos().size());
    Files.delete(root.resolve("v2/1.jpg"));
    InputException e = assertThrows(InputException.class, () -> YtvisDataset.read(json, root));
    assertContains(e.getMessage(), json.toString(), "video 2, frame 1, field file_names[1]",
        root.resolve("v2/1.jpg").toString(), "does not exist");
  }

  @ParameterizedTest
  @ValueSource(strings = {"small-random", "medium-random", "crowd-random"})
  void readsSharedExamplesAndRoundTrips(String example) throws Exception {
    Path src = Path.of(getClass().getResource("/ytvis-eval-examples/" + example + "/gt.json").toURI());
    YtvisDataset d = YtvisDataset.read(src);
    assertTrue(d.annotations().size() > 5);
    for (YtvisDataset.Annotation a : d.annotations()) {
      YtvisDataset.Video v = d.videoById(a.videoId());
      assertEquals(v.length(), a.segmentations().size());
      for (int f = 0; f < v.length(); f++) {
        Rle r = a.segmentations().get(f);
        if (r != null) {
          assertEquals(a.areas().get(f), (double) r.area());
          assertArrayEquals(a.bboxes().get(f), r.toBbox());
        }
      }
    }
    Path out = dir.resolve("copy.json");
    d.write(out);
    assertEquals(d, YtvisDataset.read(out));
  }
}
