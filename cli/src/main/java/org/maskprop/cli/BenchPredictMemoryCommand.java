package org.maskprop.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.maskprop.InputException;
import org.maskprop.bench.PredictMemoryBench;
import org.maskprop.config.MaskPropConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskprop bench predict-memory}: MaskProp inference with an untrained model on a generated
 * short video and a long one, resident memory sampled along both (it depends on T', not on the
 * video length).
 */
@Command(
    name = "predict-memory",
    mixinStandardHelpOptions = true,
    description = "MaskProp inference (untrained cpu-tiny model) on generated 96x128 videos of --short then "
        + "--frames frames, resident memory (VmRSS after a GC) sampled every --every frames; JSON lines and "
        + "one summary per video.")
final class BenchPredictMemoryCommand implements Callable<Integer> {
  @Option(names = "--frames", defaultValue = "2000", description = "Long video length (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--short", defaultValue = "100", description = "Short video length, run first (default: ${DEFAULT-VALUE}).")
  int shortFrames;

  @Option(names = "--every", defaultValue = "100", description = "Sample period in frames (default: ${DEFAULT-VALUE}).")
  int every;

  @Option(names = "--detections", defaultValue = "2",
      description = "Detections per frame (roiHeads.detectionsPerImage; default: ${DEFAULT-VALUE}). An untrained "
          + "model links nothing, so each detection opens a video-level instance whose result has one entry per "
          + "frame: the output then grows as frames x instances, which this keeps small.")
  int detections;

  @Option(names = "--preset", defaultValue = "cpu-tiny", description = "Config preset (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config override (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--out", description = "Also write the JSON lines to this .jsonl file.")
  Path out;

  @Override
  public Integer call() {
    if (frames < 1 || shortFrames < 1 || every < 1) {
      throw new InputException("bench predict-memory: --frames, --short and --every must be >= 1");
    }
    BenchLines.peerThreads();
    List<String> all = new ArrayList<>();
    all.add("roiHeads.detectionsPerImage=" + detections);
    all.addAll(sets);
    MaskPropConfig config = MaskPropConfig.fromPreset(preset, all);
    BenchLines lines = new BenchLines();
    PredictMemoryBench.run(config, List.of(shortFrames, frames), every, lines::add);
    lines.write(out);
    return 0;
  }
}
