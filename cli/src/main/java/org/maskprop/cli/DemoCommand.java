package org.maskprop.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.data.YtvisResults;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;
import org.maskprop.eval.Metrics;
import org.maskprop.eval.YtvisEvaluator;
import org.maskprop.infer.FirstFrameCopyBaseline;
import org.maskprop.tracking.RunSpec;
import org.maskprop.tracking.RunStatus;
import org.maskprop.tracking.Tracker;
import org.maskprop.tracking.Trackers;
import org.maskprop.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: SynthVIS on CPU -> predictions -> the official video metric, tracked in the local
 * MLflow store. For now it evaluates two GT-based reference predictors and says what the demo
 * does not run yet.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The end-to-end demo on SynthVIS (CPU): generate data, predict, evaluate, track in MLflow.",
      "Writes DIR/data/ (SynthVIS), DIR/results/<predictor>.json, DIR/metrics/<predictor>.json and",
      "DIR/report.md; runs go to ./mlruns (or MLFLOW_TRACKING_URI)."
    })
final class DemoCommand implements Callable<Integer> {
  static final String EXPERIMENT = "maskprop-demo";

  @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "demo-out")
  Path out;

  @Option(names = "--preset", description = "SynthVIS preset: easy, occlusion, blur, crowded (default: ${DEFAULT-VALUE}).",
      defaultValue = "occlusion")
  String preset;

  @Option(names = "--videos", description = "Train videos (valid/test: max(2, N/4)) (default: ${DEFAULT-VALUE}).",
      defaultValue = "16")
  int videos;

  @Option(names = "--frames", description = "Frames per video (default: ${DEFAULT-VALUE}).", defaultValue = "12")
  int frames;

  @Option(names = "--size", description = "Frame size HxW (default: ${DEFAULT-VALUE}).", defaultValue = "96x128")
  String size;

  @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).", defaultValue = "0")
  long seed;

  @Override
  public Integer call() {
    long t0 = System.nanoTime();
    SynthVisSpec spec =
        SynthVisSpec.of(SynthPreset.parse(preset), videos, null, null, frames, size, seed, SynthVisSpec.DEFAULT_THREADS);
    Path data = out.resolve("data");
    System.out.printf("[1/3] SynthVIS %s: %d/%d/%d videos x %d frames at %s -> %s%n",
        preset, spec.trainVideos(), spec.validVideos(), spec.testVideos(), frames, size, data);
    SynthVis.generate(spec, data, true);

    YtvisDataset valid = YtvisDataset.read(data.resolve("valid.json"), data.resolve("valid/JPEGImages"));
    Map<String, List<YtvisResult>> predictors = new LinkedHashMap<>();
    predictors.put("gt-as-results", FirstFrameCopyBaseline.groundTruthAsResults(valid));
    predictors.put("first-frame-copy", FirstFrameCopyBaseline.predict(valid));

    System.out.println("[2/3] predicting and evaluating on valid (" + valid.videos().size() + " videos)");
    Map<String, Metrics> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, List<YtvisResult>> e : predictors.entrySet()) {
      Path results = out.resolve("results").resolve(e.getKey() + ".json");
      YtvisResults.write(results, e.getValue());
      // Score what was written, through the same reader as `maskprop eval`.
      Metrics m = YtvisEvaluator.evaluate(valid, YtvisResults.read(results, valid, false));
      AtomicFiles.writeString(out.resolve("metrics").resolve(e.getKey() + ".json"), m.toJson());
      metrics.put(e.getKey(), m);
    }
    String report = report(spec, metrics);
    AtomicFiles.writeString(out.resolve("report.md"), report);
    System.out.println(report);

    System.out.println("[3/3] tracking");
    String where = track(spec, metrics, out.resolve("report.md"));
    System.out.println(where);
    System.out.printf("demo finished in %.1f s; outputs in %s%n", (System.nanoTime() - t0) / 1e9, out);
    System.out.println(
        "Not in the demo yet: training cpu-synthetic and predicting with MaskProp and the baselines"
            + " (`maskprop train` and `maskprop predict` exist; wiring them in with their targets is next).");
    return 0;
  }

  private static String report(SynthVisSpec spec, Map<String, Metrics> metrics) {
    StringBuilder sb = new StringBuilder();
    sb.append("# MaskProp demo: SynthVIS ").append(spec.preset().label()).append(" valid split\n\n");
    sb.append("| predictor | AP | AP50 | AP75 | AR1 | AR10 |\n|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Metrics> e : metrics.entrySet()) {
      Map<String, Double> m = e.getValue().asMap();
      sb.append(String.format(java.util.Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f |%n",
          e.getKey(), m.get("AP"), m.get("AP50"), m.get("AP75"), m.get("AR1"), m.get("AR10")));
    }
    sb.append("\n`gt-as-results` submits the GT tracks (a pipeline check: AP must be 1).\n")
        .append("`first-frame-copy` holds each GT track's first visible mask still (GT identities and classes,")
        .append(" no motion): a reference, not a method.\n");
    return sb.toString();
  }

  private static String track(SynthVisSpec spec, Map<String, Metrics> metrics, Path report) {
    Tracker tracker = Trackers.fromEnvironment();
    try {
      String parent = tracker.startRun(RunSpec.of(EXPERIMENT, "demo-" + spec.preset().label()));
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("synth.preset", spec.preset().label());
      params.put("synth.trainVideos", spec.trainVideos());
      params.put("synth.validVideos", spec.validVideos());
      params.put("synth.frames", spec.frames());
      params.put("synth.size", spec.height() + "x" + spec.width());
      params.put("seed", spec.seed());
      tracker.logParams(parent, params);
      for (Map.Entry<String, Metrics> e : metrics.entrySet()) {
        String child = tracker.startRun(RunSpec.of(EXPERIMENT, e.getKey()).childOf(parent));
        tracker.logParams(child, params);
        tracker.logParam(child, "predictor", e.getKey());
        tracker.logMetrics(child, e.getValue().asMap(), 0);
        tracker.endRun(child, RunStatus.FINISHED);
      }
      tracker.logArtifact(parent, report, "reports");
      tracker.endRun(parent, RunStatus.FINISHED);
      String uri = System.getenv("MLFLOW_TRACKING_URI");
      String where = uri == null || uri.isBlank() ? "./mlruns (mlflow ui --backend-store-uri ./mlruns)" : uri;
      return "runs logged to experiment '" + EXPERIMENT + "' in " + where + "; " + tracker.report().summary();
    } finally {
      tracker.close();
    }
  }
}
