package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.maskprop.config.RoiHeadsConfig;
import org.maskprop.ops.BalancedSampler;
import org.maskprop.ops.BoxCoder;
import org.maskprop.ops.BoxOps;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.LossNames;
import org.maskprop.ops.LossTerms;
import org.maskprop.ops.MatchResult;
import org.maskprop.ops.Matcher;
import org.maskprop.ops.Nms;
import org.maskprop.ops.RoiAlign;
import org.maskprop.ops.ShapeSpec;

/**
 * RoI heads with 1 to 3 box stages plus the mask head and an optional semantic head. One stage is
 * Mask R-CNN's {@code RoIHeads} (torchvision); more stages are Cascade R-CNN as detectron2's {@code
 * CascadeROIHeads} builds it (D4).
 *
 * <p>Training (TV3, D3): {@link #sampleForTraining} appends the GT boxes to the proposals, matches
 * at stage 0's IoU and samples {@code batchSizePerImage} RoIs with {@code positiveFraction}
 * positives, all on detached arrays. Stage k &gt; 0 takes the stage k-1 boxes regressed from those
 * RoIs ({@code stopGradient}, clipped, empty ones dropped) and relabels them at its own IoU. Each
 * stage's pooled features have their gradient scaled by 1 / stages, and its losses ({@link
 * LossNames#cls}, {@link LossNames#box}) are multiplied by its stage weight. The mask head learns
 * on the positive stage-0 RoIs ({@link LossNames#MASK}); the semantic head, if present, adds {@link
 * LossNames#SEMANTIC} times its weight.
 *
 * <p>Inference: every stage rescores the boxes of the previous one (none dropped, so scores stay
 * aligned); class probabilities are averaged over stages and the last stage's regression is kept;
 * then torchvision's {@code postprocess_detections} (score threshold, boxes under 0.01 px dropped,
 * per-class NMS, top {@code detectionsPerImage}) and {@link MaskHead#forwardWithGivenBoxes}.
 *
 * <p>RoIs are pooled from P2..P5 (7x7, sampling 2, torchvision's {@code MultiScaleRoIAlign}); P6
 * is only for the RPN.
 */
public final class CascadeRoiHeads extends AbstractBlock {
  /** torchvision's {@code remove_small_boxes(min_size=1e-2)} in {@code postprocess_detections}. */
  public static final float MIN_DETECTION_SIZE = 1e-2f;

  /** Levels pooled by the heads: P2..P5. */
  public static final int POOLED_LEVELS = 4;

  private final List<StageHead> stages;
  private final double[] stageLossWeights;
  private final MaskHead maskHead;
  private final SemanticHead semanticHead;
  private final double semanticLossWeight;
  private final RoiAlign boxPooler;
  private final BalancedSampler sampler;
  private final int numClasses;
  private final boolean classAgnostic;
  private final double scoreThreshold;
  private final double nmsThreshold;
  private final int detectionsPerImage;

