package org.maskprop.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.data.YtvisResults;

/**
 * A seeded YouTube-VIS-sized evaluation case for {@code maskprop bench eval}: 360x640 frames, 40
 * categories, 1-6 GT tracks per video (ellipses of plausible object size moving and scaling over
 * the video, some entering late or leaving early), and per video a fixed number of results: noisy
 * copies of the GT (shifted, rescaled, dropped frames, sometimes the wrong category), duplicates
 * and false positives with lower scores. Masks are built as column runs, so generation has no
 * per-pixel work either.
 */
public final class EvalBenchmark {
  public static final int HEIGHT = 360;
  public static final int WIDTH = 640;
  public static final int CATEGORIES = 40;

  private EvalBenchmark() {}

  /** A GT split plus results in the official submission order. */
  public record Case(YtvisDataset gt, List<YtvisResult> results) {}

  /** One object's ellipse per frame ({@code null} where absent). */
  private record Track(int category, double[][] ellipses) {}

  /** One benchmark row; {@link #toJson()} is the line {@code bench eval} prints and appends. */
  public record Timing(int videos, int frames, int results, double loadS, double evalS, int threads,
      int warmup, int runs, Metrics metrics, double loadCpuS, double evalCpuS) {
    public String toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("videos", videos);
      m.put("frames", frames);
      m.put("results", results);
      m.put("load_s", Math.round(loadS * 1e4) / 1e4);
      m.put("eval_s", Math.round(evalS * 1e4) / 1e4);
      m.put("threads", threads);
      m.put("warmup", warmup);
      m.put("runs", runs);
      // CPU seconds of the whole process (all threads, JIT and GC included): less sensitive than
      // wall time to other load on a shared machine; -1 where the JVM cannot measure it
      m.put("load_cpu_s", Math.round(loadCpuS * 1e4) / 1e4);
      m.put("eval_cpu_s", Math.round(evalCpuS * 1e4) / 1e4);
      try {
        return new ObjectMapper().writeValueAsString(m);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Generates a case, writes {@code gt.json} and {@code results.json} into {@code dir} (a fresh
   * temp folder, deleted afterwards, when null), then times reading both with the project's readers
   * ({@code load_s}) and evaluating on {@code threads} threads ({@code eval_s}, evaluator
   * construction included): {@code warmup} untimed rounds, then the median of {@code runs} timed
   * rounds. {@code warmup = 0, runs = 1} is what one {@code maskprop eval} call in a fresh JVM sees.
   */
  public static Timing run(int videos, int frames, int resultsPerVideo, long seed, int threads,
      int warmup, int runs, Path dir) {
    if (warmup < 0 || runs < 1) {
      throw new IllegalArgumentException("warmup must be >= 0 and runs >= 1");
    }
    Case c = generate(videos, frames, resultsPerVideo, seed);
    boolean temp = dir == null;
    try {
      Path d = temp ? Files.createTempDirectory("maskprop-bench-eval") : dir;
      try {
        Path gtPath = d.resolve("gt.json");
        Path resPath = d.resolve("results.json");
        c.gt().write(gtPath);
        YtvisResults.write(resPath, c.results());
        double[] load = new double[runs];
        double[] eval = new double[runs];
        double[] loadCpu = new double[runs];
        double[] evalCpu = new double[runs];
        Metrics m = null;
        int n = 0;
        for (int round = 0; round < warmup + runs; round++) {
          long c0 = processCpuNanos();
          long t0 = System.nanoTime();
          YtvisDataset gt = YtvisDataset.read(gtPath);
          List<YtvisResult> results = YtvisResults.read(resPath, gt, false);
          long t1 = System.nanoTime();
          long c1 = processCpuNanos();
          YtvisEvaluator evaluator = new YtvisEvaluator(gt, threads);
          evaluator.process(results);
          m = evaluator.evaluate();
          long t2 = System.nanoTime();
          long c2 = processCpuNanos();
          n = results.size();
          if (round >= warmup) {
            load[round - warmup] = (t1 - t0) / 1e9;
            eval[round - warmup] = (t2 - t1) / 1e9;
            loadCpu[round - warmup] = c0 < 0 ? -1 : (c1 - c0) / 1e9;
            evalCpu[round - warmup] = c0 < 0 ? -1 : (c2 - c1) / 1e9;
          }
        }
        return new Timing(videos, frames, n, median(load), median(eval), threads, warmup, runs, m,
            median(loadCpu), median(evalCpu));
      } finally {
        if (temp) {
          deleteTree(d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("bench eval: " + e.getMessage(), e);
    }
  }

  /** CPU time of this process so far, or -1 if the platform does not report it. */
  private static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  private static void deleteTree(Path d) throws IOException {
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Generates the case; the same arguments give the same case. */
  public static Case generate(int videos, int frames, int resultsPerVideo, long seed) {
    if (videos < 1 || frames < 1 || resultsPerVideo < 0) {
      throw new IllegalArgumentException("videos and frames must be >= 1, results >= 0");
    }
    SplittableRandom rng = new SplittableRandom(seed);
    List<YtvisDataset.Video> vids = new ArrayList<>();
    List<YtvisDataset.Category> cats = new ArrayList<>();
    List<YtvisDataset.Annotation> anns = new ArrayList<>();
    List<YtvisResult> results = new ArrayList<>();
    for (int c = 1; c <= CATEGORIES; c++) {
      cats.add(new YtvisDataset.Category(c, "category" + c, "object"));
    }
    int annId = 1;
    for (int v = 1; v <= videos; v++) {
      List<String> names = new ArrayList<>();
      for (int f = 0; f < frames; f++) {
        names.add(String.format("bench_%04d/%05d.jpg", v, 5 * f));
      }
      vids.add(new YtvisDataset.Video(v, WIDTH, HEIGHT, frames, names));
      int nTracks = 1 + rng.nextInt(6);
      List<Track> tracks = new ArrayList<>();
      for (int i = 0; i < nTracks; i++) {
        Track t = randomTrack(rng, frames, 1 + rng.nextInt(CATEGORIES));
        tracks.add(t);
        List<Rle> segs = new ArrayList<>();
        List<Double> areas = new ArrayList<>();
        List<double[]> boxes = new ArrayList<>();
        for (double[] e : t.ellipses()) {
          Rle r = e == null ? null : ellipse(HEIGHT, WIDTH, e[0], e[1], e[2], e[3]);
          segs.add(r);
          areas.add(r == null ? null : (double) r.area());
          boxes.add(r == null ? null : r.toBbox());
        }
        int crowd = rng.nextDouble() < 0.03 ? 1 : 0;
        anns.add(new YtvisDataset.Annotation(
            annId++, v, t.category(), crowd, HEIGHT, WIDTH, segs, areas, boxes));
      }
      List<YtvisResult> videoResults = new ArrayList<>();
      for (int i = 0; i < resultsPerVideo; i++) {
        boolean fromGt = i < tracks.size() || rng.nextDouble() < 0.4;
        Track src = fromGt ? tracks.get(i < tracks.size() ? i : rng.nextInt(tracks.size()))
            : randomTrack(rng, frames, 1 + rng.nextInt(CATEGORIES));
        int category = src.category();
        if (fromGt && rng.nextDouble() < 0.1) {
          category = 1 + rng.nextInt(CATEGORIES);
        }
        double score = fromGt && i < tracks.size()
            ? 0.5 + 0.5 * rng.nextDouble()
            : 0.5 * rng.nextDouble();
        score = Math.round(score * 1e4) / 1e4; // 4 decimals, as written results: ties happen
        videoResults.add(new YtvisResult(v, category, score, noisy(rng, src, fromGt)));
      }
      results.addAll(videoResults);
    }
    YtvisDataset gt = new YtvisDataset(null, null, null, vids, cats, anns);
    return new Case(gt, results);
  }

  /** An object moving linearly and changing scale; present on a contiguous span of frames. */
  private static Track randomTrack(SplittableRandom rng, int frames, int category) {
    // semi-axes log-uniform in [12, 150] px: areas from ~450 px to most of the frame
    double rx = Math.exp(Math.log(12) + rng.nextDouble() * Math.log(150.0 / 12));
    double ry = rx * Math.exp((rng.nextDouble() - 0.5) * 1.2);
    double cx = rng.nextDouble() * WIDTH;
    double cy = rng.nextDouble() * HEIGHT;
    double vx = (rng.nextDouble() - 0.5) * 12;
    double vy = (rng.nextDouble() - 0.5) * 6;
    double growth = Math.exp((rng.nextDouble() - 0.5) * 0.04);
    int start = rng.nextDouble() < 0.3 ? rng.nextInt(Math.max(1, frames / 2)) : 0;
    int end = rng.nextDouble() < 0.3 ? frames - rng.nextInt(Math.max(1, frames / 2)) : frames;
    double[][] e = new double[frames][];
    for (int f = start; f < end; f++) {
      double s = Math.pow(growth, f);
      double x = cx + vx * f;
      double y = cy + vy * f;
      // keep the centre inside the frame so the object is visible
      x = Math.max(0, Math.min(WIDTH - 1, x));
      y = Math.max(0, Math.min(HEIGHT - 1, y));
      e[f] = new double[] {x, y, rx * s, ry * s};
    }
    return new Track(category, e);
  }

  /** A prediction of {@code src}: per-frame jitter, a global offset, dropped frames. */
  private static List<Rle> noisy(SplittableRandom rng, Track src, boolean fromGt) {
    double dx = fromGt ? (rng.nextDouble() - 0.5) * 16 : 0;
    double dy = fromGt ? (rng.nextDouble() - 0.5) * 10 : 0;
    double scale = fromGt ? 0.85 + 0.3 * rng.nextDouble() : 1;
    List<Rle> out = new ArrayList<>();
    for (double[] e : src.ellipses()) {
      if (e == null || (fromGt && rng.nextDouble() < 0.05)) {
        out.add(null);
        continue;
      }
      double j = fromGt ? 3 : 0;
      out.add(ellipse(HEIGHT, WIDTH,
          e[0] + dx + (rng.nextDouble() - 0.5) * j, e[1] + dy + (rng.nextDouble() - 0.5) * j,
          e[2] * scale, e[3] * scale));
    }
    return out;
  }

  /**
   * The filled ellipse with centre {@code (cx, cy)} and semi-axes {@code (rx, ry)} in pixel
   * coordinates (pixel {@code (x, y)} covers {@code [x, x+1) x [y, y+1)}; a pixel is inside if its
   * centre is), clipped to the frame, built directly as column-major runs: one run per column.
   */
  static Rle ellipse(int height, int width, double cx, double cy, double rx, double ry) {
    int[] counts = new int[2 * width + 1];
    int n = 0;
    long pos = 0; // end of the last foreground run, column-major
    for (int x = 0; x < width; x++) {
      double u = (x + 0.5 - cx) / rx;
      if (Math.abs(u) >= 1) {
        continue;
      }
      double half = ry * Math.sqrt(1 - u * u);
      int y0 = (int) Math.max(0, Math.ceil(cy - half - 0.5));
      int y1 = (int) Math.min(height, Math.floor(cy + half - 0.5) + 1);
      if (y1 <= y0) {
        continue;
      }
      long start = (long) x * height + y0;
      long end = (long) x * height + y1;
      if (n > 0 && start == pos) {
        counts[n - 1] += (int) (end - start); // touches the previous run: extend it
      } else {
        counts[n++] = (int) (start - pos); // background
        counts[n++] = (int) (end - start); // foreground
      }
      pos = end;
    }
    counts[n++] = (int) ((long) height * width - pos);
    int[] c = new int[n];
    System.arraycopy(counts, 0, c, 0, n);
    return new Rle(height, width, c);
  }
}
