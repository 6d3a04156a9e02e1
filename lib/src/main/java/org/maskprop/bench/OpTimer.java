package org.maskprop.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Times a body as the peer harness does: warm-up runs, then {@code runs} timed runs; median/min/max. */
public final class OpTimer {
  private OpTimer() {}

  /** Intra-op threads of the PyTorch engine, as configured for this JVM (recorded in each row). */
  public static int engineThreads() {
    String t = System.getProperty("ai.djl.pytorch.num_threads");
    if (t != null) {
      return Integer.parseInt(t.trim());
    }
    return Runtime.getRuntime().availableProcessors();
  }

  /**
   * Runs {@code body} {@code warmup} times untimed, then {@code runs} times timed. The body must do
   * all its work before returning (read back a scalar, or close its arrays), so the engine cannot
   * defer work past the clock.
   */
  public static BenchRow time(
      String op, Map<String, Object> params, int warmup, int runs, Runnable body) {
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      body.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    double[] s = ms.clone();
    Arrays.sort(s);
    double median = runs % 2 == 1 ? s[runs / 2] : 0.5 * (s[runs / 2 - 1] + s[runs / 2]);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("warmup", warmup);
    return new BenchRow(op, params, median, s[0], s[runs - 1], engineThreads(), runs, extra);
  }

  /** Resident set size of this process in MiB (Linux {@code /proc/self/status}), or -1. */
  public static double residentMiB() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) / 1024.0;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
