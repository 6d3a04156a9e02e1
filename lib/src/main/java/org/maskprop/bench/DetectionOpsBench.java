package org.maskprop.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.maskprop.ops.Nms;
import org.maskprop.ops.RoiAlign;

/**
 * Benchmarks of {@link RoiAlign} and {@link Nms} in the peer harness's shape ({@code
 * ../shared/bench/peer_torch.py}, ops {@code roi_align} and {@code nms}) on the peer's exact inputs:
 *
 * <ul>
 *   <li>roi_align: P2-like map {@code [1, 256, 200, 304]} (stride 4) ~ N(0, 1), 512 / 1000
 *       "realistic" boxes, 7x7 and 14x14, sampling 2, aligned, forward and forward+backward with an
 *       N(0, 1) upstream gradient. The boxes are the peer's own draws, dumped by {@code
 *       lib/src/test/python/dump_bench_inputs.py} into {@code org/maskprop/bench/roi-boxes-n*.npz}.
 *   <li>nms: {@code batched_nms} on the peer's 1000 / 10000 boxes ({@code inputs/nms-n*-c1-seed0.npz},
 *       copied as resources), IoU 0.7 and 0.5, one class.
 * </ul>
 */
public final class DetectionOpsBench {
  private static final int C = 256;
  private static final int H = 200;
  private static final int W = 304;
  private static final int STRIDE = 4;
  private static final String RESOURCES = "/org/maskprop/bench/";

  private DetectionOpsBench() {}