  private CascadeRoiHeads(Builder b) {
    stages = List.copyOf(b.stages);
    stageLossWeights = b.stageLossWeights.stream().mapToDouble(Double::doubleValue).toArray();
    for (int k = 0; k < stages.size(); k++) {
      addChildBlock("box_heads." + k, stages.get(k));
    }
    maskHead = addChildBlock("mask_head", b.maskHead);
    semanticHead = b.semanticHead == null ? null : addChildBlock("semantic_head", b.semanticHead);
    semanticLossWeight = b.semanticLossWeight;
    boxPooler = new RoiAlign(b.poolerResolution, b.poolerResolution, 2, false);
    sampler = new BalancedSampler(b.batchSizePerImage, b.positiveFraction);
    numClasses = stages.get(0).predictor().numClasses();
    classAgnostic = stages.get(0).predictor().classAgnostic();
    scoreThreshold = b.scoreThreshold;
    nmsThreshold = b.nmsThreshold;
    detectionsPerImage = b.detectionsPerImage;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The heads a config section describes (D2), sized from the FPN's output shapes.
   *
   * @param numClasses K foreground classes
   * @param fcDim width of the box heads' two FC layers (1024 at paper scale)
   */
  public static CascadeRoiHeads of(RoiHeadsConfig config, Map<String, ShapeSpec> featureShapes, int numClasses,
      int fcDim) {
    int channels = featureShapes.values().iterator().next().channels();
    Builder b = builder();
    for (int k = 0; k < config.stages(); k++) {
      b.addStage(new StageHead(new BoxHead(fcDim), new BoxPredictor(numClasses, config.classAgnosticBoxes()),
          config.stageIous().get(k), StageHead.standardCoder(k)), config.stageLossWeights().get(k));
    }
    b.setMaskHead(new MaskHead(channels, config.maskConvs(), config.maskResolution(), numClasses));
    if (config.semanticHead()) {
      b.optSemanticHead(new SemanticHead(POOLED_LEVELS, channels, 4, numClasses), config.semanticLossWeight());
    }
    return b.optSampling(config.batchSizePerImage(), config.positiveFraction())
        .optPostprocess(config.scoreThreshold(), config.nmsThreshold(), config.detectionsPerImage())
        .build();
  }

  public List<StageHead> stages() {
    return stages;
  }

  public MaskHead maskHead() {
    return maskHead;
  }

  /**
   * Losses (training) or detections with mask logits (inference).
   *
   * @param features FPN levels {@code [B, C, H_l, W_l]} finest first (P2..P6; P2..P5 are pooled)
   * @param proposals per image, from {@link Rpn}
   * @param targets per image GT; required when training
   * @param height input image height (clipping)
   * @param width input image width
   */
  public RoiOutput forward(ParameterStore ps, List<NDArray> features, List<ShapeSpec> specs,
      List<Proposals> proposals, List<GtInstances> targets, int height, int width, boolean training,
      RandomGenerator random) {
    int n = Math.min(POOLED_LEVELS, features.size());
    List<NDArray> levels = features.subList(0, n);
    List<ShapeSpec> levelSpecs = specs.subList(0, n);
    if (training && (targets == null || targets.size() != proposals.size())) {
      throw new IllegalArgumentException("CascadeRoiHeads: training needs targets for each of the "
          + proposals.size() + " images, got " + (targets == null ? "none" : targets.size()));
    }
    NDManager manager = features.get(0).getManager();
    try (NDManager scope = manager.newSubManager()) {
      for (NDArray f : features) {
        scope.tempAttachAll(f);
      }
      if (training) {
        LossTerms losses = trainingLosses(ps, levels, levelSpecs, proposals, targets, height, width, random);
        for (NDArray v : losses.asMap().values()) {
          scope.ret(v);
        }
        return new RoiOutput(List.of(), losses);
      }
      List<Detections> dets = inference(ps, levels, levelSpecs, proposals, height, width);
      List<Detections> out = new ArrayList<>();
      for (Detections d : dets) {
        out.add(new Detections(new Boxes(scope.ret(d.boxes().tensor())), scope.ret(d.scores()),
            scope.ret(d.classes()), scope.ret(d.maskLogits()), d.height(), d.width()));
      }
      return new RoiOutput(out, LossTerms.empty());
    }
  }

  /**
   * torchvision {@code select_training_samples} for one image: proposals plus GT boxes (so every GT
   * has a perfect RoI from the first iteration), matched at stage 0's IoU, then a balanced sample.
   * No gradient flows through the result.
   */
  public SampledRois sampleForTraining(Proposals proposals, GtInstances gt, RandomGenerator random) {
    Boxes all = new Boxes(proposals.boxes().tensor().stopGradient()
        .concat(gt.boxes().tensor().stopGradient().toType(proposals.boxes().tensor().getDataType(), false), 0));
    SampledRois labelled = label(all, gt, stages.get(0).matcher());
    BalancedSampler.Sample s = sampler.sample(labelled.gtClasses().gt(0).toType(DataType.INT32, false), random);
    return labelled.select(s.positive().concat(s.negative()));
  }

  /** Matches {@code boxes} to the GT; background rows get class 0 and their own box as "GT box". */
  static SampledRois label(Boxes boxes, GtInstances gt, Matcher matcher) {
    NDManager m = boxes.tensor().getManager();
    long r = boxes.size();
    if (gt.size() == 0) {
      return new SampledRois(boxes, m.zeros(new Shape(r), DataType.INT64), boxes, m.zeros(new Shape(r), DataType.INT64));
    }
    MatchResult match = matcher.match(BoxOps.pairwiseIou(gt.boxes(), boxes)); // [G, R] -> [R]
    NDArray fg = match.labels().eq(Matcher.POSITIVE); // [R]
    NDArray matched = match.matched();
    NDArray classes = gt.classes().toType(DataType.INT64, false).get(new NDIndex("{}", matched));
    classes = NDArrays.where(fg, classes, classes.zerosLike());
    NDArray gtBoxes = gt.boxes().tensor().toType(boxes.tensor().getDataType(), false).get(new NDIndex("{}", matched));
    gtBoxes = NDArrays.where(fg.expandDims(1).broadcast(r, 4), gtBoxes, boxes.tensor());
    return new SampledRois(boxes, classes, new Boxes(gtBoxes.stopGradient()), matched);
  }

  private LossTerms trainingLosses(ParameterStore ps, List<NDArray> levels, List<ShapeSpec> specs,
      List<Proposals> proposals, List<GtInstances> targets, int height, int width, RandomGenerator random) {
    List<SampledRois> first = new ArrayList<>();
    for (int i = 0; i < proposals.size(); i++) {
      first.add(sampleForTraining(proposals.get(i), targets.get(i), random));
    }
    LossTerms losses = LossTerms.empty();
    List<SampledRois> rois = first;
    for (int k = 0; k < stages.size(); k++) {
      StageHead stage = stages.get(k);
      if (k > 0) {
        rois = nextStageRois(rois, targets, stage.matcher(), height, width);
      }
      NDList out = runStage(ps, levels, specs, stage, rois.stream().map(SampledRois::boxes).toList(), true);
      SampledRois all = SampledRois.concat(rois);
      NDArray regTargets = stage.coder().encode(all.gtBoxes(), all.boxes()); // [R, 4]
      float w = (float) stageLossWeights[k]; // float: a double scalar would promote the 0-d loss to float64
      losses = losses.with(LossNames.cls(k), BoxLosses.classification(out.get(0), all.gtClasses()).mul(w))
          .with(LossNames.box(k), BoxLosses.boxRegression(out.get(1), all.gtClasses(), regTargets).mul(w));
      if (k + 1 < stages.size()) {
        // boxes regressed by this stage become the next stage's RoIs (kept on the records for the split)
        NDArray decoded = stage.coder().decode(out.get(1).stopGradient(), all.boxes()); // [R, 4]
        List<Long> counts = rois.stream().map(SampledRois::size).toList();
        NDList parts = MaskLosses.split(decoded, counts);
        List<SampledRois> moved = new ArrayList<>();
        for (int i = 0; i < rois.size(); i++) {
          SampledRois s = rois.get(i);
          moved.add(new SampledRois(new Boxes(parts.get(i)), s.gtClasses(), s.gtBoxes(), s.matched()));
        }
        rois = moved;
      }
    }
    losses = losses.with(LossNames.MASK, maskLoss(ps, levels, specs, first, targets));
    if (semanticHead != null) {
      NDArray logits = semanticHead.forward(ps, new NDList(levels), true).singletonOrThrow(); // [B, K+1, h, w]
      Shape s = logits.getShape();
      int stride = specs.get(SemanticHead.FUSE_LEVEL).stride();
      NDList labels = new NDList();
      for (GtInstances t : targets) {
        labels.add(SemanticHead.target(t.masks(), t.classes(), stride, s.get(2), s.get(3)));
      }
      losses = losses.with(LossNames.SEMANTIC,
          SemanticHead.loss(logits, NDArrays.stack(labels, 0)).mul((float) semanticLossWeight));
    }
    return losses;
  }

  /** detectron2 {@code _create_proposals_from_boxes} + {@code _match_and_label_boxes}, in training. */
  private static List<SampledRois> nextStageRois(List<SampledRois> previous, List<GtInstances> targets,
      Matcher matcher, int height, int width) {
    List<SampledRois> out = new ArrayList<>();
    for (int i = 0; i < previous.size(); i++) {
      Boxes b = previous.get(i).boxes().clip(height, width);
      b = b.select(b.nonEmpty(0f));
      out.add(label(new Boxes(b.tensor().stopGradient()), targets.get(i), matcher));
    }
    return out;
  }

  private NDArray maskLoss(ParameterStore ps, List<NDArray> levels, List<ShapeSpec> specs, List<SampledRois> rois,
      List<GtInstances> targets) {
    List<SampledRois> positives = new ArrayList<>();
    NDList maskTargets = new NDList();
    for (int i = 0; i < rois.size(); i++) {
      SampledRois p = rois.get(i).select(rois.get(i).foreground());
      positives.add(p);
      maskTargets.add(MaskLosses.projectMasks(targets.get(i).masks(), p.matched(), p.boxes(), maskHead.resolution()));
    }
    NDArray logits = maskHead.logits(ps, levels, specs, positives.stream().map(SampledRois::boxes).toList(), true);
    NDArray classes = Concat.of(new NDList(positives.stream().map(SampledRois::gtClasses).toList()), 0);
    return MaskLosses.mask(logits, classes, Concat.of(maskTargets, 0));
  }

  /** Pools the boxes and runs one stage: class logits {@code [R, K + 1]}, deltas {@code [R, 4 or 4(K + 1)]}. */
  private NDList runStage(ParameterStore ps, List<NDArray> levels, List<ShapeSpec> specs, StageHead stage,
      List<Boxes> boxes, boolean training) {
    NDArray pooled = boxPooler.forward(levels, specs, boxes); // [R, C, 7, 7]
    if (training && stages.size() > 1) {
      pooled = scaleGradient(pooled, 1.0 / stages.size());
    }
    return stage.forward(ps, new NDList(pooled), training);
  }

  /** Identity forward, gradient times {@code s} (detectron2 {@code _ScaleGradient}). */
  static NDArray scaleGradient(NDArray x, double s) {
    return x.mul((float) s).add(x.stopGradient().mul((float) (1 - s)));
  }

  private List<Detections> inference(ParameterStore ps, List<NDArray> levels, List<ShapeSpec> specs,
      List<Proposals> proposals, int height, int width) {
    List<Long> counts = proposals.stream().map(Proposals::size).toList();
    Boxes boxes = new Boxes(Concat.of(new NDList(proposals.stream().map(p -> p.boxes().tensor()).toList()), 0));
    NDArray probSum = null;
    NDArray deltas = null;
    for (int k = 0; k < stages.size(); k++) {
      StageHead stage = stages.get(k);
      if (k > 0) {
        boxes = stage(k - 1).coder().decodeBoxes(deltas, boxes).clip(height, width);
      }
      List<Boxes> perImage = new ArrayList<>();
      for (NDArray part : MaskLosses.split(boxes.tensor(), counts)) {
        perImage.add(new Boxes(part));
      }
      NDList out = runStage(ps, levels, specs, stage, perImage, false);
      NDArray prob = out.get(0).softmax(1); // [R, K + 1]
      probSum = probSum == null ? prob : probSum.add(prob);
      deltas = out.get(1);
    }
    NDArray scores = probSum.div(stages.size());
    NDArray decoded = stages.get(stages.size() - 1).coder().decode(deltas, boxes); // [R, 4] or [R, 4(K+1)]
    NDList boxParts = MaskLosses.split(decoded, counts);
    NDList scoreParts = MaskLosses.split(scores, counts);
    List<Detections> dets = new ArrayList<>();
    for (int i = 0; i < proposals.size(); i++) {
      dets.add(postprocess(boxParts.get(i), scoreParts.get(i), height, width));
    }
    return maskHead.forwardWithGivenBoxes(ps, levels, specs, dets);
  }

  private StageHead stage(int k) {
    return stages.get(k);
  }

  /**
   * torchvision {@code postprocess_detections} for one image.
   *
   * @param boxes {@code [R, 4]} (agnostic) or {@code [R, 4 (K + 1)]}
   * @param probs {@code [R, K + 1]}
   */
  Detections postprocess(NDArray boxes, NDArray probs, int height, int width) {
    long r = probs.getShape().get(0);
    int k = numClasses;
    NDManager m = probs.getManager();
    NDArray perClass = boxes.getShape().get(1) == 4
        ? boxes.expandDims(1).broadcast(r, k, 4) // the same box for every class
        : boxes.reshape(r, k + 1, 4).get(":, 1:, :");
    Boxes flat = new Boxes(perClass.reshape(r * k, 4)).clip(height, width);
    NDArray scores = probs.get(":, 1:").reshape(r * k);
    NDArray labels = m.arange(1, k + 1, 1, DataType.INT64).reshape(1, k).broadcast(r, k).reshape(r * k);
    NDArray big = flat.nonEmpty(MIN_DETECTION_SIZE);
    flat = flat.select(big);
    scores = scores.get(big);
    labels = labels.get(big);
    NDArray keep = Nms.batched(flat.tensor(), scores, labels, nmsThreshold, (float) scoreThreshold, detectionsPerImage);
    return new Detections(flat.select(keep), scores.get(new NDIndex("{}", keep)), labels.get(new NDIndex("{}", keep)),
        null, height, width);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    throw new UnsupportedOperationException(
        "CascadeRoiHeads needs proposals and targets: call forward(ps, features, specs, proposals, ...)");
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[0];
  }

  /** {@code inputShapes}: one FPN level {@code [B, C, H, W]}; only C matters. */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long c = inputShapes[0].get(1);
    int s = boxPooler.outputHeight();
    for (StageHead stage : stages) {
      stage.initialize(manager, dataType, new Shape(1, c, s, s));
    }
    maskHead.initialize(manager, dataType, new Shape(1, c, maskHead.resolution() / 2, maskHead.resolution() / 2));
    if (semanticHead != null) {
      semanticHead.initialize(manager, dataType, inputShapes);
    }
  }

