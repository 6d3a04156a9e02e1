package org.maskprop.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.FramePair;
import org.maskprop.data.FrameTargets;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.ImageTensors;
import org.maskprop.data.PairBatch;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.model.detect.Detections;
import org.maskprop.model.detect.GtInstances;
import org.maskprop.model.detect.RpnOutput;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.LossTerms;
import org.maskprop.ops.MaskPaster;
import org.maskprop.ops.ShapeSpec;
import org.maskprop.train.BatchSource;
import org.maskprop.train.TrainContext;
import org.maskprop.train.TrainRun;
import org.maskprop.train.TrainableModel;
import org.maskprop.train.Trainer;
import org.maskprop.train.TrainingHook;

/**
 * Whole-model throughput at 512x512 with ResNet-50 FPN ({@code bench model}), paired with the peer
 * harness's torchvision {@code maskrcnn_resnet50_fpn} rows ({@code ../shared/bench/peer_torch.py},
 * ops {@code maskrcnn} and {@code train_step}); our rows carry the peer's {@code params} keys and
 * values.
 *
 * <p>Our model is configured as the peer's ({@link #config}): single-stage Mask R-CNN (one box
 * stage at IoU 0.5, class-specific box regression, 1024-wide box head, 4-conv mask head with 28x28
 * masks), 91 classes with background, no semantic head, no refiner; RPN anchors 32..512 x 3 ratios,
 * 2000/2000 proposals per level before/after NMS in training, 1000/1000 at test, 256 anchors and
 * 512 RoIs sampled per image; trainable BatchNorm and all five stages trainable in training (as
 * torchvision builds the model without pretrained weights); SGD lr 0.001, momentum 0.9, weight
 * decay 1e-4, no clipping. Random weights, seeded.
 *
 * <ul>
 *   <li>{@code maskrcnn_infer} (pairs with {@code maskrcnn}): normalisation, backbone, RPN, RoI
 *       heads with the mask head, and pasting the masks into the frame, as torchvision's {@code
 *       model([img])} does; once with score threshold 0.05 ({@code fixed_work: false}) and once with
 *       0 ({@code fixed_work: true}: always 100 detections, so the mask work does not depend on the
 *       random weights). {@code stages_ms} splits the median run by stage; the composition mirrors
 *       {@link VideoMaskRcnn#detect} plus the paste.
 *   <li>{@code maskrcnn_train_step} (pairs with {@code train_step}, batch 1, 2 GT boxes with
 *       box-shaped masks): one {@link Trainer} step of the detector alone on one frame (forward with
 *       losses, backward, gradient norm, {@link org.maskprop.train.OwnedSgd} update), as the peer's
 *       forward + backward + {@code SGD.step}.
 *   <li>{@code maskprop_train_step} (no peer row): our real training step, {@link
 *       VideoMaskRcnn#forwardTrain} on a frame pair: two backbone passes, the detector on frame
 *       {@code t}, and the propagation branch with its loss.
 * </ul>
 */
public final class ModelBench {
  public static final int SIZE = 512;
  public static final int GT_PER_IMAGE = 2;
  /** torchvision's COCO head: 90 classes plus background. */
  public static final int CLASSES = 90;

  private ModelBench() {}

  /** ytvis-r50 turned into torchvision's {@code maskrcnn_resnet50_fpn} at 512x512 (see the class doc). */
  public static MaskPropConfig config(double scoreThreshold) {
    return MaskPropConfig.fromPreset("ytvis-r50", List.of(
        "data.numClasses=" + CLASSES, "data.minSize=" + SIZE, "data.maxSize=" + SIZE,
        "backbone.frozenBatchNorm=false", "backbone.frozenStages=0",
        "rpn.preNmsTopN.train=2000", "rpn.postNmsTopN.train=2000",
        "rpn.preNmsTopN.test=1000", "rpn.postNmsTopN.test=1000",
        "roiHeads.stages=1", "roiHeads.stageIous=[0.5]", "roiHeads.stageLossWeights=[1.0]",
        "roiHeads.classAgnosticBoxes=false", "roiHeads.batchSizePerImage=512", "roiHeads.positiveFraction=0.25",
        "roiHeads.maskConvs=4", "roiHeads.maskResolution=28", "roiHeads.semanticHead=false",
        "roiHeads.scoreThreshold=" + scoreThreshold, "roiHeads.nmsThreshold=0.5",
        "roiHeads.detectionsPerImage=100", "refine.enabled=false",
        "train.iterations=1000", "train.baseLr=0.001", "train.momentum=0.9", "train.weightDecay=0.0001",
        "train.warmupIterations=0", "train.lrSteps=[]", "train.gradClipNorm=0", "train.scales=[" + SIZE + "]",
        "train.flipProbability=0", "train.checkpointPeriod=1000000"));
  }

