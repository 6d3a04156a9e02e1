package org.maskprop.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.Tracker;
import org.maskprop.tracking.Trackers;
import org.maskprop.train.Checkpointer;
import org.maskprop.train.TrainRun;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskprop train}: one training run ({@link TrainRun}) into a run folder. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Trains MaskProp on frame pairs of data.root (<root>/<trainSplit>.json and <root>/<trainSplit>/JPEGImages, "
          + "e.g. from `maskprop synth --out <root>`).",
      "Writes RUN_DIR/config.yaml (resolved config), a checkpoint every train.checkpointPeriod iterations, "
          + "RUN_DIR/model_final.ckpt and last_checkpoint, and logs params and per-step losses to the MLflow "
          + "experiment 'maskprop-train' (./mlruns, MLFLOW_TRACKING_URI or --mlruns).",
      "Exit 2 on bad input (config, data, run folder), 3 when the loss diverges (NaN/inf)."
    })
final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--config", paramLabel = "FILE", description = "Run config, e.g. experiments/configs/cpu-tiny.yaml.")
    Path config;

    @Option(names = "--preset", paramLabel = "NAME", description = "Preset: cpu-tiny, cpu-synthetic, ytvis-r50, ytvis-r101, ytvis-x101.")
    String preset;
  }

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config override, e.g. train.iterations=100 (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "Run folder.")
  Path out;

  @Option(names = "--resume", description = "Continue from RUN_DIR/last_checkpoint (train.iterations may be raised).")
  boolean resume;

  @Option(names = "--mlruns", paramLabel = "DIR", description = "MLflow file store to log to (default: MLFLOW_TRACKING_URI, else ./mlruns).")
  Path mlruns;

  @Override
  public Integer call() {
    MaskPropConfig config = source.config != null ? MaskPropConfig.load(source.config, sets)
        : MaskPropConfig.fromPreset(source.preset, sets);
    PrintWriter w = spec.commandLine().getOut();
    w.printf("train %s (%s) -> %s%n", config.preset(), source.config != null ? source.config : "preset",
        out.toAbsolutePath().normalize());
    w.flush();
    TrainRun.Result r;
    try (Tracker tracker = mlruns != null ? new FileStoreTracker(mlruns) : Trackers.fromEnvironment()) {
      r = TrainRun.run(config, out, resume, tracker);
      String report = tracker.report().summary();
      if (!report.isBlank()) {
        w.println(report);
      }
    }
    if (r.iterations() <= 0) {
      w.printf(Locale.ROOT, "nothing to do: the run is at iteration %d of %d%n", r.startIteration(), r.maxIteration());
    } else {
      String terms = r.lastLosses().entrySet().stream()
          .map(e -> String.format(Locale.ROOT, "%s %.4f", e.getKey(), e.getValue()))
          .collect(Collectors.joining(", "));
      w.printf(Locale.ROOT, "iterations %d..%d in %.1f s (%.3f s/it); last loss %.4f (%s)%n", r.startIteration() + 1,
          r.maxIteration(), r.seconds(), r.seconds() / r.iterations(), r.lastTotal(), terms);
    }
    w.printf("checkpoint %s; MLflow run %s (experiment %s)%n", out.resolve(Checkpointer.FINAL), r.runId(),
        TrainRun.EXPERIMENT);
    w.flush();
    return 0;
  }
}
