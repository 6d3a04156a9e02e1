package org.maskprop.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maskprop.InputException;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.CategoryIndex;
import org.maskprop.data.YtvisDataset;
import org.maskprop.eval.Metrics;
import org.maskprop.infer.FrameLevelEvaluation;
import org.maskprop.infer.PredictJob;
import org.maskprop.train.TrainedModel;
import org.maskprop.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskprop frame-ap}: frame-level mask AP of a checkpoint's detector on a split. */
@Command(
    name = "frame-ap",
    mixinStandardHelpOptions = true,
    description = "Frame-level mask AP of a trained detector: every frame of the split is scored as a"
        + " one-frame video with the video evaluator (so AP/AR are COCO-style per-frame mask metrics).")
final class FrameApCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--checkpoint", required = true, description = "Checkpoint file or run folder.")
  Path checkpoint;

  @Option(names = "--data", required = true, description = "Data root holding <split>.json and <split>/JPEGImages.")
  Path data;

  @Option(names = "--split", defaultValue = "valid", description = "Split (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--preset", description = "Preset the checkpoint was trained with (default: the run's config.yaml).")
  String preset;

  @Option(names = "--config", description = "Config YAML the checkpoint was trained with.")
  Path config;

  @Option(names = "--set", description = "Config override key=value (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--out", description = "Write the 12 metrics as JSON (atomically).")
  Path out;

  @Override
  public Integer call() {
    PrintWriter log = spec.commandLine().getOut();
    Path json = data.resolve(split + ".json");
    if (!Files.isRegularFile(json)) {
      throw new InputException(json + ": no such file (--data " + data + ", --split " + split + ")");
    }
    Path images = data.resolve(split).resolve("JPEGImages");
    YtvisDataset ds = YtvisDataset.read(json, images);
    MaskPropConfig cfg = TrainedModel.resolveConfig(checkpoint, config, preset, sets);
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainedModel model = TrainedModel.load(checkpoint, cfg, manager);
      List<YtvisDataset.Category> cats = PredictJob.categories(model, ds, m -> System.err.println("warning: " + m));
      CategoryIndex index = CategoryIndex.ofIds(cats.stream().mapToInt(YtvisDataset.Category::id).toArray());
      FrameLevelEvaluation.Outcome o = FrameLevelEvaluation.run(model, ds, images, index, true);
      log.printf(Locale.ROOT, "frame-ap: %d frames, %d detections%n", o.frames().gt().videos().size(), o.results().size());
      if (o.metrics() == null) {
        log.println("frame-ap: no detection in any frame: every metric is 0");
        return 0;
      }
      log.print(o.metrics().toTable());
      log.flush();
      if (out != null) {
        AtomicFiles.writeString(out, o.metrics().toJson());
      }
    }
    return 0;
  }
}
