package org.maskprop.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.maskprop.InputException;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.data.YtvisResults;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;
import org.maskprop.eval.Metrics;
import org.maskprop.eval.YtvisEvaluator;
import org.maskprop.infer.FirstFrameCopyBaseline;
import org.maskprop.infer.PredictJob;
import org.maskprop.infer.VideoInput;
import org.maskprop.infer.VideoMethods;
import org.maskprop.report.Charts;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.RunSpec;
import org.maskprop.tracking.RunStatus;
import org.maskprop.tracking.Tracker;
import org.maskprop.tracking.Trackers;
import org.maskprop.train.Checkpointer;
import org.maskprop.train.TrainRun;
import org.maskprop.train.TrainedModel;
import org.maskprop.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job (issue #6): SynthVIS on CPU, training {@code cpu-synthetic}, prediction of the valid
 * split with MaskProp and every baseline on the same detector, the official video metric, a report
 * in the paper's Table 2/3 form, everything tracked in the local MLflow store.
 *
 * <p>Each step leaves a stamp (DIR/.demo/&lt;step&gt;) describing its inputs; a second run reuses a
 * step whose stamp and outputs are there and whose inputs did not change, unless {@code --fresh}.
 * Training resumes from its last checkpoint when it was interrupted.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The end-to-end demo on SynthVIS (CPU): generate data, train cpu-synthetic, predict the valid split",
      "with MaskProp and the baselines on the same detector, evaluate, report, track in MLflow.",
      "Writes DIR/data/ (SynthVIS; valid.json is the GT), DIR/model/ (checkpoint: `predict --checkpoint",
      "DIR/model`), DIR/results/<method>.json, DIR/metrics/<method>.json, DIR/overlay/, DIR/charts/ and",
      "DIR/report.md; runs go to ./mlruns (or MLFLOW_TRACKING_URI). A second run reuses finished steps."
    })
final class DemoCommand implements Callable<Integer> {
  static final String EXPERIMENT = "maskprop-demo";