  /** Runs the rows selected by {@code options.ops()}. */
  public static void run(BenchOptions options, Consumer<BenchRow> sink) {
    try (NDManager manager = NDManager.newBaseManager()) {
      if (options.selects("maskrcnn_infer")) {
        for (boolean fixedWork : new boolean[] {false, true}) {
          sink.accept(inferRow(manager, options, fixedWork));
        }
      }
      if (options.selects("maskrcnn_train_step")) {
        sink.accept(trainRow(manager, options, false));
      }
      if (options.selects("maskprop_train_step")) {
        sink.accept(trainRow(manager, options, true));
      }
    }
  }

  // ------------------------------------------------------------------------------- inference

  private static BenchRow inferRow(NDManager parent, BenchOptions options, boolean fixedWork) {
    double thresh = fixedWork ? 0.0 : 0.05;
    MaskPropConfig config = config(thresh);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("image", List.of(3, SIZE, SIZE));
    params.put("min_size", SIZE);
    params.put("max_size", SIZE);
    params.put("default_transform", false);
    params.put("fixed_work", fixedWork);
    params.put("box_score_thresh", thresh);
    params.put("box_detections_per_img", 100);
    try (NDManager m = parent.newSubManager()) {
      VideoMaskRcnn model = ModelFactory.build(config, m, SIZE, SIZE);
      ParameterStore ps = new ParameterStore(m, false);
      List<ShapeSpec> specs = List.copyOf(model.backbone().outputShapes().values());
      Random r = new Random(0);
      float[] pixels = new float[3 * SIZE * SIZE];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = r.nextFloat(); // torch.rand: [0, 1)
      }
      NDArray image = m.create(pixels, new Shape(3, SIZE, SIZE));
      NDArray mean = m.create(ImageTensors.MEAN, new Shape(3, 1, 1));
      NDArray std = m.create(ImageTensors.STD, new Shape(3, 1, 1));
      List<double[]> stages = new ArrayList<>(); // per run: backbone, rpn, roi heads, paste (ms)
      long[] detections = new long[1];
      Runnable body = () -> {
        try (NDManager s = m.newSubManager()) {
          s.tempAttachAll(image, mean, std);
          long t0 = System.nanoTime();
          NDArray x = image.sub(mean).div(std).expandDims(0); // [1, 3, S, S]
          List<NDArray> levels = List.copyOf(model.backbone().features(ps, x, false).values());
          long t1 = System.nanoTime();
          RpnOutput proposals = model.rpn().forward(ps, levels, specs, SIZE, SIZE, null, false, null);
          long t2 = System.nanoTime();
          Detections d = model.roiHeads().forward(ps, levels, specs, proposals.proposals(), null, SIZE, SIZE, false,
              null).detections().get(0);
          long t3 = System.nanoTime();
          NDArray masks = MaskPaster.paste(Activation.sigmoid(d.maskLogits()), d.boxes().tensor(), SIZE, SIZE);
          masks.getShape(); // [N, S, S]; eager on CPU: the work is done
          long t4 = System.nanoTime();
          detections[0] = d.size();
          stages.add(new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6});
        }
      };
      int warmup = options.warmupOr(2);
      int runs = options.runsOr(8);
      BenchRow row = OpTimer.time("maskrcnn_infer", params, warmup, runs, body);
      List<double[]> timed = stages.subList(warmup, stages.size());
      Map<String, Object> split = new LinkedHashMap<>();
      String[] names = {"normalize_backbone", "rpn", "roi_heads_mask_head", "mask_paste"};
      for (int k = 0; k < names.length; k++) {
        int kk = k;
        split.put(names[k], round1(median(timed.stream().mapToDouble(v -> v[kk]).toArray())));
      }
      row.extra().put("stages_ms", split);
      row.extra().put("detections", detections[0]);
      row.extra().put("model", "ModelFactory(ytvis-r50 as torchvision maskrcnn_resnet50_fpn), random weights");
      return row;
    }
  }

  // -------------------------------------------------------------------------------- training

  /** One frame (or pair) and its GT, rebuilt from seeded Java data each step. */
  private record Batch(PairBatch pair) implements AutoCloseable {
    @Override
    public void close() {
      pair.close();
    }
  }

  private static BenchRow trainRow(NDManager parent, BenchOptions options, boolean pair) {
    MaskPropConfig config = config(0.05);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("images", List.of(1, 3, SIZE, SIZE));
    params.put("min_size", SIZE);
    params.put("max_size", SIZE);
    params.put("gt_per_image", GT_PER_IMAGE);
    params.put("trainable_backbone_layers", 5);
    params.put("norm", "BatchNorm2d train");
    params.put("optimizer", "SGD");
    params.put("lr", config.train().baseLr());
    params.put("momentum", config.train().momentum());
    params.put("weight_decay", config.train().weightDecay());
    if (pair) {
      params.put("frames_per_step", 2);
      params.put("propagation", true);
    }
    int warmup = options.warmupOr(2);
    int runs = options.runsOr(5);
    try (NDManager m = parent.newSubManager()) {
      VideoMaskRcnn model = ModelFactory.build(config, m, SIZE, SIZE);
      List<ShapeSpec> specs = List.copyOf(model.backbone().outputShapes().values());
      long seed = config.seed();
      TrainableModel<Batch> trainable = new TrainableModel<>() {
        @Override
        public Block block() {
          return model;
        }

        @Override
        public LossTerms forwardTrain(ParameterStore ps, Batch b) {
          if (pair) {
            return TrainRun.trainable(model).forwardTrain(ps, b.pair());
          }
          return detectorLosses(ps, model, specs, b.pair(), seed);
        }
      };
      BatchSource<Batch> batches = i -> new Batch(syntheticPair(m, i));
      List<Double> stepMs = new ArrayList<>();
      float[] last = {Float.NaN};
      boolean[] finite = {true};
      TrainingHook timer = new TrainingHook() {
        @Override
        public void afterStep(TrainContext ctx) {
          stepMs.add(ctx.stepSeconds() * 1e3);
          last[0] = ctx.totalLoss();
          finite[0] &= Float.isFinite(ctx.totalLoss());
        }
      };
      var train = new org.maskprop.config.TrainConfig(warmup + runs, config.train().baseLr(),
          config.train().momentum(), config.train().weightDecay(), 0, 1.0, List.of(), 0.1, 0, 0, List.of(SIZE), 0, 1,
          Integer.MAX_VALUE, 1, List.of());
      try (Trainer<Batch> t = new Trainer<>(trainable, batches, train, seed, null, null, List.of(timer), m)) {
        t.train();
      }
      double[] timed = stepMs.subList(warmup, stepMs.size()).stream().mapToDouble(Double::doubleValue).toArray();
      double[] sorted = timed.clone();
      Arrays.sort(sorted);
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("warmup", warmup);
      extra.put("last_loss", Math.round(last[0] * 1e4) / 1e4);
      extra.put("all_finite", finite[0]);
      extra.put("model", pair
          ? "VideoMaskRcnn.forwardTrain on a frame pair (2 backbone passes + detector on t + propagation branch)"
          : "detector only (backbone, RPN, box and mask heads) on one frame");
      return new BenchRow(pair ? "maskprop_train_step" : "maskrcnn_train_step", params, median(timed), sorted[0],
          sorted[sorted.length - 1], OpTimer.engineThreads(), runs, extra);
    }
  }

  /** Detector losses of frame t alone: the first half of {@link VideoMaskRcnn#forwardTrain}. */
  private static LossTerms detectorLosses(
      ParameterStore ps, VideoMaskRcnn model, List<ShapeSpec> specs, PairBatch b, long seed) {
    FrameTargets gt = b.targetsT();
    Random random = new Random(seed * 1_000_003L + b.iteration());
    List<NDArray> levels = List.copyOf(model.backbone().features(ps, b.frameT().expandDims(0), true).values());
    GtInstances g = new GtInstances(gt.boxes(), gt.classes(), gt.masks());
    RpnOutput proposals = model.rpn().forward(ps, levels, specs, SIZE, SIZE, List.of(g.boxes()), true, random);
    return proposals.losses().merge(model.roiHeads()
        .forward(ps, levels, specs, proposals.proposals(), List.of(g), SIZE, SIZE, true, random).losses());
  }

  /**
   * The peer's training input: a uniform random image, {@value #GT_PER_IMAGE} random boxes with sides
   * in [S/8, S/2] and box-shaped masks, random classes 1..90; frame t' is another random image with
   * the same instances shifted by 8 pixels. Normalised as training normalises frames. Seeded by the
   * iteration.
   */
  static PairBatch syntheticPair(NDManager parent, long iteration) {
    Random r = new Random(7919 * (iteration + 1));
    NDManager m = parent.newSubManager();
    int n = GT_PER_IMAGE;
    float[] boxes = new float[4 * n];
    float[] boxesPrime = new float[4 * n];
    long[] classes = new long[n];
    byte[] masks = new byte[n * SIZE * SIZE];
    byte[] masksPrime = new byte[n * SIZE * SIZE];
    for (int i = 0; i < n; i++) {
      float w = SIZE / 8f + r.nextFloat() * (SIZE / 2f - SIZE / 8f);
      float h = SIZE / 8f + r.nextFloat() * (SIZE / 2f - SIZE / 8f);
      float x0 = r.nextFloat() * (SIZE - w);
      float y0 = r.nextFloat() * (SIZE - h);
      float dx = Math.min(8, SIZE - (x0 + w));
      float[] b = {x0, y0, x0 + w, y0 + h};
      float[] bp = {x0 + dx, y0, x0 + w + dx, y0 + h};
      System.arraycopy(b, 0, boxes, 4 * i, 4);
      System.arraycopy(bp, 0, boxesPrime, 4 * i, 4);
      classes[i] = 1 + r.nextInt(CLASSES);
      fillBox(masks, i, b);
      fillBox(masksPrime, i, bp);
    }
    NDArray frameT = normalized(m, r);
    NDArray frameTPrime = normalized(m, r);
    int[] ids = {1, 2};
    FrameTargets t = new FrameTargets(new Boxes(m.create(boxes, new Shape(n, 4))), m.create(classes),
        m.create(masks, new Shape(n, SIZE, SIZE)).toType(DataType.UINT8, false), ids, SIZE, SIZE);
    FrameTargets tp = new FrameTargets(new Boxes(m.create(boxesPrime, new Shape(n, 4))), m.create(classes),
        m.create(masksPrime, new Shape(n, SIZE, SIZE)).toType(DataType.UINT8, false), ids, SIZE, SIZE);
    return new PairBatch(iteration, new FramePair(1, 0, 1, ids, ids, new int[0]), FrameTransform.identity(SIZE, SIZE),
        frameT, frameTPrime, t, tp, m);
  }

  private static void fillBox(byte[] masks, int i, float[] b) {
    int x0 = Math.round(b[0]);
    int y0 = Math.round(b[1]);
    int x1 = Math.round(b[2]);
    int y1 = Math.round(b[3]);
    for (int y = y0; y < y1; y++) {
      Arrays.fill(masks, i * SIZE * SIZE + y * SIZE + x0, i * SIZE * SIZE + y * SIZE + x1, (byte) 1);
    }
  }

  private static NDArray normalized(NDManager m, Random r) {
    float[] px = new float[3 * SIZE * SIZE];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < SIZE * SIZE; i++) {
        px[c * SIZE * SIZE + i] = (r.nextFloat() - ImageTensors.MEAN[c]) / ImageTensors.STD[c];
      }
    }
    return m.create(px, new Shape(3, SIZE, SIZE));
  }

  static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  private static double round1(double v) {
    return Math.round(v * 10.0) / 10.0;
  }
}
