package org.maskprop.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.maskprop.eval.EvalBenchmark;
import org.maskprop.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maskprop bench eval}: times reading and evaluating a generated YouTube-VIS-sized case. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Generates a seeded case (360x640 frames, 40 categories), writes GT and results "
        + "JSON, times loading (load_s) and evaluating (eval_s), median of --runs after --warmup "
        + "untimed rounds, plus the process CPU seconds of each (load_cpu_s, eval_cpu_s: all "
        + "threads, JIT and GC included); prints one JSON line.")
final class BenchEvalCommand implements Callable<Integer> {

  @Option(names = "--out", description = "Append the JSON line to this file.")
  Path out;

  @Option(names = "--videos", defaultValue = "300")
  int videos;

  @Option(names = "--frames", defaultValue = "36")
  int frames;

  @Option(names = "--results-per-video", defaultValue = "10")
  int resultsPerVideo;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(names = "--threads", description = "Evaluator threads (default: all processors).")
  Integer threads;

  @Option(names = "--warmup", defaultValue = "1",
      description = "Untimed load+evaluate rounds first (JIT warm-up; 0 = cold, as one CLI call).")
  int warmup;

  @Option(names = "--runs", defaultValue = "3", description = "Timed rounds; the median is printed.")
  int runs;

  @Option(names = "--keep-files", description = "Write gt.json/results.json into this folder and "
      + "keep them (e.g. to time another evaluator on the same files).")
  Path keep;

  @Override
  public Integer call() {
    if (videos < 1 || frames < 1 || resultsPerVideo < 1 || warmup < 0 || runs < 1) {
      throw new org.maskprop.InputException("bench eval: --videos, --frames, --results-per-video "
          + "and --runs must be >= 1, --warmup >= 0");
    }
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, threads);
    EvalBenchmark.Timing t = EvalBenchmark.run(
        videos, frames, resultsPerVideo, seed, n, warmup, runs, keep);
    String line = t.toJson();
    System.out.println(line);
    if (out != null) {
      try {
        String before = Files.exists(out) ? Files.readString(out) : "";
        if (!before.isEmpty() && !before.endsWith("\n")) {
          before += "\n";
        }
        AtomicFiles.writeString(out, before + line + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to " + out + ": " + e.getMessage(), e);
      }
    }
    return 0;
  }
}