  /** J1 builder: stages and mask head required; sampling 512 / 0.25, postprocess 0.05 / 0.5 / 100 by default. */
  public static final class Builder {
    private final List<StageHead> stages = new ArrayList<>();
    private final List<Double> stageLossWeights = new ArrayList<>();
    private MaskHead maskHead;
    private SemanticHead semanticHead;
    private double semanticLossWeight = 0.2;
    private int poolerResolution = 7;
    private int batchSizePerImage = 512;
    private double positiveFraction = 0.25;
    private double scoreThreshold = 0.05;
    private double nmsThreshold = 0.5;
    private int detectionsPerImage = 100;

    private Builder() {}

    /** Appends stage k with its loss weight. */
    public Builder addStage(StageHead stage, double lossWeight) {
      stages.add(stage);
      stageLossWeights.add(lossWeight);
      return this;
    }

    public Builder setMaskHead(MaskHead maskHead) {
      this.maskHead = maskHead;
      return this;
    }

    public Builder optSemanticHead(SemanticHead head, double lossWeight) {
      this.semanticHead = head;
      this.semanticLossWeight = lossWeight;
      return this;
    }

    public Builder optPoolerResolution(int resolution) {
      this.poolerResolution = resolution;
      return this;
    }

    public Builder optSampling(int batchSizePerImage, double positiveFraction) {
      this.batchSizePerImage = batchSizePerImage;
      this.positiveFraction = positiveFraction;
      return this;
    }

