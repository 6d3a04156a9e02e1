package org.maskprop.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.maskprop.bench.BenchOptions;
import org.maskprop.bench.ModelBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskprop bench model}: whole-model throughput at 512x512 with ResNet-50 FPN ({@link
 * ModelBench}), JSON lines in the peer harness's shape: {@code maskrcnn_infer} (pairs with the peer's
 * {@code maskrcnn}), {@code maskrcnn_train_step} (pairs with {@code train_step}, batch 1) and {@code
 * maskprop_train_step} (our frame-pair step with the propagation branch; no peer row).
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Time Mask R-CNN R50-FPN inference (ms/frame) and training steps at 512x512 as JSON lines; "
        + "pair with the peer's maskrcnn / train_step rows (../shared/bench).")
final class BenchModelCommand implements Callable<Integer> {
  @Option(names = "--out", description = "Also write the rows to this .jsonl file.")
  Path out;

  @Option(names = "--ops", defaultValue = ".*",
      description = "Regex on op names (find): maskrcnn_infer, maskrcnn_train_step, maskprop_train_step.")
  String ops;

  @Option(names = "--runs", defaultValue = "0", description = "Timed runs per row (0 = 8 inference, 5 training).")
  int runs;

  @Option(names = "--warmup", defaultValue = "-1", description = "Warm-up runs per row (-1 = 2).")
  int warmup;

  @Override
  public Integer call() {
    BenchLines.peerThreads();
    BenchLines lines = new BenchLines();
    ModelBench.run(new BenchOptions(Pattern.compile(ops), runs, warmup), lines::add);
    lines.write(out);
    return 0;
  }
}
