package org.maskprop.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.maskprop.InputException;
import org.maskprop.bench.TrainMemoryBench;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskprop bench train-memory}: {@code cpu-tiny} training on a generated SynthVIS with the
 * resident memory sampled every {@code --every} steps (JSON lines) and a flatness summary (issue 5
 * "Must show": memory stays flat after warm-up over 2,000 steps).
 */
@Command(
    name = "train-memory",
    mixinStandardHelpOptions = true,
    description = "Trains cpu-tiny on a generated SynthVIS for --steps steps, sampling resident memory (VmRSS, "
        + "after a GC) every --every steps; prints JSON lines and a summary (RSS after --warmup-steps vs at "
        + "the end, slope per 1000 steps).")
final class BenchTrainMemoryCommand implements Callable<Integer> {
  @Option(names = "--steps", defaultValue = "2000", description = "Training steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--every", defaultValue = "50", description = "Sample period in steps (default: ${DEFAULT-VALUE}).")
  int every;

  @Option(names = "--warmup-steps", defaultValue = "200",
      description = "Steps before the slope is measured (default: ${DEFAULT-VALUE}).")
  int warmupSteps;

  @Option(names = "--preset", defaultValue = "cpu-tiny", description = "Config preset (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config override (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--data", description = "An existing SynthVIS/YouTube-VIS root (default: generate SynthVIS "
      + "easy, 16 videos x 12 frames of 96x128, into a temporary folder).")
  Path data;

  @Option(names = "--out", description = "Also write the JSON lines to this .jsonl file.")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (steps < 1 || every < 1 || warmupSteps < 0) {
      throw new InputException("bench train-memory: --steps and --every must be >= 1, --warmup-steps >= 0");
    }
    BenchLines.peerThreads();
    Path tmp = Files.createTempDirectory("maskprop-train-memory");
    try {
      Path root = data;
      if (root == null) {
        root = tmp.resolve("data");
        SynthVis.generate(SynthVisSpec.of(SynthPreset.EASY, SynthVisSpec.DEFAULT_VIDEOS, null, null,
            SynthVisSpec.DEFAULT_FRAMES, SynthVisSpec.DEFAULT_SIZE, SynthVisSpec.DEFAULT_SEED,
            SynthVisSpec.DEFAULT_THREADS), root, false);
      }
      List<String> all = new ArrayList<>();
      all.add("data.root=" + root.toAbsolutePath());
      all.add("train.iterations=" + steps);
      all.addAll(sets);
      MaskPropConfig config = MaskPropConfig.fromPreset(preset, all);
      BenchLines lines = new BenchLines();
      TrainMemoryBench.run(config, tmp.resolve("run"), every, warmupSteps, lines::add);
      lines.write(out);
      return 0;
    } finally {
      deleteTree(tmp);
    }
  }

  static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
