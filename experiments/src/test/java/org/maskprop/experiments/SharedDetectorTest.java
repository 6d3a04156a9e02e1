package org.maskprop.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.infer.VideoMethods;
import org.maskprop.infer.VideoPredictor;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.Metric;
import org.maskprop.tracking.RunInfo;
import org.maskprop.tracking.RunStatus;

/**
 * The shared-detector cache: every method and point of a grid whose training config is the same
 * uses one trained detector (one TrainRun, one training child run), and a second run of the grid
 * into the same folder reuses the finished training. Real training (2 cpu-tiny iterations) on tiny
 * real frames.
 */
class SharedDetectorTest {
  private static final PrintWriter QUIET = new PrintWriter(new StringWriter(), true);

  /** Two squares (categories 1 and 2) moving over 4 frames of 48x64, as JPEG frames, in every split. */
  static final class TinyVideos implements DataProvider {
    int calls;

    @Override
    public Path synthvis(ExperimentGrid.SynthVisData spec, Path dir) {
      calls++;
      int h = 48;
      int w = 64;
      int frames = 4;
      List<YtvisDataset.Category> cats = new ArrayList<>();
      for (int c = 1; c <= 8; c++) {
        cats.add(new YtvisDataset.Category(c, "c" + c, "shape"));
      }
      try {
        for (String split : List.of("train", "valid", "test")) {
          List<YtvisDataset.Video> videos = new ArrayList<>();
          List<YtvisDataset.Annotation> anns = new ArrayList<>();
          for (int v = 1; v <= 2; v++) {
            List<String> names = new ArrayList<>();
            List<List<Rle>> segs = List.of(new ArrayList<>(), new ArrayList<>());
            for (int f = 0; f < frames; f++) {
              BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
              Graphics2D g = img.createGraphics();
              g.setColor(Color.GRAY);
              g.fillRect(0, 0, w, h);
              int[][] boxes = {{4 + 3 * f + v, 6, 16, 16}, {40 - 3 * f, 24, 14, 18}};
              for (int i = 0; i < 2; i++) {
                int[] b = boxes[i];
                g.setColor(i == 0 ? Color.RED : Color.BLUE);
                g.fillRect(b[0], b[1], b[2], b[3]);
                byte[] mask = new byte[h * w];
                for (int y = b[1]; y < b[1] + b[3]; y++) {
                  for (int x = b[0]; x < b[0] + b[2]; x++) {
                    mask[y * w + x] = 1;
                  }
                }
                segs.get(i).add(Rle.encode(mask, h, w));
              }
              g.dispose();
              String name = "v" + v + "/" + String.format("%05d.jpg", f);
              Path p = dir.resolve(split).resolve("JPEGImages").resolve(name);
              Files.createDirectories(p.getParent());
              ImageIO.write(img, "jpg", p.toFile());
              names.add(name);
            }
            videos.add(new YtvisDataset.Video(v, w, h, frames, names));
            for (int i = 0; i < 2; i++) {
              List<Double> areas = new ArrayList<>();
              List<double[]> bboxes = new ArrayList<>();
              for (int f = 0; f < frames; f++) {
                int[] b = i == 0 ? new int[] {4 + 3 * f + v, 6, 16, 16} : new int[] {40 - 3 * f, 24, 14, 18};
                areas.add((double) b[2] * b[3]);
                bboxes.add(new double[] {b[0], b[1], b[2], b[3]});
              }
              anns.add(new YtvisDataset.Annotation(anns.size() + 1, v, i + 1, 0, h, w, segs.get(i), areas, bboxes));
            }
          }
          new YtvisDataset(null, null, null, videos, cats, anns).write(dir.resolve(split + ".json"));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return dir;
    }
  }

  @Test
  void trainingKeyIgnoresInferenceSettingsOnly() {
    MaskPropConfig a = MaskPropConfig.fromPreset("cpu-tiny", List.of("infer.assignThreshold=0.3"));
    MaskPropConfig b = MaskPropConfig.fromPreset("cpu-tiny", List.of("infer.assignThreshold=0.5", "infer.clipLength=5"));
    assertEquals(TrainedDetectors.trainingKey(a), TrainedDetectors.trainingKey(b));
    assertNotEquals(a.hash(), b.hash());
    for (String set : List.of("train.iterations=31", "backbone.arch=R50", "refine.enabled=true", "seed=1",
        "data.root=elsewhere")) {
      MaskPropConfig c = MaskPropConfig.fromPreset("cpu-tiny", List.of(set));
      assertNotEquals(TrainedDetectors.trainingKey(a), TrainedDetectors.trainingKey(c), set);
    }
  }

  @Test
  void twoMethodsAndTwoPointsShareOneTrainingAndARerunReusesIt(@TempDir Path tmp) throws Exception {
    Path file = ExperimentGridTest.grid(tmp, "g.yaml", """
        axes:
          - key: infer.assignThreshold
            values: [0.3, 0.5]
        """);
    Files.writeString(file, Files.readString(file)
        .replace("methods: [reference-gt]", "methods: [maskprop, maskprop-again]")
        .replace("preset: cpu-tiny", "preset: cpu-tiny\n  set: [train.iterations=2]"));
    // A second method with MaskProp's code: same detector + same code must give the same results.
    MethodRegistry registry = (method, grid) -> method.label().equals("maskprop-again")
        ? new VideoMethodRunner(VideoMethods.named("maskprop-again", VideoPredictor::predict))
        : MethodRegistry.BUILT_IN.runnerFor(method, grid);
    ExperimentPlan plan = ExperimentPlan.expand(ExperimentGrid.load(file));
    Path out = tmp.resolve("out");
    ExperimentRunner.Result r;
    try (FileStoreTracker tracker = new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty())) {
      r = new ExperimentRunner(registry, new TinyVideos(), tracker, QUIET).run(plan, out);
    }
    FileStoreReader reader = new FileStoreReader(tmp.resolve("mlruns"));
    List<RunInfo> kids = reader.childRuns(r.parentRunId());
    List<RunInfo> train = kids.stream()
        .filter(k -> "train".equals(reader.tags(k.runId()).get(TrainedDetectors.TAG_RUN_KIND))).toList();
    assertEquals(1, train.size(), "one training for 2 points x 2 methods: " + kids);
    RunInfo t = train.get(0);
    assertEquals(RunStatus.FINISHED, t.status());
    assertEquals(List.of(1L, 2L), reader.metricHistory(t.runId(), "total_loss").stream().map(Metric::step).toList(),
        "per-step losses on the training child");
    assertEquals("2", reader.params(t.runId()).get("train.iterations"));
    Path trainDir;
    try (Stream<Path> s = Files.list(out.resolve("train"))) {
      List<Path> dirs = s.toList();
      assertEquals(1, dirs.size(), "one training folder");
      trainDir = dirs.get(0);
    }
    // trained with the preset's infer section (training does not read it), not the first point's 0.3
    MaskPropConfig trained = MaskPropConfig.load(trainDir.resolve("config.yaml"), List.of());
    assertEquals(org.maskprop.config.Presets.get("cpu-tiny").infer(), trained.infer());
    assertEquals(2, trained.train().iterations());
    List<RunInfo> methodRuns = kids.stream().filter(k -> !k.runId().equals(t.runId())).toList();
    assertEquals(4, methodRuns.size());
    for (RunInfo k : methodRuns) {
      Map<String, String> tags = reader.tags(k.runId());
      assertEquals(t.runId(), tags.get(TrainedDetectors.TAG_TRAIN_RUN), k.runName());
      assertEquals(RunStatus.FINISHED, k.status());
      assertTrue(reader.latestMetrics(k.runId()).containsKey("AP"), k.runName());
      assertEquals(Files.readString(out.resolve("results/" + k.runName() + ".json")),
          Files.readString(reader.artifactDir(k.runId()).resolve("results/" + k.runName() + ".json")), "results artifact");
      assertTrue(Files.isRegularFile(reader.artifactDir(k.runId()).resolve("metrics/" + k.runName() + ".json")));
    }
    for (int p = 0; p < 2; p++) {
      assertEquals(Files.readString(out.resolve("results/p" + p + "-maskprop-valid.json")),
          Files.readString(out.resolve("results/p" + p + "-maskprop-again-valid.json")), "point " + p);
    }
    String first = Files.readString(out.resolve("results/p0-maskprop-valid.json"));

    // Again into the same folder: the finished training is reused, nothing is trained.
    Files.delete(out.resolve("results/p0-maskprop-valid.json"));
    try (FileStoreTracker tracker = new FileStoreTracker(tmp.resolve("mlruns2"), Optional.empty())) {
      r = new ExperimentRunner(registry, new TinyVideos(), tracker, QUIET).run(plan, out);
    }
    FileStoreReader again = new FileStoreReader(tmp.resolve("mlruns2"));
    List<RunInfo> kids2 = again.childRuns(r.parentRunId());
    assertEquals(4, kids2.size(), "no training child run: " + kids2);
    for (RunInfo k : kids2) {
      assertEquals(reader.tags(methodRuns.get(0).runId()).get(TrainedDetectors.TAG_TRAIN_DIR),
          again.tags(k.runId()).get(TrainedDetectors.TAG_TRAIN_DIR));
    }
    assertEquals(first, Files.readString(out.resolve("results/p0-maskprop-valid.json")), "same weights");
  }
}
