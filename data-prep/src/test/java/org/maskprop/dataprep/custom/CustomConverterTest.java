package org.maskprop.dataprep.custom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Category;
import org.maskprop.dataprep.ytvis.SplitManifest;
import org.maskprop.dataprep.ytvis.VideoSplitter;
import org.maskprop.dataprep.ytvis.YtvisImport;
import org.maskprop.dataprep.ytvis.YtvisValidator;
import org.maskprop.dataprep.ytvis.YtvisVersion;

class CustomConverterTest {
  @TempDir Path tmp;

  private CustomConverter.Result run(Path in, Path vocab, Path out) {
    return CustomConverter.run(new CustomConverter.Options(in, in.resolve("categories.csv"), vocab,
        out, "train"), false);
  }

  /** The tight box of instance {@code id}, computed from the id array (not from the RLE). */
  private static double[] tightBox(int[] ids, int id) {
    int x0 = Integer.MAX_VALUE;
    int y0 = Integer.MAX_VALUE;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < CustomTree.H; y++) {
      for (int x = 0; x < CustomTree.W; x++) {
        if (ids[y * CustomTree.W + x] == id) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    return new double[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
  }

  private static void checkTrack(Annotation a, IntFunction<int[]> frames, int frameCount, int id) {
    for (int f = 0; f < frameCount; f++) {
      int[] ids = frames.apply(f);
      byte[] expected = new byte[ids.length];
      int area = 0;
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] == id) {
          expected[i] = 1;
          area++;
        }
      }
      Rle r = a.segmentations().get(f);
      if (area == 0) {
        assertNull(r, "frame " + f);
        assertNull(a.areas().get(f));
        assertNull(a.bboxes().get(f));
        continue;
      }
      assertEquals(CustomTree.H, r.height());
      assertEquals(CustomTree.W, r.width());
      assertArrayEquals(expected, r.decode(), "frame " + f);
      assertEquals(area, a.areas().get(f));
      assertArrayEquals(tightBox(ids, id), a.bboxes().get(f), "frame " + f);
    }
  }

  @Test
  void masksBecomeRleTracksWithAreasAndBoxes() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    CustomConverter.Result r = run(in, null, out);
    YtvisDataset d = r.dataset();
    // vocabulary from the CSV's names, sorted
    assertEquals(List.of(new Category(1, "dog", null), new Category(2, "duck", null),
        new Category(3, "person", null)), d.categories());
    // videos in natural folder order, frames in natural order (f2 before f10)
    assertEquals(2, d.videos().size());
    assertEquals(List.of("swim/f2.png", "swim/f10.png"), d.videos().get(0).fileNames());
    assertEquals(List.of("walk/00000.jpg", "walk/00001.jpg", "walk/00002.jpg"),
        d.videos().get(1).fileNames());
    assertEquals(CustomTree.W, d.videos().get(1).width());
    assertEquals(CustomTree.H, d.videos().get(1).height());
    // annotations: (swim, 5) duck, (walk, 1) person, (walk, 2) dog
    assertEquals(3, d.annotations().size());
    Annotation swim5 = d.annotations().get(0);
    Annotation walk1 = d.annotations().get(1);
    Annotation walk2 = d.annotations().get(2);
    assertEquals(List.of(1, 2, 2), List.of(swim5.videoId(), walk1.videoId(), walk2.videoId()));
    assertEquals(List.of(2, 3, 1), List.of(swim5.categoryId(), walk1.categoryId(), walk2.categoryId()));
    assertEquals(List.of(1, 2, 3), List.of(swim5.id(), walk1.id(), walk2.id()));
    checkTrack(swim5, CustomTree::swim, 2, 5);
    checkTrack(walk1, CustomTree::walk, 3, 1);
    checkTrack(walk2, CustomTree::walk, 3, 2);
    assertEquals(6.0, swim5.areas().get(0)); // 2x3 box, by hand
    assertEquals(5.0, walk2.areas().get(1)); // the L shape
    assertArrayEquals(new double[] {9, 7, 1, 1}, swim5.bboxes().get(1));

    // written JSON reads back equal, with its frames, through the manifest and the link
    assertEquals(d, YtvisDataset.read(r.json(), in.resolve("JPEGImages")));
    SplitManifest m = SplitManifest.read(out.resolve("splits.yaml"));
    assertEquals(in.resolve("JPEGImages").toAbsolutePath().normalize(), m.split("train").imageRoot());
    assertTrue(r.linked());
    assertEquals(d, YtvisDataset.read(out.resolve("train.json"), out.resolve("train/JPEGImages")));
    assertTrue(Files.readString(out.resolve("stats.md")).contains("| instances: duck | 1 |"));

    // the CSV row for swim instance 7 is unused: a warning naming the line
    assertEquals(1, r.warnings().size());
    assertTrue(r.warnings().get(0).contains("categories.csv, line 7: video swim, instance 7 appears"
        + " in no mask"), r.warnings().get(0));
  }

  @Test
  void categoryIdsFromACategoryListOrAYoutubeVisJson() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    Path list = tmp.resolve("cats.csv");
    Files.writeString(list, "id,name,supercategory\n7,person,human\n3,duck,animal\n4,dog,animal\n9,owl,\n");
    YtvisDataset d = run(in, list, tmp.resolve("o1")).dataset();
    assertEquals(List.of(3, 7, 4),
        d.annotations().stream().map(Annotation::categoryId).toList());
    assertEquals(List.of(new Category(3, "duck", "animal"), new Category(4, "dog", "animal"),
        new Category(7, "person", "human"), new Category(9, "owl", null)), d.categories());
    Path json = tmp.resolve("vocab.json");
    new YtvisDataset(null, null, null, List.of(), List.of(new Category(11, "dog", null),
        new Category(12, "duck", null), new Category(13, "person", null)), List.of()).write(json);
    YtvisDataset e = run(in, json, tmp.resolve("o2")).dataset();
    assertEquals(List.of(12, 13, 11), e.annotations().stream().map(Annotation::categoryId).toList());
  }

  @Test
  void convertedDataSplitsLikeAYoutubeVis2019Root() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    Path conv = tmp.resolve("conv");
    run(in, null, conv);
    YtvisImport.Result r = YtvisImport.run(new YtvisImport.Options(conv, null, tmp.resolve("split"),
        new VideoSplitter.Fractions(0.5, 0), 0, YtvisValidator.FrameCheck.ALL_SIZES));
    assertEquals(YtvisVersion.V2019, r.version());
    assertEquals(1, r.splits().get("valid").videos().size());
    // the image root is the link's target, resolved: the frames under in/JPEGImages
    Path images = r.manifest().split("valid").imageRoot();
    YtvisDataset.read(tmp.resolve("split/valid.json"), images);
    assertEquals(in.resolve("JPEGImages").toRealPath(), images.toRealPath());
  }

  // ---------------------------------------------------------------- errors

  private String error(Path in) {
    return assertThrows(InputException.class, () -> run(in, null, tmp.resolve("out-err")))
        .getMessage();
  }

  @Test
  void maskAndFrameSizeMismatch() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    Path mask = in.resolve("Annotations/walk/00001.png");
    CustomTree.writeIndexed(mask, 9, 8, new int[72], 8);
    String msg = error(in);
    assertEquals(mask + ": video walk, frame 1: mask is 9x8 (WxH) but frame "
        + in.resolve("JPEGImages/walk/00001.jpg") + " is 10x8 (WxH)", msg);
    assertTrue(!Files.exists(tmp.resolve("out-err")), "nothing written on error");
  }

  @Test
  void framesOfOneVideoWithDifferentSizes() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    CustomTree.writeFrame(in.resolve("JPEGImages/walk/00002.jpg"), 10, 9, "jpg");
    String msg = error(in);
    assertTrue(msg.startsWith(in.resolve("JPEGImages/walk/00002.jpg") + ": video walk, frame 2:"
        + " frame is 10x9 (WxH) but "), msg);
  }

  @Test
  void missingMaskAndMissingFrame() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    Files.delete(in.resolve("Annotations/walk/00001.png"));
    assertEquals(in.resolve("JPEGImages/walk/00001.jpg") + ": video walk, frame 1: missing mask "
        + in.resolve("Annotations/walk/00001.png"), error(in));
    Path in2 = CustomTree.write(tmp.resolve("in2"));
    CustomTree.writeIndexed(in2.resolve("Annotations/walk/00003.png"), 10, 8, new int[80], 8);
    assertTrue(error(in2).startsWith(in2.resolve("Annotations/walk/00003.png")
        + ": video walk: mask without a frame"), error(in2));
  }

  @Test
  void missingVideoFolders() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    Files.createDirectories(in.resolve("JPEGImages/ride"));
    assertTrue(error(in).contains("video ride has no " + in.resolve("Annotations/ride")
        + " folder (missing masks)"), error(in));
    Path in2 = CustomTree.write(tmp.resolve("in2"));
    Files.createDirectories(in2.resolve("Annotations/ride"));
    assertTrue(error(in2).contains("masks for video ride but no " + in2.resolve("JPEGImages/ride")
        + " folder (missing frames)"), error(in2));
    Path in3 = tmp.resolve("in3");
    Files.createDirectories(in3.resolve("JPEGImages"));
    Files.writeString(in3.resolve("categories.csv"), "video,instance,category\n");
    assertTrue(error(in3).contains("no Annotations folder"), error(in3));
  }

  @Test
  void instanceWithoutCategoryAndRowForAMissingVideo() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    Files.writeString(in.resolve("categories.csv"), "video,instance,category\nwalk,1,person\nswim,5,duck\n");
    assertEquals(in.resolve("Annotations/walk/00001.png") + ": video walk, frame 1: instance id 2"
        + " has no category (no row 'walk,2,<category>' in " + in.resolve("categories.csv") + ")",
        error(in));
    Files.writeString(in.resolve("categories.csv"),
        "video,instance,category\nwalk,1,person\nwalk,2,dog\nswim,5,duck\nnope,1,dog\n");
    assertEquals(in.resolve("categories.csv") + ", line 5: video nope has no folder "
        + in.resolve("JPEGImages/nope"), error(in));
  }

  @Test
  void unknownCategoryAndBadCsvRows() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    Path list = tmp.resolve("cats.csv");
    Files.writeString(list, "id,name\n1,person\n2,dog\n");
    InputException unknown = assertThrows(InputException.class, () -> run(in, list, tmp.resolve("o")));
    assertEquals(in.resolve("categories.csv") + ", line 6, video swim, instance 5: unknown"
        + " category 'duck' (not in the category list)", unknown.getMessage());
    Path csv = in.resolve("categories.csv");
    Files.writeString(csv, "video;instance;category\n");
    assertTrue(error(in).contains("line 1: expected the header video,instance,category"), error(in));
    Files.writeString(csv, "video,instance,category\nwalk,one,person\n");
    assertEquals(csv + ", line 2, video walk: instance 'one' is not a mask pixel value >= 1",
        error(in));
    Files.writeString(csv, "video,instance,category\nwalk,1,person\nwalk,1,dog\n");
    assertEquals(csv + ", line 3, video walk, instance 1: repeats line 2", error(in));
    Files.writeString(csv, "video,instance,category\nwalk,1\n");
    assertTrue(error(in).contains("line 2: expected video,instance,category"), error(in));
    Files.writeString(list, "id,name\n1,person\n1,dog\n");
    assertEquals(list + ", line 3: category id 1 repeats line 2",
        assertThrows(InputException.class, () -> InstanceCategories.readVocabulary(list)).getMessage());
  }

  @Test
  void rgbMaskIsRefused() throws Exception {
    Path in = CustomTree.write(tmp.resolve("in"));
    CustomTree.writeRgb(in.resolve("Annotations/swim/f10.png"), 10, 8);
    assertTrue(error(in).startsWith(in.resolve("Annotations/swim/f10.png") + ": mask has 3 channels"),
        error(in));
  }

  @Test
  void naturalOrder() {
    List<String> names = new ArrayList<>(List.of("f10", "f2", "f02b", "g1", "f1", "f"));
    names.sort(CustomConverter.NATURAL);
    assertEquals(List.of("f", "f1", "f2", "f02b", "f10", "g1"), names);
  }
}