  /** Runs the rows selected by {@code options.ops()} and hands each to {@code sink}. */
  public static void run(BenchOptions options, Consumer<BenchRow> sink) {
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(0);
      if (options.selects("roi_align")) {
        for (int n : new int[] {512, 1000}) {
          for (int size : new int[] {7, 14}) {
            for (boolean backward : new boolean[] {false, true}) {
              sink.accept(roiAlignRow(manager, options, n, size, backward));
            }
          }
        }
      }
      if (options.selects("nms")) {
        for (int n : new int[] {1000, 10000}) {
          for (double iou : new double[] {0.7, 0.5}) {
            sink.accept(nmsRow(manager, options, n, iou));
          }
        }
      }
    }
  }

  /**
   * Leak check: 1000 forward+backward calls of roi_align on {@code [1, 64, 32, 32]} with 64 boxes
   * (7x7, sampling 2, aligned) and 1000 nms calls on the 1000-box input, printing resident memory
   * every 100 calls; it should stay flat after the first hundred.
   */
  public static void runMemory(BenchOptions options, PrintStream out) {
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(0);
      if (options.selects("roi_align")) {
        try (NDManager m = manager.newSubManager()) {
          NDArray feature = m.randomNormal(new Shape(1, 64, 32, 32));
          feature.setRequiresGradient(true);
          NDArray rois = randomRois(m, 64, 128, 128, new Random(0));
          NDArray gradOut = m.randomNormal(new Shape(64, 64, 7, 7));
          RoiAlign op = new RoiAlign(7, 7, 2, true);
          for (int i = 1; i <= 1000; i++) {
            roiAlignStep(m, op, feature, rois, gradOut, 0.25, true);
            if (i % 100 == 0) {
              String heap = heap();
              out.printf("roi_align [1, 64, 32, 32] 64 boxes fwd+bwd call %d: resident %.1f MiB%s%n",
                  i, OpTimer.residentMiB(), heap);
            }
          }
        }
      }
      if (options.selects("nms")) {
        try (NDManager m = manager.newSubManager()) {
          NDList in = load(m, "nms-n1000-c1-seed0.npz");
          for (int i = 1; i <= 1000; i++) {
            nmsStep(m, in, 0.7);
            if (i % 100 == 0) {
              String heap = heap();
              out.printf("nms 1000 boxes call %d: resident %.1f MiB%s%n", i, OpTimer.residentMiB(), heap);
            }
          }
        }
      }
    }
  }

  /**
   * Collects garbage first, so that the resident size reflects live memory rather than how much
   * of the young generation the JVM has touched so far, and reports the live Java heap.
   */
  private static String heap() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return String.format(" (live Java heap %.1f MiB)", (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
  }

  private static BenchRow roiAlignRow(NDManager manager, BenchOptions options, int n, int size, boolean backward) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("feature", List.of(1, C, H, W));
    params.put("stride", STRIDE);
    params.put("boxes", n);
    params.put("box_gen", "realistic");
    params.put("output_size", size);
    params.put("sampling_ratio", 2);
    params.put("aligned", true);
    params.put("backward", backward);
    try (NDManager m = manager.newSubManager()) {
      NDArray feature = m.randomNormal(new Shape(1, C, H, W));
      feature.setRequiresGradient(backward);
      NDArray boxes = load(m, "roi-boxes-n" + n + ".npz").get(0); // [n, 4]
      NDArray rois = m.zeros(new Shape(n, 1)).concat(boxes, 1); // batch index 0
      NDArray gradOut = m.randomNormal(new Shape(n, C, size, size));
      RoiAlign op = new RoiAlign(size, size, 2, true);
      int runs = options.runsOr(backward ? 5 : 8);
      int warmup = options.warmupOr(1);
      return timeWithCpu("roi_align", params, warmup, runs,
          () -> roiAlignStep(m, op, feature, rois, gradOut, 1.0 / STRIDE, backward));
    }
  }

  private static void roiAlignStep(
      NDManager parent, RoiAlign op, NDArray feature, NDArray rois, NDArray gradOut, double scale, boolean backward) {
    try (NDManager s = parent.newSubManager()) {
      if (!backward) {
        op.forward(feature, rois, scale).attach(s);
        return;
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = op.forward(feature, rois, scale);
        out.attach(s);
        // out.backward(gradOut), as the peer does (no extra mul/sum pass)
        JniUtils.backward((PtNDArray) out, (PtNDArray) gradOut, false, false);
      }
    }
  }

  private static BenchRow nmsRow(NDManager manager, BenchOptions options, int n, double iou) {
    Map<String, Object> boxGen = new LinkedHashMap<>();
    boxGen.put("objects", 16);
    boxGen.put("obj_side", List.of(32, 400));
    boxGen.put("fg_frac", 0.6);
    boxGen.put("jitter_ctr", 0.1);
    boxGen.put("jitter_log_wh", 0.15);
    boxGen.put("bg_side", List.of(16, 512));
    boxGen.put("aspect", List.of(0.5, 2.0));
    boxGen.put("name", "realistic");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("boxes", n);
    params.put("classes", 1);
    params.put("iou", iou);
    params.put("image", List.of(800, 1333));
    params.put("box_gen", boxGen);
    params.put("seed", 0);
    try (NDManager m = manager.newSubManager()) {
      NDList in = load(m, "nms-n" + n + "-c1-seed0.npz");
      int runs = options.runsOr(n <= 1000 ? 500 : 30);
      int warmup = options.warmupOr(n <= 1000 ? 50 : 5); // let the JIT settle on the short calls
      BenchRow row = timeWithCpu("nms", params, warmup, runs, () -> nmsStep(m, in, iou));
      Map<String, Object> extra = new LinkedHashMap<>(row.extra());
      extra.put("kept", nmsStep(m, in, iou));
      return new BenchRow(row.op(), row.params(), row.medianMs(), row.minMs(), row.maxMs(), row.threads(),
          row.runs(), extra);
    }
  }

  /**
   * {@link OpTimer#time} plus the process CPU time of the timed runs, as the peer reports it:
   * {@code cpu.self_cores} = CPU seconds / wall seconds, and {@code cpu_ms_per_run}. On a shared
   * machine CPU per run is a steadier basis of comparison than wall time.
   */
  private static BenchRow timeWithCpu(String op, Map<String, Object> params, int warmup, int runs, Runnable body) {
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    BenchRow row = OpTimer.time(op, params, 0, runs, body);
    double wallMs = (System.nanoTime() - t0) / 1e6;
    double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6;
    Map<String, Object> extra = new LinkedHashMap<>(row.extra());
    extra.put("warmup", warmup);
    extra.put("cpu", Map.of("self_cores", Math.round(cpuMs / wallMs * 100) / 100.0));
    extra.put("cpu_ms_per_run", Math.round(cpuMs / runs * 10) / 10.0);
    return new BenchRow(row.op(), row.params(), row.medianMs(), row.minMs(), row.maxMs(), row.threads(), row.runs(), extra);
  }

  /** One batched NMS; returns the number kept. */
  private static long nmsStep(NDManager parent, NDList in, double iou) {
    try (NDManager s = parent.newSubManager()) {
      NDArray keep = Nms.batched(in.get("boxes"), in.get("scores"), in.get("idxs"), iou);
      keep.attach(s);
      return keep.size();
    }
  }

  /** {@code (boxes + 1) x 5} rois in an image of {@code h x w}: centres uniform, sides 8..h/2. */
  private static NDArray randomRois(NDManager m, int n, int h, int w, Random rnd) {
    float[] r = new float[n * 5];
    for (int i = 0; i < n; i++) {
      float cx = rnd.nextFloat() * w;
      float cy = rnd.nextFloat() * h;
      float bw = 8 + rnd.nextFloat() * (w / 2f - 8);
      float bh = 8 + rnd.nextFloat() * (h / 2f - 8);
      r[5 * i + 1] = cx - bw / 2;
      r[5 * i + 2] = cy - bh / 2;
      r[5 * i + 3] = cx + bw / 2;
      r[5 * i + 4] = cy + bh / 2;
    }
    return m.create(r, new Shape(n, 5));
  }

  /** Arrays of a bundled .npz, named by their keys. */
  private static NDList load(NDManager m, String name) {
    try (InputStream in = DetectionOpsBench.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing bench resource " + RESOURCES + name);
      }
      NDList list = NDList.decode(m, in);
      for (NDArray a : list) {
        if (a.getName() != null && a.getName().endsWith(".npy")) {
          a.setName(a.getName().substring(0, a.getName().length() - 4));
        }
      }
      return list;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the benchmark rows for {@code args[0]} (op regex, default all) and prints JSON lines. */
  public static void main(String[] args) {
    String regex = args.length > 0 ? args[0] : "roi_align|nms";
    BenchOptions options = new BenchOptions(java.util.regex.Pattern.compile(regex), 0, -1);
    if (args.length > 1 && args[1].equals("--memory")) {
      runMemory(options, System.out);
      return;
    }
    run(options, row -> System.out.println(row.toJson()));
  }
}
