package org.maskprop.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resident memory of this process sampled along a long run (training steps, video frames): each
 * sample collects garbage first, so that the resident size reflects live memory rather than how
 * much young generation the JVM has touched, and records RSS ({@code /proc/self/status} VmRSS) and
 * the live Java heap. {@link #summary} says whether memory is flat after a warm-up: the value after
 * it, the last value, the peak, and the least-squares slope per 1000 units after it.
 */
public final class RssSeries {
  /**
   * One sample at position {@code at} (step or frame count): RSS, live Java heap, and RSS minus the
   * committed Java heap ({@code nativeMiB}: native tensors, allocator pools, code; the JVM grows and
   * shrinks its committed heap around a GC, which moves RSS without any leak).
   */
  public record Sample(long at, double rssMiB, double heapMiB, double nativeMiB) {
    public Sample(long at, double rssMiB, double heapMiB) {
      this(at, rssMiB, heapMiB, Double.NaN);
    }
  }

  private final List<Sample> samples = new ArrayList<>();

  /** Collects garbage, then records RSS and live heap at {@code at}. */
  public Sample sample(long at) {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    double rss = OpTimer.residentMiB();
    Sample s = new Sample(at, rss, (rt.totalMemory() - rt.freeMemory()) / 1048576.0, rss - rt.totalMemory() / 1048576.0);
    samples.add(s);
    return s;
  }

  public List<Sample> samples() {
    return List.copyOf(samples);
  }

  /**
   * Flatness after {@code warmup}: {@code rss_after_warmup_mib} (first sample at or after it),
   * {@code rss_end_mib}, {@code rss_peak_mib}, {@code rss_slope_mib_per_1000} and {@code
   * heap_slope_mib_per_1000} (least squares over the samples at or after it; NaN with fewer than
   * two).
   */
  public Map<String, Object> summary(long warmup) {
    List<Sample> after = samples.stream().filter(s -> s.at() >= warmup).toList();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("warmup", warmup);
    m.put("samples", samples.size());
    m.put("rss_after_warmup_mib", after.isEmpty() ? Double.NaN : round1(after.get(0).rssMiB()));
    m.put("rss_end_mib", samples.isEmpty() ? Double.NaN : round1(samples.get(samples.size() - 1).rssMiB()));
    m.put("rss_peak_mib", round1(samples.stream().mapToDouble(Sample::rssMiB).max().orElse(Double.NaN)));
    m.put("rss_slope_mib_per_1000", round1(1000 * slope(after, true)));
    m.put("native_after_warmup_mib", after.isEmpty() ? Double.NaN : round1(after.get(0).nativeMiB()));
    m.put("native_end_mib", samples.isEmpty() ? Double.NaN : round1(samples.get(samples.size() - 1).nativeMiB()));
    m.put("native_slope_mib_per_1000", round1(1000 * slope(after.stream()
        .map(x -> new Sample(x.at(), x.nativeMiB(), x.heapMiB())).toList(), true)));
    m.put("heap_slope_mib_per_1000", round1(1000 * slope(after, false)));
    return m;
  }

  /** Least-squares slope of RSS (or heap) over position; NaN with fewer than two distinct positions. */
  static double slope(List<Sample> s, boolean rss) {
    int n = s.size();
    if (n < 2) {
      return Double.NaN;
    }
    double mx = 0;
    double my = 0;
    for (Sample x : s) {
      mx += x.at();
      my += rss ? x.rssMiB() : x.heapMiB();
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    for (Sample x : s) {
      double dx = x.at() - mx;
      sxy += dx * ((rss ? x.rssMiB() : x.heapMiB()) - my);
      sxx += dx * dx;
    }
    return sxx == 0 ? Double.NaN : sxy / sxx;
  }

  static double round1(double v) {
    return Double.isNaN(v) ? v : Math.round(v * 10.0) / 10.0;
  }
}
