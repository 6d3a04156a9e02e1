package org.maskprop.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.ImageTensors;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.infer.flow.BackwardWarp;
import org.maskprop.infer.flow.DisFlow;
import org.maskprop.infer.flow.FlowPropagator;

/**
 * The optical-flow baseline's parts ({@code flow-propagation}, {@link FlowPropagator}).
 *
 * <p>Timing ({@link #run}): {@code dis_flow} (OpenCV DIS, each preset and FlowPropagator's full-resolution MEDIUM, one grey
 * frame pair) and
 * {@code flow_warp} (bilinear backward warp of 10 masks) at the model-input sizes of the presets:
 * SynthVIS 96x128 frames at the CPU presets' scales and a YouTube-VIS 400x704 input. No peer.
 *
 * <p>Quality ({@link #warpIou}): on a YouTube-VIS-format dataset, each GT mask of frame {@code t}
 * is carried to {@code t + d} ({@code d = 1..k}) by warping it with the DIS flow from {@code t + d}
 * to {@code t} (as the baseline does, but with GT instead of detected masks), and compared with the
 * GT at {@code t + d} (mask IoU at 0.5); {@code copy} is the same without flow (the mask of
 * {@code t} unchanged). Mean over every (instance, t, d) where both masks are non-empty.
 *
 * <p>Run: {@code java -cp <lib classpath> org.maskprop.bench.FlowBench [regex]} (timing) or {@code
 * ... FlowBench --data ROOT [--split valid] [--k 6] [--preset MEDIUM] [--finest N]} (quality).
 */
public final class FlowBench {
  private FlowBench() {}

  private static final int[][] SIZES = {{64, 85}, {96, 128}, {128, 170}, {400, 704}};

  /** The presets at their own finest scale, then FlowPropagator's setting (MEDIUM at full resolution). */
  private static final Object[][] FLOWS = {{DisFlow.Preset.ULTRAFAST, -1}, {DisFlow.Preset.FAST, -1},
      {DisFlow.Preset.MEDIUM, -1}, {DisFlow.Preset.MEDIUM, 0}};

  public static void run(BenchOptions options, Consumer<BenchRow> sink) {
    for (int[] size : SIZES) {
      int h = size[0];
      int w = size[1];
      Random r = new Random(h * 31L + w);
      byte[] a = grey(h, w, r, 0);
      byte[] b = grey(h, w, new Random(h * 31L + w), 3); // the same content moved 3 px
      for (int c = 0; c < FLOWS.length && options.selects("dis_flow"); c++) {
        DisFlow.Preset preset = (DisFlow.Preset) FLOWS[c][0];
        int finest = (Integer) FLOWS[c][1];
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("size", List.of(h, w));
        p.put("preset", preset.name());
        p.put("finest_scale", finest < 0 ? "preset" : finest);
        try (DisFlow dis = new DisFlow(preset, finest)) {
          sink.accept(OpTimer.time("dis_flow", p, options.warmupOr(3), options.runsOr(h > 200 ? 10 : 30),
              () -> dis.compute(a, b, h, w)));
        }
      }
      if (options.selects("flow_warp")) {
        try (NDManager manager = NDManager.newBaseManager()) {
          NDArray masks = manager.randomUniform(0f, 1f, new Shape(10, h, w));
          NDArray flow = manager.randomUniform(-4f, 4f, new Shape(h, w, 2));
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("masks", List.of(10, h, w));
          sink.accept(OpTimer.time("flow_warp", p, options.warmupOr(3), options.runsOr(h > 200 ? 10 : 30),
              () -> BackwardWarp.warp(masks, flow).close()));
        }
      }
    }
  }

