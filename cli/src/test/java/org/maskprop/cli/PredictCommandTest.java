package org.maskprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.cli.CliRun.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.FrameSource;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.data.YtvisResults;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.train.Checkpointer;
import org.maskprop.train.OwnedSgd;
import org.maskprop.train.TrainRun;
import org.maskprop.train.TrainState;
import org.maskprop.train.TrainingHook;
import org.maskprop.util.AtomicFiles;

/**
 * {@code maskprop predict} with an untrained cpu-tiny checkpoint whose run folder holds what
 * training writes ({@code config.yaml}, {@code categories.json} with ids 11..18): dataset splits of
 * 3-frame videos of 48 x 60 (resized to the preset's size for the model), and a raw MP4.
 * Score threshold 0 so that the untrained detector's instances become tracks.
 */
class PredictCommandTest {
  static final List<String> SETS = List.of("rpn.anchorSizes=[8, 16, 32, 64, 128]",
      "rpn.preNmsTopN.test=100", "rpn.postNmsTopN.test=30", "backbone.fpnChannels=16",
      "infer.clipLength=3", "infer.scoreThreshold=0", "infer.maskThreshold=0.05");
  static final int H = 48;
  static final int W = 60;

  @TempDir Path dir;

  static List<YtvisDataset.Category> categories() {
    List<YtvisDataset.Category> cats = new ArrayList<>();
    for (int c = 1; c <= 8; c++) {
      cats.add(new YtvisDataset.Category(10 + c, "shape" + c, "s"));
    }
    return cats;
  }

