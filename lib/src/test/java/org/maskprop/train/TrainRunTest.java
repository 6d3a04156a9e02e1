package org.maskprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;

/**
 * {@link TrainRun}: data paths and their error, the resume key, the flattened params, and a
 * two-iteration cpu-tiny run on a hand-made one-video dataset resumed to three.
 */
class TrainRunTest {
  static final int H = 48;
  static final int W = 64;

  @TempDir Path tmp;

  static MaskPropConfig config(Path root, int iterations, String... extra) {
    List<String> sets = new ArrayList<>(List.of("data.root=" + root, "data.numClasses=1", "data.minSize=48",
        "data.maxSize=64", "train.scales=[48]", "rpn.anchorSizes=[8, 16, 32, 64, 128]",
        "rpn.preNmsTopN.train=100", "rpn.postNmsTopN.train=30", "rpn.batchSizePerImage=64",
        "roiHeads.batchSizePerImage=32", "backbone.fpnChannels=16", "train.checkpointPeriod=1",
        "train.iterations=" + iterations));
    sets.addAll(List.of(extra));
    return MaskPropConfig.fromPreset("cpu-tiny", sets);
  }

  /** One video of 3 frames: a white 16 x 12 box moving right 4 px per frame on grey (category 1). */
  static void writeDataset(Path root) throws Exception {
    List<String> names = new ArrayList<>();
    List<Rle> segs = new ArrayList<>();
    List<Double> areas = new ArrayList<>();
    List<double[]> boxes = new ArrayList<>();
    for (int f = 0; f < 3; f++) {
      int x0 = 10 + 4 * f;
      int y0 = 14;
      BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = img.createGraphics();
      g.setColor(Color.GRAY);
      g.fillRect(0, 0, W, H);
      g.setColor(Color.WHITE);
      g.fillRect(x0, y0, 16, 12);
      g.dispose();
      String name = String.format("v1/%05d.png", f);
      Path p = root.resolve("train/JPEGImages").resolve(name);
      Files.createDirectories(p.getParent());
      ImageIO.write(img, "png", p.toFile());
      names.add(name);
      byte[] m = new byte[H * W];
      for (int y = y0; y < y0 + 12; y++) {
        for (int x = x0; x < x0 + 16; x++) {
          m[y * W + x] = 1;
        }
      }
      Rle r = Rle.encode(m, H, W);
      segs.add(r);
      areas.add((double) r.area());
      boxes.add(r.toBbox());
    }
    YtvisDataset.Video v = new YtvisDataset.Video(1, W, H, 3, names);
    new YtvisDataset(null, null, null, List.of(v), List.of(new YtvisDataset.Category(1, "box", null)),
        List.of(new YtvisDataset.Annotation(1, 1, 1, 0, H, W, segs, areas, boxes))).write(root.resolve("train.json"));
  }

  @Test
  void missingSplitOrFramesNameThePathAndHowToGenerateData() throws Exception {
    Path root = tmp.resolve("d");
    InputException noJson = assertThrows(InputException.class, () -> TrainRun.TrainData.of(config(root, 2).data()));
    assertTrue(noJson.getMessage().contains(root.resolve("train.json").toString()), noJson.getMessage());
    assertTrue(noJson.getMessage().contains("bin/maskprop synth --out " + root), noJson.getMessage());
    Files.createDirectories(root);
    Files.writeString(root.resolve("train.json"), "{}");
    InputException noFrames = assertThrows(InputException.class, () -> TrainRun.TrainData.of(config(root, 2).data()));
    assertTrue(noFrames.getMessage().contains(root.resolve("train/JPEGImages").toString()), noFrames.getMessage());
  }

  @Test
  void resumeKeyIgnoresTheIterationCountOnly() {
    Path root = tmp.resolve("d");
    assertEquals(TrainRun.resumeKey(config(root, 4)), TrainRun.resumeKey(config(root, 6)));
    assertNotEquals(config(root, 4).hash(), config(root, 6).hash());
    assertNotEquals(TrainRun.resumeKey(config(root, 4)), TrainRun.resumeKey(config(root, 4, "train.baseLr=0.02")));
  }

  @Test
  void flattenGivesDottedLeavesWithListsAsFlowYaml() {
    Map<String, String> p = config(tmp, 7).flatten();
    assertEquals("7", p.get("train.iterations"));
    assertEquals("[48]", p.get("train.scales"));
    assertEquals("null", p.get("data.imageRoot"));
    assertEquals("cpu-tiny", p.get("preset"));
    assertEquals("100", p.get("rpn.preNmsTopN.train"));
  }

  @Test
  void runsAndResumesAtTheNextIteration() throws Exception {
    Path root = tmp.resolve("d");
    writeDataset(root);
    Path run = tmp.resolve("run");
    TrainRun.Result first = TrainRun.run(config(root, 2), run, false, null);
    assertEquals(0, first.startIteration());
    assertEquals(2, first.iterations());
    assertTrue(Float.isFinite(first.lastTotal()));
    assertEquals(config(root, 2).toYaml(), Files.readString(run.resolve(TrainRun.CONFIG_FILE)));
    assertEquals(Checkpointer.FINAL, Files.readString(run.resolve(Checkpointer.POINTER)).trim());
    assertTrue(Files.isRegularFile(run.resolve(Checkpointer.fileName(0))));
    // the categories, so that inference on raw videos needs no dataset
    assertEquals(List.of(new YtvisDataset.Category(1, "box", null)),
        YtvisDataset.read(run.resolve(TrainRun.CATEGORIES_FILE)).categories());
    // what inference reads back from the run folder alone
    MaskPropConfig resolved = TrainedModel.resolveConfig(run, null, null, List.of());
    assertEquals(config(root, 2).toYaml(), resolved.toYaml());
    assertEquals(5, TrainedModel.resolveConfig(run, null, null, List.of("infer.clipLength=5")).infer().clipLength());
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      TrainedModel tm = TrainedModel.load(run, resolved, m);
      assertEquals(List.of(new YtvisDataset.Category(1, "box", null)), tm.categories().orElseThrow());
      assertEquals(run, tm.runDir());
    }

    assertThrows(InputException.class, () -> TrainRun.run(config(root, 2), run, false, null)); // no overwrite
    InputException other = assertThrows(InputException.class,
        () -> TrainRun.run(config(root, 3, "train.baseLr=0.02"), run, true, null));
    assertTrue(other.getMessage().contains("config hash"), other.getMessage());

    TrainRun.Result resumed = TrainRun.run(config(root, 3), run, true, null);
    assertEquals(2, resumed.startIteration());
    assertEquals(1, resumed.iterations());
    assertTrue(Files.readString(run.resolve(TrainRun.CONFIG_FILE)).contains("iterations: 3"));
  }
}
