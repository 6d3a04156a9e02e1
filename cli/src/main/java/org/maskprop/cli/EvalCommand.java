package org.maskprop.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.data.YtvisResults;
import org.maskprop.eval.Metrics;
import org.maskprop.eval.YtvisEvaluator;
import org.maskprop.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maskprop eval}: the 12 official YouTube-VIS numbers of a results file. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "YouTube-VIS video AP/AR of a results file (same numbers as the official "
        + "ytvoseval.py). Prints a table; --out writes {\"AP\":..,...,\"ARl\":..}. Equal scores "
        + "rank in results-file order, as the official stable sort does.")
final class EvalCommand implements Callable<Integer> {

  @Option(names = "--gt", required = true, description = "GT JSON (YouTube-VIS 2019 layout).")
  Path gt;

  @Option(names = "--results", required = true, description = "Results JSON (submission format).")
  Path results;

  @Option(names = "--out", description = "Write the metrics JSON here (atomically).")
  Path out;

  @Option(names = "--lenient", description = "Accept per-frame lists whose length differs from "
      + "the video's, evaluated as the official code does (zip).")
  boolean lenient;

  @Option(names = "--image-root", description = "Also check that every GT frame file exists here.")
  Path imageRoot;

  @Option(names = "--threads", description = "Worker threads (default: all processors).")
  Integer threads;

  @Override
  public Integer call() {
    YtvisDataset ds = YtvisDataset.read(gt, imageRoot);
    List<YtvisResult> rs = YtvisResults.read(results, ds, lenient);
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    YtvisEvaluator evaluator = new YtvisEvaluator(ds, Math.max(1, n), lenient);
    evaluator.process(rs);
    Metrics m = evaluator.evaluate();
    System.out.print(m.toTable());
    if (out != null) {
      AtomicFiles.writeString(out, m.toJson() + "\n");
    }
    return 0;
  }
}