  static BufferedImage frame(int f) {
    BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(50, 50, 60));
    g.fillRect(0, 0, W, H);
    g.setColor(new Color(230, 70, 40));
    g.fillRect(10 + 3 * f, 12, 18, 16);
    g.dispose();
    return image;
  }

  /**
   * A split {@code valid} of videos {@code ids} (3 frames each, in folders {@code folders}, of which
   * only the first {@code written} exist on disk); frame files with extension {@code ext}.
   */
  static YtvisDataset writeSplit(Path data, int[] ids, String[] folders, int written, String ext) throws Exception {
    List<YtvisDataset.Video> videos = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      List<String> names = new ArrayList<>();
      for (int f = 0; f < 3; f++) {
        String name = folders[i] + "/" + f + "." + ext;
        names.add(name);
        if (i < written) {
          Path p = data.resolve("valid/JPEGImages").resolve(name);
          Files.createDirectories(p.getParent());
          ImageIO.write(frame(f), ext.equals("jpg") ? "jpg" : "png", p.toFile());
        }
      }
      videos.add(new YtvisDataset.Video(ids[i], W, H, 3, names));
    }
    new YtvisDataset(null, null, null, videos, categories(), List.of()).write(data.resolve("valid.json"));
    return YtvisDataset.read(data.resolve("valid.json"));
  }

  /** An untrained cpu-tiny run folder as TrainRun leaves it; {@code withConfig} false: no config.yaml. */
  Path writeRun(boolean withConfig) {
    MaskPropConfig cfg = MaskPropConfig.fromPreset("cpu-tiny", SETS);
    Path run = dir.resolve(withConfig ? "run" : "bare-run");
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
      new Checkpointer(run, cfg.hash(), cfg.seed(), 1).save(state, 0, true);
    }
    if (withConfig) {
      AtomicFiles.writeString(run.resolve(TrainRun.CONFIG_FILE), cfg.toYaml());
      new YtvisDataset(null, null, null, List.of(), categories(), List.of())
          .write(run.resolve(TrainRun.CATEGORIES_FILE));
    }
    return run;
  }

  static void assertFrameSizedMasks(List<YtvisResult> results, int frames) {
    for (YtvisResult res : results) {
      assertTrue(res.categoryId() >= 11 && res.categoryId() <= 18, "category " + res.categoryId());
      assertEquals(frames, res.segmentations().size());
      for (Rle m : res.segmentations()) {
        if (m != null) {
          assertEquals(H, m.height()); // the video's own size, not the model's
          assertEquals(W, m.width());
        }
      }
    }
  }

  @Test
  void splitWithTheRunConfigOverlaysAndSubmission() throws Exception {
    Path data = dir.resolve("data");
    YtvisDataset gt = writeSplit(data, new int[] {5}, new String[] {"v"}, 1, "png");
    Path run = writeRun(true);
    Path out = dir.resolve("results.json");
    Path zip = dir.resolve("sub/submission.zip");
    Path overlay = dir.resolve("overlay");
    // no --preset/--config/--set: the run folder's config.yaml (with the test's sets) is used
    CliRun r = run("predict", "--checkpoint", run.toString(), "--data", data.toString(), "--split", "valid",
        "--method", "maskprop", "--out", out.toString(), "--submission", zip.toString(),
        "--overlay", overlay.toString(), "--overlay-frames", "2");
    assertEquals(0, r.code(), r.err());
    List<YtvisResult> results = YtvisResults.read(out, gt, false); // strict: one slot per frame
    assertFalse(results.isEmpty(), "threshold 0: the untrained detector's instances are written");
    results.forEach(res -> assertEquals(5, res.videoId()));
    assertFrameSizedMasks(results, 3);
    assertTrue(r.out().contains("predict (maskprop): 1 videos, " + results.size() + " results"), r.out());

    // the server's zip: results.json at the root, the results file byte for byte, nothing else
    try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
      ZipEntry e = z.getNextEntry();
      assertNotNull(e);
      assertEquals("results.json", e.getName());
      assertArrayEquals(Files.readAllBytes(out), z.readAllBytes());
      assertNull(z.getNextEntry());
    }

    // overlays: an MP4 of every frame and the first and last frame as PNG
    try (FrameSource mp4 = FrameSource.ofVideoFile(overlay.resolve("video_5.mp4"))) {
      assertEquals(3, mp4.frameCount());
      assertEquals(W, mp4.width());
      assertEquals(H, mp4.height());
    }
    try (var pngs = Files.list(overlay.resolve("video_5"))) {
      assertEquals(List.of("00000.png", "00002.png"), pngs.map(p -> p.getFileName().toString()).sorted().toList());
    }
    BufferedImage drawn = ImageIO.read(overlay.resolve("video_5/00000.png").toFile());
    assertEquals(W, drawn.getWidth());
    boolean changed = false;
    BufferedImage src = frame(0);
    for (int y = 0; y < H && !changed; y++) {
      for (int x = 0; x < W && !changed; x++) {
        changed = (drawn.getRGB(x, y) & 0xFFFFFF) != (src.getRGB(x, y) & 0xFFFFFF);
      }
    }
    assertTrue(changed, "instances are drawn over the frame");
  }

  @Test
  void corruptJpegIsNullInEveryTrackAndMissingFolderIsSkipped() throws Exception {
    Path data = dir.resolve("data");
    YtvisDataset gt = writeSplit(data, new int[] {5, 6}, new String[] {"v", "gone"}, 1, "jpg");
    Path bad = data.resolve("valid/JPEGImages/v/1.jpg");
    Files.write(bad, "not a jpeg at all".getBytes(StandardCharsets.UTF_8));
    Path out = dir.resolve("results.json");
    CliRun r = run("predict", "--checkpoint", writeRun(true).toString(), "--data", data.toString(),
        "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains(bad.toString()) && r.err().contains("frame 1"), r.err());
    assertTrue(r.err().contains("video 6 (gone)") && r.err().contains("skipped"), r.err());
    assertTrue(r.out().contains("2 warning(s), 1 video(s) skipped"), r.out());
    List<YtvisResult> results = YtvisResults.read(out, gt, false);
    assertFalse(results.isEmpty());
    assertFrameSizedMasks(results, 3);
    int nonNull = 0;
    for (YtvisResult res : results) {
      assertEquals(5, res.videoId(), "the missing video has no results");
      assertNull(res.segmentations().get(1), "the corrupt frame is null in every track");
      nonNull += (res.segmentations().get(0) != null ? 1 : 0) + (res.segmentations().get(2) != null ? 1 : 0);
    }
    assertTrue(nonNull > 0, "the good frames keep their masks");

    // nothing readable: exit 2, nothing written
    Path none = dir.resolve("none.json");
    CliRun r2 = run("predict", "--checkpoint", dir.resolve("run").toString(), "--data", data.toString(),
        "--only-video", "6", "--out", none.toString(), "--submission", dir.resolve("none.zip").toString());
    assertEquals(MaskPropCli.EXIT_INPUT, r2.code(), r2.err());
    assertTrue(r2.err().contains("no video could be read"), r2.err());
    assertFalse(Files.exists(none));
    assertFalse(Files.exists(dir.resolve("none.zip")));
  }

  @Test
  void rawMp4ResampledWithCategoriesFromTheRun() throws Exception {
    Path mp4 = dir.resolve("clip.mp4");
    try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(mp4.toFile(), W, H);
        Java2DFrameConverter conv = new Java2DFrameConverter()) {
      rec.setFormat("mp4");
      rec.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
      rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
      rec.setFrameRate(10);
      rec.setVideoBitrate(400_000);
      rec.start();
      for (int f = 0; f < 10; f++) {
        rec.record(conv.convert(frame(f)));
      }
      rec.stop();
    }
    Path out = dir.resolve("clip.json");
    Path overlay = dir.resolve("ov");
    CliRun r = run("predict", "--checkpoint", writeRun(true).resolve(Checkpointer.FINAL).toString(),
        "--video", mp4.toString(), "--video-id", "7", "--fps", "4", "--out", out.toString(),
        "--overlay", overlay.toString());
    assertEquals(0, r.code(), r.err());
    // 10 frames at 10 fps = 1 s; at 4 fps: frames at 0, 0.25, 0.5, 0.75 s
    YtvisDataset asSplit = new YtvisDataset(null, null, null,
        List.of(new YtvisDataset.Video(7, W, H, 4, List.of("a", "b", "c", "d"))), categories(), List.of());
    List<YtvisResult> results = YtvisResults.read(out, asSplit, false);
    assertFalse(results.isEmpty());
    results.forEach(res -> assertEquals(7, res.videoId()));
    assertFrameSizedMasks(results, 4);
    try (FrameSource video = FrameSource.ofVideoFile(overlay.resolve("video_7_clip.mp4"))) {
      assertEquals(4, video.frameCount());
      assertEquals(4.0, video.fps(), 1e-6);
    }
  }

  @Test
  void optionErrorsExitWithTwo() throws Exception {
    Path data = dir.resolve("data");
    writeSplit(data, new int[] {5}, new String[] {"v"}, 1, "png");
    Path run = writeRun(true);
    Path out = dir.resolve("r.json");
    CliRun unknown = run("predict", "--checkpoint", run.toString(), "--data", data.toString(), "--method", "nope",
        "--out", out.toString());
    assertEquals(MaskPropCli.EXIT_INPUT, unknown.code());
    assertTrue(unknown.err().contains("--method nope") && unknown.err().contains("maskprop"), unknown.err());

    CliRun both = run("predict", "--checkpoint", run.toString(), "--data", data.toString(), "--video",
        dir.resolve("x.mp4").toString(), "--out", out.toString());
    assertEquals(MaskPropCli.EXIT_INPUT, both.code());
    assertTrue(both.err().contains("mutually exclusive"), both.err());

    CliRun help = run("predict", "--help");
    assertTrue(help.out().contains("Video method: maskprop"), help.out()); // VideoMethods.names()

    CliRun missing = run("predict", "--checkpoint", dir.resolve("nope.ckpt").toString(), "--data", data.toString(),
        "--out", out.toString());
    assertEquals(MaskPropCli.EXIT_INPUT, missing.code());
    assertTrue(missing.err().contains("nope.ckpt: no such checkpoint"), missing.err());

    // a run folder without config.yaml needs the config named
    CliRun bare = run("predict", "--checkpoint", writeRun(false).toString(), "--data", data.toString(),
        "--out", out.toString());
    assertEquals(MaskPropCli.EXIT_INPUT, bare.code());
    assertTrue(bare.err().contains("config.yaml") && bare.err().contains("--preset"), bare.err());
    assertFalse(Files.exists(out));

    Path garbage = dir.resolve("garbage.mp4");
    Files.write(garbage, "not a video".getBytes(StandardCharsets.UTF_8));
    CliRun unreadable = run("predict", "--checkpoint", run.toString(), "--video", garbage.toString(),
        "--out", out.toString());
    assertEquals(MaskPropCli.EXIT_INPUT, unreadable.code());
    assertTrue(unreadable.err().contains(garbage + ": cannot open video")
        && unreadable.err().contains("no video could be read"), unreadable.err());
    assertFalse(Files.exists(out));

    CliRun noVideo = run("predict", "--checkpoint", run.toString(), "--data", data.toString(), "--only-video", "9",
        "--out", out.toString());
    assertEquals(MaskPropCli.EXIT_INPUT, noVideo.code());
    assertTrue(noVideo.err().contains("no video with id 9"), noVideo.err());
  }
}
