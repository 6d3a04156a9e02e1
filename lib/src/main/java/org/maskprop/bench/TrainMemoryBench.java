package org.maskprop.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.train.TrainContext;
import org.maskprop.train.TrainRun;
import org.maskprop.train.TrainingHook;

/**
 * Resident memory over a long training run ({@code bench train-memory}, issue 5 "Must show"): a
 * real {@link TrainRun} (standard hooks, checkpoints included) with a hook that samples {@link
 * RssSeries} every {@code every} steps. One JSON line per sample ({@code op: train_memory}) and a
 * summary line ({@code op: train_memory_summary}): RSS after the warm-up vs at the end and the
 * slope per 1000 steps, which must be about 0 for a leak-free loop.
 */
public final class TrainMemoryBench {
  private TrainMemoryBench() {}

  /**
   * Trains {@code config} (its {@code train.iterations} steps) into {@code runDir}.
   *
   * @param every sample period in steps
   * @param warmup steps excluded from the slope (allocator pools and JIT settle first)
   * @param sink receives each sample row and finally the summary row (JSON-ready maps)
   * @return the summary row
   */
  public static Map<String, Object> run(
      MaskPropConfig config, Path runDir, int every, int warmup, Consumer<Map<String, Object>> sink) {
    if (every < 1) {
      throw new IllegalArgumentException("train-memory: --every must be >= 1, got " + every);
    }
    RssSeries series = new RssSeries();
    List<Double> stepMs = new ArrayList<>();
    TrainingHook sampler = new TrainingHook() {
      private final List<Double> sinceLast = new ArrayList<>();

      @Override
      public void beforeTrain(TrainContext ctx) {
        RssSeries.Sample s = series.sample(0);
        sink.accept(sampleRow(s, Double.NaN));
      }

      @Override
      public void afterStep(TrainContext ctx) {
        sinceLast.add(ctx.stepSeconds() * 1e3);
        long done = ctx.iteration() + 1;
        if (done % every == 0 || ctx.isLastIteration()) {
          double med = median(sinceLast);
          stepMs.addAll(sinceLast);
          sinceLast.clear();
          sink.accept(sampleRow(series.sample(done), med));
        }
      }
    };
    TrainRun.Result r = TrainRun.run(config, runDir, false, null, List.of(sampler));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("op", "train_memory_summary");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("preset", config.preset());
    params.put("steps", config.train().iterations());
    params.put("every", every);
    params.put("min_size", config.data().minSize());
    params.put("max_size", config.data().maxSize());
    summary.put("params", params);
    summary.putAll(series.summary(warmup));
    summary.put("step_ms_median", RssSeries.round1(median(stepMs)));
    summary.put("train_seconds", RssSeries.round1(r.seconds()));
    summary.put("last_total_loss", r.lastTotal());
    summary.put("threads", OpTimer.engineThreads());
    summary.put("impl", "maskprop-djl");
    sink.accept(summary);
    return summary;
  }

  private static Map<String, Object> sampleRow(RssSeries.Sample s, double stepMsMedian) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", "train_memory");
    m.put("step", s.at());
    m.put("rss_mib", RssSeries.round1(s.rssMiB()));
    m.put("heap_mib", RssSeries.round1(s.heapMiB()));
    m.put("native_mib", RssSeries.round1(s.nativeMiB()));
    if (!Double.isNaN(stepMsMedian)) {
      m.put("step_ms_median", RssSeries.round1(stepMsMedian));
    }
    return m;
  }

  static double median(List<Double> v) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    double[] s = v.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }
}