    public Builder optPostprocess(double scoreThreshold, double nmsThreshold, int detectionsPerImage) {
      this.scoreThreshold = scoreThreshold;
      this.nmsThreshold = nmsThreshold;
      this.detectionsPerImage = detectionsPerImage;
      return this;
    }

    public CascadeRoiHeads build() {
      if (stages.isEmpty() || stages.size() > 3) {
        throw new IllegalArgumentException("CascadeRoiHeads needs 1..3 stages, got " + stages.size());
      }
      if (maskHead == null) {
        throw new IllegalArgumentException("CascadeRoiHeads needs a mask head");
      }
      StageHead first = stages.get(0);
      for (StageHead s : stages) {
        if (s.predictor().numClasses() != first.predictor().numClasses()
            || s.predictor().classAgnostic() != first.predictor().classAgnostic()) {
          throw new IllegalArgumentException("CascadeRoiHeads: all stages need the same classes and box mode");
        }
      }
      if (stages.size() > 1 && !first.predictor().classAgnostic()) {
        // detectron2's cascade regresses class-agnostic boxes: stage k+1 needs one box per RoI
        throw new IllegalArgumentException("CascadeRoiHeads: a cascade (" + stages.size()
            + " stages) needs class-agnostic boxes");
      }
      return new CascadeRoiHeads(this);
    }
  }
}
