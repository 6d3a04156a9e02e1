package org.maskprop.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.maskprop.ops.DeformConv2d;

/**
 * Benchmarks of {@link DeformConv2d} and of the dense conv2d it is compared with, in the peer
 * harness's shape ({@code ../shared/bench/peer_torch.py}, ops {@code deform_conv2d} and
 * {@code conv2d}): 3x3, 256 -> 256 channels on {@code [1, 256, 64, 64]}, padding = dilation, for the
 * dilations of the propagation branch (1, 3, 6, 12), forward and forward+backward. Inputs follow the
 * peer: x ~ N(0, 1), weight ~ N(0, 2/(9C)), bias 0, offsets ~ N(0, 1), upstream gradient ~ N(0, 1).
 */
public final class DeformConvBench {
  private static final List<Integer> DILATIONS = List.of(1, 3, 6, 12);
  private static final int N = 1;
  private static final int C = 256;
  private static final int HW = 64;
  private static final int COUT = 256;

  private DeformConvBench() {}

  /** Runs the rows selected by {@code options.ops()} and hands each to {@code sink}. */
  public static void run(BenchOptions options, Consumer<BenchRow> sink) {
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(0);
      for (int d : DILATIONS) {
        for (boolean backward : new boolean[] {false, true}) {
          if (options.selects("conv2d")) {
            sink.accept(row(manager, options, false, d, backward, C, HW));
          }
          if (options.selects("deform_conv2d")) {
            sink.accept(row(manager, options, true, d, backward, C, HW));
          }
        }
      }
    }
  }

  /**
   * Leak check: 1000 forward+backward calls of each op on {@code [1, 64, 32, 32]} (dilation 3),
   * printing resident memory every 100 calls; it should stay flat after the first hundred.
   */
  public static void runMemory(BenchOptions options, PrintStream out) {
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(0);
      for (boolean deformable : new boolean[] {true, false}) {
        String op = deformable ? "deform_conv2d" : "conv2d";
        if (!options.selects(op)) {
          continue;
        }
        try (Case c = new Case(manager, deformable, 3, true, 64, 32)) {
          for (int i = 1; i <= 1000; i++) {
            c.step();
            if (i % 100 == 0) {
              out.printf("%s [1, 64, 32, 32] fwd+bwd call %d: resident %.1f MiB%n", op, i, OpTimer.residentMiB());
            }
          }
        }
      }
    }
  }

  private static BenchRow row(
      NDManager manager, BenchOptions options, boolean deformable, int d, boolean backward, int c, int hw) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("input", List.of(N, c, hw, hw));
    params.put("out_channels", COUT);
    params.put("kernel", 3);
    params.put("dilation", d);
    params.put("padding", d);
    params.put("backward", backward);
    if (deformable) {
      params.put("offset_shape", List.of(N, 18, hw, hw));
      params.put("offset_std", 1.0);
      params.put("modulated", false);
    }
    int runs = options.runsOr(deformable ? (backward ? 8 : 15) : (backward ? 20 : 30));
    int warmup = options.warmupOr(deformable && backward ? 2 : 3);
    try (Case cs = new Case(manager, deformable, d, backward, c, hw)) {
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      BenchRow row = OpTimer.time(deformable ? "deform_conv2d" : "conv2d", params, warmup, runs, cs::step);
      long wall = System.nanoTime() - wall0;
      if (cpu0 >= 0 && row.extra() != null) {
        // As the peer's "cpu.self_cores" (here over warm-up and timed runs): 2.0 = both cores ours.
        double cores = (processCpuNanos() - cpu0) / (double) wall;
        row.extra().put("cpu", Map.of("self_cores", Math.round(cores * 100) / 100.0));
      }
      return row;
    }
  }

  /** CPU time of this process in ns, or -1 where the JVM does not report it. */
  private static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** One configuration's inputs, kept for all runs; each step works in its own sub-manager. */
  private static final class Case implements AutoCloseable {
    private final NDManager m;
    private final boolean deformable;
    private final boolean backward;
    private final Shape pad;
    private final NDArray x;
    private final NDArray weight;
    private final NDArray bias;
    private final NDArray offset;
    private final NDArray gradOut;

    Case(NDManager parent, boolean deformable, int d, boolean backward, int c, int hw) {
      this.m = parent.newSubManager();
      this.deformable = deformable;
      this.backward = backward;
      this.pad = new Shape(d, d);
      int cout = c;
      x = m.randomNormal(new Shape(N, c, hw, hw));
      weight = m.randomNormal(0f, (float) Math.sqrt(2.0 / (9 * c)), new Shape(cout, c, 3, 3), x.getDataType());
      bias = m.zeros(new Shape(cout));
      offset = m.randomNormal(new Shape(N, 18, hw, hw));
      gradOut = m.randomNormal(new Shape(N, cout, hw, hw));
      for (NDArray a : new NDArray[] {x, weight, bias, offset}) {
        a.setRequiresGradient(backward);
      }
    }

    void step() {
      try (NDManager s = m.newSubManager()) {
        if (!backward) {
          forward().attach(s);
          return;
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray out = forward();
          out.attach(s);
          NDArray loss = out.mul(gradOut).sum();
          loss.attach(s);
          gc.backward(loss);
        }
      }
    }

    private NDArray forward() {
      Shape one = new Shape(1, 1);
      if (deformable) {
        return DeformConv2d.deformConv2d(x, offset, null, weight, bias, one, pad, pad, 1);
      }
      return Conv2d.conv2d(x, weight, bias, one, pad, pad, 1).singletonOrThrow();
    }

    @Override
    public void close() {
      m.close();
    }
  }
}