  @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "demo-out")
  Path out;

  @Option(names = "--preset", description = "SynthVIS preset: easy, occlusion, blur, crowded (default: ${DEFAULT-VALUE}).",
      defaultValue = "occlusion")
  String preset;

  @Option(names = "--videos", description = "Train videos (valid/test: max(2, N/4)) (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int videos;

  @Option(names = "--frames", description = "Frames per video (default: ${DEFAULT-VALUE}).", defaultValue = "12")
  int frames;

  @Option(names = "--size", description = "Frame size HxW (default: ${DEFAULT-VALUE}).", defaultValue = "96x128")
  String size;

  @Option(names = "--seed", description = "Seed of data and training (default: ${DEFAULT-VALUE}).", defaultValue = "0")
  long seed;

  @Option(names = "--model-preset", description = "Model/training preset (default: ${DEFAULT-VALUE}).",
      defaultValue = "cpu-synthetic")
  String modelPreset;

  @Option(names = "--set", description = "Config override key=value for training and prediction (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--methods", split = ",",
      description = "Methods to run, comma-separated (default: every registered method, MaskProp first).")
  List<String> methods;

  @Option(names = "--fresh", description = "Redo every step instead of reusing finished ones.")
  boolean fresh;

  @Option(names = "--mlruns", paramLabel = "DIR",
      description = "MLflow file store to log to (default: MLFLOW_TRACKING_URI, else ./mlruns).")
  Path mlruns;

  @Spec CommandSpec commandSpec;

  private PrintWriter log;

  @Override
  public Integer call() {
    log = commandSpec.commandLine().getOut();
    // FFmpeg prints each overlay MP4's stream description at INFO: keep it to errors
    org.bytedeco.ffmpeg.global.avutil.av_log_set_level(org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR);
    long t0 = System.nanoTime();
    Path stamps = out.resolve(".demo");
    SynthVisSpec spec =
        SynthVisSpec.of(SynthPreset.parse(preset), videos, null, null, frames, size, seed, SynthVisSpec.DEFAULT_THREADS);
    Path data = out.resolve("data");
    List<String> runMethods = methods == null || methods.isEmpty() ? VideoMethods.names() : methods;
    runMethods.forEach(VideoMethods::byName); // unknown names fail before any work

    // 1. data
    String dataKey = spec.toString();
    if (reusable(stamps.resolve("data"), dataKey, data.resolve("valid.json"), data.resolve("train.json"))) {
      log.println("[1/5] SynthVIS: reusing " + data);
    } else {
      log.printf("[1/5] SynthVIS %s: %d/%d/%d videos x %d frames at %s -> %s%n",
          preset, spec.trainVideos(), spec.validVideos(), spec.testVideos(), frames, size, data);
      SynthVis.generate(spec, data, true);
      stamp(stamps.resolve("data"), dataKey);
      invalidate(stamps, "model");
    }

    // 2. training
    List<String> allSets = new ArrayList<>();
    allSets.add("data.root=" + data.toAbsolutePath());
    allSets.add("seed=" + seed);
    allSets.addAll(sets);
    MaskPropConfig config = MaskPropConfig.fromPreset(modelPreset, allSets);
    Path model = out.resolve("model");
    String modelKey = dataKey + "\n" + config.toYaml();
    Tracker tracker = mlruns != null ? new FileStoreTracker(mlruns) : Trackers.fromEnvironment();
    try {
      if (reusable(stamps.resolve("model"), modelKey, model.resolve(Checkpointer.POINTER))) {
        log.println("[2/5] training: reusing " + model);
      } else {
        boolean resume = !fresh && sameText(stamps.resolve("model.started"), modelKey)
            && Files.exists(model.resolve(Checkpointer.POINTER));
        if (!resume) {
          deleteTree(model);
        }
        AtomicFiles.writeString(stamps.resolve("model.started"), modelKey);
        log.printf("[2/5] training %s, %d iterations -> %s%s%n", config.preset(), config.train().iterations(),
            model, resume ? " (resuming)" : "");
        TrainRun.Result r = TrainRun.run(config, model, resume, tracker);
        log.printf("      %d iterations in %.1f s%n", r.iterations(), r.seconds());
        stamp(stamps.resolve("model"), modelKey);
        invalidate(stamps, "results");
      }

      // 3. prediction, 4. evaluation
      YtvisDataset valid = YtvisDataset.read(data.resolve("valid.json"), data.resolve("valid/JPEGImages"));
      Map<String, Metrics> metrics = new LinkedHashMap<>();
      Map<String, Double> seconds = new LinkedHashMap<>();
      try (NDManager manager = NDManager.newBaseManager()) {
        TrainedModel trained = null;
        for (String method : runMethods) {
          Path results = out.resolve("results").resolve(method + ".json");
          Path metricsFile = out.resolve("metrics").resolve(method + ".json");
          String key = modelKey + "\nmethod=" + method;
          if (reusable(stamps.resolve("results-" + method), key, results, metricsFile)) {
            log.println("[3/5] " + method + ": reusing " + results);
          } else {
            if (trained == null) {
              trained = TrainedModel.load(model, config, manager);
            }
            log.println("[3/5] predicting valid (" + valid.videos().size() + " videos) with " + method);
            boolean overlay = method.equals("maskprop");
            long start = System.nanoTime();
            PredictJob.Outcome o = PredictJob.run(trained, valid, VideoMethods.byName(method),
                VideoInput.ofDataset(data.resolve("valid/JPEGImages"), valid),
                new PredictJob.Options(overlay ? out.resolve("overlay") : null, 4, false, System.err::println));
            double s = (System.nanoTime() - start) / 1e9;
            YtvisResults.write(results, o.results());
            // score what was written, through the same reader as `maskprop eval`; no detection at all
            // scores 0 (the official evaluator would crash on the empty list)
            Metrics m = o.results().isEmpty() ? nothingFound(valid) : YtvisEvaluator.evaluate(valid, readResults(results, valid));
            if (o.results().isEmpty()) {
              log.println("      " + method + ": no instance detected in any video (scores 0)");
            }
            AtomicFiles.writeString(metricsFile, m.toJson());
            AtomicFiles.writeString(stamps.resolve("seconds-" + method), String.format(Locale.ROOT, "%.2f%n", s));
            stamp(stamps.resolve("results-" + method), key);
          }
          metrics.put(method, readMetrics(metricsFile));
          seconds.put(method, readSeconds(stamps.resolve("seconds-" + method)));
          log.printf(Locale.ROOT, "[4/5] %-18s mAP %.3f  AP75 %.3f  AR1 %.3f  AR10 %.3f%n", method,
              metrics.get(method).asMap().get("AP"), metrics.get(method).asMap().get("AP75"),
              metrics.get(method).asMap().get("AR1"), metrics.get(method).asMap().get("AR10"));
        }
      }

      // 5. report and tracking
      List<Path> charts = Charts.save(Charts.bars("Video mAP on SynthVIS " + spec.preset().label() + " valid",
          "method", "mAP", apOf(metrics)), out.resolve("charts"), "map-by-method");
      String report = report(spec, config, metrics, seconds, charts);
      AtomicFiles.writeString(out.resolve("report.md"), report);
      log.println("[5/5] report " + out.resolve("report.md"));
      log.println(report);
      log.println(track(tracker, spec, config, metrics, out.resolve("report.md"), charts));
    } finally {
      tracker.close();
    }
    log.printf(Locale.ROOT, "demo finished in %.1f s; outputs in %s%n", (System.nanoTime() - t0) / 1e9, out);
    return 0;
  }

  private static List<YtvisResult> readResults(Path results, YtvisDataset valid) {
    return YtvisResults.read(results, valid, false);
  }

  /** The metrics of an empty results list: 0, and -1 where the GT has no instance of an area range. */
  private static Metrics nothingFound(YtvisDataset valid) {
    Map<String, Double> ref = YtvisEvaluator.evaluate(valid, FirstFrameCopyBaseline.groundTruthAsResults(valid)).asMap();
    double[] v = new double[Metrics.NAMES.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = ref.get(Metrics.NAMES[i]) < 0 ? -1 : 0;
    }
    return Metrics.of(v);
  }

  private static Map<String, Double> apOf(Map<String, Metrics> metrics) {
    Map<String, Double> ap = new LinkedHashMap<>();
    metrics.forEach((k, v) -> ap.put(k, v.asMap().get("AP")));
    return ap;
  }

  static String report(SynthVisSpec spec, MaskPropConfig config, Map<String, Metrics> metrics,
      Map<String, Double> seconds, List<Path> charts) {
    StringBuilder sb = new StringBuilder();
    sb.append("# MaskProp demo: SynthVIS ").append(spec.preset().label()).append(", valid split\n\n");
    sb.append(String.format(Locale.ROOT,
        "Data: %d train / %d valid videos x %d frames at %dx%d, seed %d. Detector: %s (%s, trained %d iterations"
            + " from scratch on the train split). All methods use this one detector (the paper's Table 3 set-up).%n%n",
        spec.trainVideos(), spec.validVideos(), spec.frames(), spec.height(), spec.width(), spec.seed(),
        config.preset(), config.backbone().arch(), config.train().iterations()));
    sb.append("| method | mAP | AP50 | AP75 | AR1 | AR10 | predict s |\n|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Metrics> e : metrics.entrySet()) {
      Map<String, Double> m = e.getValue().asMap();
      sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", e.getKey(),
          100 * m.get("AP"), 100 * m.get("AP50"), 100 * m.get("AP75"), 100 * m.get("AR1"), 100 * m.get("AR10"),
          seconds.getOrDefault(e.getKey(), Double.NaN)));
    }
    sb.append("\nMetrics in percent (the official YouTube-VIS video AP/AR, our evaluator). Stand-ins: SynthVIS")
        .append(" instead of YouTube-VIS; reduced width and resolution (").append(config.preset()).append(");")
        .append(" `flow-propagation` warps masks with OpenCV DIS flow, our stand-in for the paper's FlowNet2;")
        .append(" `masktrack` is our MaskTrack R-CNN-style head on the same detector. These are not the paper's")
        .append(" numbers.\n\n");
    for (Path c : charts) {
      if (c.toString().endsWith(".png")) {
        sb.append("![mAP by method](charts/").append(c.getFileName()).append(")\n");
      }
    }
    return sb.toString();
  }

  private String track(Tracker tracker, SynthVisSpec spec, MaskPropConfig config,
      Map<String, Metrics> metrics, Path report, List<Path> charts) {
    String parent = tracker.startRun(RunSpec.of(EXPERIMENT, "demo-" + spec.preset().label()));
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("synth.preset", spec.preset().label());
    params.put("synth.trainVideos", spec.trainVideos());
    params.put("synth.validVideos", spec.validVideos());
    params.put("synth.frames", spec.frames());
    params.put("synth.size", spec.height() + "x" + spec.width());
    params.put("seed", spec.seed());
    tracker.logParams(parent, params);
    Map<String, String> flat = config.flatten();
    for (Map.Entry<String, Metrics> e : metrics.entrySet()) {
      String child = tracker.startRun(RunSpec.of(EXPERIMENT, e.getKey()).childOf(parent));
      tracker.logParams(child, params);
      tracker.logParams(child, flat);
      tracker.logParam(child, "method", e.getKey());
      tracker.logMetrics(child, e.getValue().asMap(), 0);
      tracker.endRun(child, RunStatus.FINISHED);
    }
    tracker.logArtifact(parent, report, "reports");
    for (Path c : charts) {
      tracker.logArtifact(parent, c, "charts");
    }
    tracker.endRun(parent, RunStatus.FINISHED);
    String uri = System.getenv("MLFLOW_TRACKING_URI");
    String store = mlruns != null ? mlruns.toString() : "./mlruns";
    String where = mlruns == null && uri != null && !uri.isBlank() ? uri
        : store + " (mlflow ui --backend-store-uri " + store + ")";
    return "runs logged to experiments '" + EXPERIMENT + "' and '" + TrainRun.EXPERIMENT + "' in " + where + "; "
        + tracker.report().summary();
  }

  // ------------------------------------------------------------------ step reuse

  private boolean reusable(Path stamp, String key, Path... outputs) {
    if (fresh || !sameText(stamp, key)) {
      return false;
    }
    for (Path p : outputs) {
      if (!Files.exists(p)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameText(Path file, String text) {
    try {
      return Files.isRegularFile(file) && Files.readString(file).equals(text);
    } catch (IOException e) {
      return false;
    }
  }

  private static void stamp(Path stamp, String key) {
    AtomicFiles.writeString(stamp, key);
  }

  /** Drops the stamps of the steps after a redone one (their inputs changed). */
  private static void invalidate(Path stamps, String prefix) {
    if (!Files.isDirectory(stamps)) {
      return;
    }
    try (Stream<Path> s = Files.list(stamps)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)
          && !p.getFileName().toString().equals("model.started")).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Metrics readMetrics(Path file) {
    try {
      return Metrics.fromJson(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static double readSeconds(Path file) {
    try {
      return Double.parseDouble(Files.readString(file).trim());
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
