package org.maskprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.cli.CliRun.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.data.YtvisResults;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.train.Checkpointer;
import org.maskprop.train.OwnedSgd;
import org.maskprop.train.TrainState;
import org.maskprop.train.TrainingHook;

/**
 * {@code maskprop predict} on a one-video split (3 frames of 48 x 60, resized to the cpu-tiny
 * preset's 64 x 80 for the model) with an untrained cpu-tiny checkpoint.
 */
class PredictCommandTest {
  static final List<String> SETS = List.of("rpn.anchorSizes=[8, 16, 32, 64, 128]",
      "rpn.preNmsTopN.test=100", "rpn.postNmsTopN.test=30", "backbone.fpnChannels=16",
      "infer.clipLength=3", "infer.scoreThreshold=0", "infer.maskThreshold=0.05");

  @TempDir Path dir;

  static List<String> withSets(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    for (String s : SETS) {
      all.add("--set");
      all.add(s);
    }
    return all;
  }

  void writeSplit(Path data) throws Exception {
    Path frames = Files.createDirectories(data.resolve("valid/JPEGImages/v"));
    for (int f = 0; f < 3; f++) {
      BufferedImage image = new BufferedImage(60, 48, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = image.createGraphics();
      g.setColor(new Color(50, 50, 60));
      g.fillRect(0, 0, 60, 48);
      g.setColor(new Color(230, 70, 40));
      g.fillRect(10 + 3 * f, 12, 18, 16);
      g.dispose();
      ImageIO.write(image, "png", frames.resolve(f + ".png").toFile());
    }
    StringBuilder cats = new StringBuilder();
    for (int c = 1; c <= 8; c++) {
      cats.append(c > 1 ? "," : "").append("{\"id\":").append(c).append(",\"name\":\"c").append(c)
          .append("\",\"supercategory\":\"s\"}");
    }
    String json = "{\"info\":{},\"licenses\":[],\"videos\":[{\"id\":5,\"width\":60,\"height\":48,\"length\":3,"
        + "\"file_names\":[\"v/0.png\",\"v/1.png\",\"v/2.png\"]}],\"categories\":[" + cats
        + "],\"annotations\":[]}";
    Files.writeString(data.resolve("valid.json"), json, StandardCharsets.UTF_8);
  }

  Path writeCheckpoint() {
    MaskPropConfig cfg = MaskPropConfig.fromPreset("cpu-tiny", SETS);
    Path run = dir.resolve("run");
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(cfg, m, 64, 64);
      OwnedSgd sgd = new OwnedSgd(0.9, 0, m);
      // one step with lr 0 so that the optimizer holds a buffer, as after real training (the
      // Checkpointer cannot decode the empty optimizer list of a never-stepped run)
      var first = model.getParameters().get(0);
      NDArray w = first.getValue().getArray();
      sgd.update(first.getKey(), w, w.zerosLike(), 0.0);
      TrainState state = new TrainState() {
        @Override
        public Block block() {
          return model;
        }

        @Override
        public OwnedSgd optimizer() {
          return sgd;
        }

        @Override
        public List<TrainingHook> hooks() {
          return List.of();
        }
      };
      return new Checkpointer(run, cfg.hash(), cfg.seed(), 1).save(state, 0, true);
    }
  }

  @Test
  void writesResultsThatReadBackAgainstTheSplit() throws Exception {
    Path data = dir.resolve("data");
    writeSplit(data);
    Path ck = writeCheckpoint();
    Path out = dir.resolve("results.json");
    CliRun r = run(withSets("predict", "--checkpoint", ck.getParent().toString(), "--data", data.toString(),
        "--split", "valid", "--out", out.toString()).toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    YtvisDataset gt = YtvisDataset.read(data.resolve("valid.json"));
    List<YtvisResult> results = YtvisResults.read(out, gt, false); // strict: one slot per frame
    assertFalse(results.isEmpty(), "threshold 0: the untrained detector's instances are written");
    for (YtvisResult res : results) {
      assertEquals(5, res.videoId());
      assertTrue(res.categoryId() >= 1 && res.categoryId() <= 8);
      assertEquals(3, res.segmentations().size());
      for (Rle m : res.segmentations()) {
        if (m != null) {
          assertEquals(48, m.height()); // the video's own size, not the model's 64 x 80
          assertEquals(60, m.width());
        }
      }
    }
  }

  @Test
  void missingCheckpointIsAnInputError() throws Exception {
    Path data = dir.resolve("data");
    writeSplit(data);
    CliRun r = run(withSets("predict", "--checkpoint", dir.resolve("nope.ckpt").toString(), "--data",
        data.toString(), "--out", dir.resolve("r.json").toString()).toArray(String[]::new));
    assertEquals(MaskPropCli.EXIT_INPUT, r.code());
    assertTrue(r.err().contains("nope.ckpt"), r.err());
    assertFalse(Files.exists(dir.resolve("r.json")));
  }
}
