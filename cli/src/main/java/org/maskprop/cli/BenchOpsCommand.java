package org.maskprop.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.maskprop.bench.BenchOptions;
import org.maskprop.bench.BenchRow;
import org.maskprop.bench.DeformConvBench;
import org.maskprop.bench.DetectionOpsBench;
import org.maskprop.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskprop bench ops}: times the tensor ops of {@code org.maskprop.ops} in the peer harness's
 * shape (one JSON line per row on stdout, and in {@code --out}); {@code --memory} instead runs each op
 * 1000 times on small shapes and prints resident memory every 100 calls (it must stay flat).
 */
@Command(
    name = "ops",
    mixinStandardHelpOptions = true,
    description = "Time deform_conv2d, conv2d (and the detection ops) as JSON lines; pair with ../shared/bench peer rows.")
final class BenchOpsCommand implements Callable<Integer> {
  @Option(names = "--out", description = "Also write the rows to this .jsonl file.")
  Path out;

  @Option(names = "--ops", defaultValue = ".*", description = "Regex on op names (find); default all.")
  String ops;

  @Option(names = "--runs", defaultValue = "0", description = "Timed runs per row (0 = each op's default).")
  int runs;

  @Option(names = "--warmup", defaultValue = "-1", description = "Warm-up runs per row (-1 = each op's default).")
  int warmup;

  @Option(names = "--memory", description = "Leak check: resident memory over 1000 forward+backward calls per op.")
  boolean memory;

  @Override
  public Integer call() {
    // As the peer harness runs: 2 intra-op threads, 1 inter-op thread (unless set by the user);
    // read by the engine when it starts, which is below.
    System.setProperty("ai.djl.pytorch.num_threads", System.getProperty("ai.djl.pytorch.num_threads", "2"));
    System.setProperty("ai.djl.pytorch.num_interop_threads",
        System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
    BenchOptions options = new BenchOptions(Pattern.compile(ops), runs, warmup);
    List<String> lines = new ArrayList<>();
    Consumer<BenchRow> sink =
        row -> {
          String json = row.toJson();
          System.out.println(json);
          System.out.flush();
          lines.add(json);
        };
    if (memory) {
      DeformConvBench.runMemory(options, System.out);
      DetectionOpsBench.runMemory(options, System.out);
    } else {
      DeformConvBench.run(options, sink);
      DetectionOpsBench.run(options, sink);
    }
    if (out != null && !memory) {
      AtomicFiles.writeBytes(out, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return 0;
  }
}
