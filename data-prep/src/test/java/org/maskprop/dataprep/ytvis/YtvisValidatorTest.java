package org.maskprop.dataprep.ytvis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Video;
import org.maskprop.dataprep.ytvis.ValidationReport.Issue;
import org.maskprop.dataprep.ytvis.ValidationReport.Severity;
import org.maskprop.dataprep.ytvis.YtvisValidator.FrameCheck;

class YtvisValidatorTest {
  @TempDir Path tmp;

  @Test
  void consistentDownloadHasNoIssues() throws Exception {
    FakeYtvis.tree(tmp, YtvisVersion.V2019, 5, 0);
    ValidationReport r = YtvisValidator.validate(tmp.resolve("train.json"),
        tmp.resolve("train/JPEGImages"), FrameCheck.ALL_SIZES);
    assertTrue(r.ok());
    assertEquals(List.of(), r.issues());
    assertEquals(5, r.dataset().videos().size());
    assertTrue(r.toText(10).contains("0 errors, 0 warnings"), r.toText(10));
  }

  @Test
  void missingFramesAreCountedPerVideoAcrossTheWholeSplit() throws Exception {
    FakeYtvis.tree(tmp, YtvisVersion.V2019, 5, 0);
    Path images = tmp.resolve("train/JPEGImages");
    // video 2 has 4 frames: drop frames 1 and 3; video 4 has 3 frames: drop frame 0
    Files.delete(images.resolve("v2/00001.jpg"));
    Files.delete(images.resolve("v2/00003.jpg"));
    Files.delete(images.resolve("v4/00000.jpg"));
    ValidationReport r = YtvisValidator.validate(tmp.resolve("train.json"), images,
        FrameCheck.EXISTS);
    assertFalse(r.ok());
    List<Issue> errors = r.issues().stream().filter(i -> i.severity() == Severity.ERROR).toList();
    assertEquals(2, errors.size(), r.toText(10));
    assertEquals("missing-frames", errors.get(0).kind());
    assertEquals(2, errors.get(0).videoId());
    assertTrue(errors.get(0).message().contains("video 2 (v2): 2 of 4 frame files missing"),
        errors.get(0).message());
    assertTrue(errors.get(0).message().contains("frames 1, 3;"), errors.get(0).message());
    assertEquals(4, errors.get(1).videoId());
    assertTrue(errors.get(1).message().contains("1 of 3 frame files missing"));
    assertEquals(Map.of("ERROR missing-frames", 2L), r.countsByKind());
    String one = r.toException().getMessage();
    assertFalse(one.contains("\n"));
    assertTrue(one.contains("2 errors (2 x missing-frames); first: "), one);
    assertTrue(one.contains("train.json"), one);
  }

  @Test
  void frameSizeAndUnreadableFrames() throws Exception {
    FakeYtvis.tree(tmp, YtvisVersion.V2019, 3, 0);
    Path images = tmp.resolve("train/JPEGImages");
    FakeYtvis.writeJpeg(images.resolve("v1/00000.jpg"), 9, 6); // first frame of video 1
    FakeYtvis.writeJpeg(images.resolve("v2/00002.jpg"), 8, 7); // last frame of video 2
    Files.writeString(images.resolve("v3/00001.jpg"), "not a jpeg");
    ValidationReport first = YtvisValidator.validate(tmp.resolve("train.json"), images,
        FrameCheck.FIRST_SIZE);
    assertEquals(List.of("frame-size"), first.issues().stream().map(Issue::kind).toList());
    assertTrue(first.issues().get(0).message().contains(
        "video 1 (v1), frame 0: image " + images.resolve("v1/00000.jpg") + " is 9x6 (WxH) but the"
            + " video's width x height is 8x6"), first.issues().get(0).message());
    ValidationReport all = YtvisValidator.validate(tmp.resolve("train.json"), images,
        FrameCheck.ALL_SIZES);
    assertEquals(List.of("frame-size", "frame-size", "unreadable-frame"),
        all.issues().stream().map(Issue::kind).toList());
    assertTrue(all.issues().get(1).message().contains("video 2 (v2), frame 2"));
    assertTrue(all.issues().get(2).message().contains("video 3 (v3), frame 1"));
    assertTrue(YtvisValidator.validate(tmp.resolve("train.json"), images, FrameCheck.EXISTS).ok());
  }