  /** A smooth random texture moved left by {@code shift} pixels (same {@code r} seed, same texture). */
  private static byte[] grey(int h, int w, Random r, int shift) {
    int cell = 8;
    int gw = (w + shift) / cell + 2;
    int gh = h / cell + 2;
    float[] g = new float[gh * gw];
    for (int i = 0; i < g.length; i++) {
      g[i] = 20 + 215 * r.nextFloat();
    }
    byte[] out = new byte[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float fy = (float) y / cell;
        float fx = (float) (x + shift) / cell; // frame(y, x) = texture(y, x + shift)
        int y0 = (int) fy;
        int x0 = (int) fx;
        float ly = fy - y0;
        float lx = fx - x0;
        float v = (1 - ly) * ((1 - lx) * g[y0 * gw + x0] + lx * g[y0 * gw + x0 + 1])
            + ly * ((1 - lx) * g[(y0 + 1) * gw + x0] + lx * g[(y0 + 1) * gw + x0 + 1]);
        out[y * w + x] = (byte) Math.round(v);
      }
    }
    return out;
  }

  /**
   * Mean mask IoU of GT masks carried {@code d = 1..k} frames by DIS warping ({@code warp}) and
   * unchanged ({@code copy}), with the pair counts: {@code [d][warp, copy, pairs]}.
   */
  public static double[][] warpIou(YtvisDataset gt, Path imageRoot, int k, DisFlow.Preset preset, int finestScale) {
    double[][] acc = new double[k + 1][3];
    try (NDManager manager = NDManager.newBaseManager(); DisFlow dis = new DisFlow(preset, finestScale)) {
      for (YtvisDataset.Video video : gt.videos()) {
        List<YtvisDataset.Annotation> anns = gt.annotationsOf(video.id());
        int h = video.height();
        int w = video.width();
        FrameTransform identity = FrameTransform.identity(h, w);
        List<byte[]> greys = new ArrayList<>();
        try (FrameSource frames = FrameSource.ofImages(imageRoot, video)) {
          for (int f = 0; f < frames.frameCount(); f++) {
            try (NDManager m = manager.newSubManager()) {
              greys.add(FlowPropagator.grey8(ImageTensors.of(m, frames.frame(f), identity)));
            }
          }
        }
        for (int t = 0; t < video.length(); t++) {
          for (int d = 1; d <= k && t + d < video.length(); d++) {
            List<byte[]> from = new ArrayList<>();
            List<byte[]> to = new ArrayList<>();
            for (YtvisDataset.Annotation a : anns) {
              Rle mt = a.segmentations().get(t);
              Rle md = a.segmentations().get(t + d);
              if (mt != null && md != null && mt.area() > 0 && md.area() > 0) {
                from.add(mt.decode());
                to.add(md.decode());
              }
            }
            if (from.isEmpty()) {
              continue;
            }
            float[] flow = dis.compute(greys.get(t + d), greys.get(t), h, w); // t + d -> t
            float[] masks = new float[from.size() * h * w];
            for (int i = 0; i < from.size(); i++) {
              byte[] m = from.get(i);
              for (int p = 0; p < m.length; p++) {
                masks[i * h * w + p] = m[p];
              }
            }
            float[] warped;
            try (NDManager m = manager.newSubManager()) {
              warped = BackwardWarp.warp(m.create(masks, new Shape(from.size(), h, w)),
                  m.create(flow, new Shape(h, w, 2))).toFloatArray();
            }
            for (int i = 0; i < from.size(); i++) {
              acc[d][0] += iou(warped, i * h * w, to.get(i));
              acc[d][1] += iou(masks, i * h * w, to.get(i));
              acc[d][2]++;
            }
          }
        }
      }
    }
    for (int d = 1; d <= k; d++) {
      if (acc[d][2] > 0) {
        acc[d][0] /= acc[d][2];
        acc[d][1] /= acc[d][2];
      }
    }
    return acc;
  }

  private static double iou(float[] soft, int offset, byte[] gt) {
    long inter = 0;
    long union = 0;
    for (int p = 0; p < gt.length; p++) {
      boolean a = soft[offset + p] > 0.5f;
      boolean b = gt[p] != 0;
      inter += a && b ? 1 : 0;
      union += a || b ? 1 : 0;
    }
    return union == 0 ? 1 : (double) inter / union;
  }

  /** Timing rows as JSON lines (optional op regex), or with {@code --data} the warp-IoU table. */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("--data")) {
      Path root = Path.of(args[1]);
      String split = "valid";
      int k = 6;
      DisFlow.Preset preset = DisFlow.Preset.MEDIUM;
      int finest = -1;
      for (int i = 2; i + 1 < args.length; i += 2) {
        switch (args[i]) {
          case "--split" -> split = args[i + 1];
          case "--k" -> k = Integer.parseInt(args[i + 1]);
          case "--preset" -> preset = DisFlow.Preset.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
          case "--finest" -> finest = Integer.parseInt(args[i + 1]);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      YtvisDataset gt = YtvisDataset.read(root.resolve(split + ".json"));
      double[][] r = warpIou(gt, root.resolve(split).resolve("JPEGImages"), k, preset, finest);
      System.out.println("d\twarp_iou\tcopy_iou\tpairs   (" + root + " " + split + ", DIS " + preset
          + ", finest scale " + (finest < 0 ? "preset's" : finest) + ")");
      for (int d = 1; d <= k; d++) {
        System.out.printf(Locale.ROOT, "%d\t%.4f\t%.4f\t%d%n", d, r[d][0], r[d][1], (long) r[d][2]);
      }
      return;
    }
    Pattern ops = Pattern.compile(args.length > 0 ? args[0] : ".");
    run(new BenchOptions(ops, 0, -1), row -> System.out.println(row.toJson()));
  }
}