  @Test
  void missingImageRootIsOneError() throws Exception {
    FakeYtvis.tree(tmp, YtvisVersion.V2019, 2, 0);
    ValidationReport r = YtvisValidator.validate(tmp.resolve("train.json"), tmp.resolve("nope"),
        FrameCheck.EXISTS);
    assertEquals(1, r.issues().size());
    assertEquals("image-root", r.issues().get(0).kind());
  }

  @Test
  void unreadableJsonGivesTheReadersError() throws Exception {
    Path json = tmp.resolve("train.json");
    Files.writeString(json, "{\"videos\": [], \"categories\": [{\"id\": 1}]}");
    ValidationReport r = YtvisValidator.validate(json, null, FrameCheck.EXISTS);
    assertNull(r.dataset());
    assertFalse(r.ok());
    assertEquals("json", r.issues().get(0).kind());
    assertTrue(r.issues().get(0).message().contains("field name"), r.issues().get(0).message());
    assertEquals(r.issues().get(0).message(), r.toException().getMessage());
  }

  @Test
  void officialSplitWithNullAnnotationsReadsAsNoGt() throws Exception {
    // the official valid/test JSONs carry "annotations": null
    Path json = tmp.resolve("valid.json");
    Files.writeString(json, "{\"info\": null, \"videos\": [{\"id\": 3, \"width\": 8, \"height\": 6,"
        + " \"length\": 1, \"file_names\": [\"a/0.jpg\"]}], \"categories\": [{\"id\": 1,"
        + " \"name\": \"person\"}], \"annotations\": null}");
    FakeYtvis.writeJpeg(tmp.resolve("img/a/0.jpg"), 8, 6);
    ValidationReport r = YtvisValidator.validate(json, tmp.resolve("img"), FrameCheck.FIRST_SIZE);
    assertEquals(List.of(), r.issues());
    assertEquals(0, r.dataset().annotations().size());
    assertEquals(1, r.dataset().videos().size());
  }

  @Test
  void inconsistentAnnotationsAreWarnings() {
    YtvisDataset base = FakeYtvis.dataset(3, true);
    List<Annotation> anns = new ArrayList<>();
    for (Annotation a : base.annotations()) {
      List<Double> areas = new ArrayList<>(a.areas());
      List<double[]> boxes = new ArrayList<>(a.bboxes());
      List<Rle> segs = new ArrayList<>(a.segmentations());
      switch (a.id()) {
        case 1 -> areas.set(1, 5.0); // true area 4
        case 2 -> boxes.set(2, new double[] {0, 0, 8, 6});
        case 5 -> boxes.set(0, new double[] {1, 1, 1, 1}); // frame 0 of annotation 5 is null
        case 4 -> {
          for (int f = 0; f < segs.size(); f++) {
            segs.set(f, segs.get(f) == null ? null : Rle.empty(FakeYtvis.H, FakeYtvis.W));
            areas.set(f, segs.get(f) == null ? null : 0.0);
            boxes.set(f, segs.get(f) == null ? null : new double[4]);
          }
        }
        default -> { }
      }
      anns.add(new Annotation(a.id(), a.videoId(), a.categoryId(), 0, a.height(), a.width(), segs,
          areas, boxes));
    }
    List<Video> videos = new ArrayList<>(base.videos());
    videos.add(new Video(9, 8, 6, 1, List.of("v9/00000.jpg")));
    YtvisDataset d = new YtvisDataset(null, null, null, videos, base.categories(), anns);
    ValidationReport r = YtvisValidator.validate(d, Path.of("x.json"), null, FrameCheck.EXISTS);
    assertTrue(r.ok());
    assertEquals(Map.of("WARNING area-mismatch", 1L, "WARNING bbox-mismatch", 1L,
        "WARNING null-mismatch", 1L, "WARNING empty-track", 1L, "WARNING no-annotations", 1L),
        r.countsByKind(), r.toText(20));
    Issue area = r.issues().stream().filter(i -> i.kind().equals("area-mismatch")).findFirst()
        .orElseThrow();
    assertEquals(1, area.annotationId());
    assertTrue(area.message().contains("first: frame 1, areas 5.0 vs 4"), area.message());
    assertTrue(r.toText(20).contains("(frame files not checked)"));
  }
}
