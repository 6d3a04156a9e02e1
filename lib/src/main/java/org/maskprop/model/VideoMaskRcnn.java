package org.maskprop.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.maskprop.config.PropagationConfig.MaskSource;
import org.maskprop.data.FrameTargets;
import org.maskprop.data.PairBatch;
import org.maskprop.model.backbone.FpnBackbone;
import org.maskprop.model.detect.CascadeRoiHeads;
import org.maskprop.model.detect.Detections;
import org.maskprop.model.detect.GtInstances;
import org.maskprop.model.detect.RpnOutput;
import org.maskprop.model.detect.Rpn;
import org.maskprop.model.propagation.MaskPropagationHead;
import org.maskprop.model.propagation.PropagatedMasks;
import org.maskprop.model.propagation.PropagationOutput;
import org.maskprop.model.refine.MaskRefiner;
import org.maskprop.model.refine.RefineOutput;
import org.maskprop.model.track.TrackHead;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.LossNames;
import org.maskprop.ops.LossTerms;
import org.maskprop.ops.MaskPaster;
import org.maskprop.ops.ShapeSpec;
import org.maskprop.util.Scopes;

/**
 * MaskProp's network (Sec. 4, DESIGN.md section 3): a per-frame detector (FPN backbone, RPN, cascade
 * RoI heads with mask head) plus the mask propagation branch on P3 and an optional high-resolution
 * refiner. Built from a config by {@link ModelFactory}; the parts are injected (TV1, D2).
 *
 * <p>Entry points (D1, J3: the mode is the method, not hidden state):
 *
 * <ul>
 *   <li>{@link #forwardTrain}: one backbone pass per frame of a pair {@code (t, t')}; detector losses
 *       on {@code t} against its GT; {@code L_prop} (Eq. 2) of the GT instances of {@code t}
 *       propagated to {@code t'}, times {@code propagation.lossWeight}. Returns the losses
 *       unweighted otherwise (TV2); the trainer weights and sums.
 *   <li>{@link #detect}: features and final detections of one frame, computed once and cached by
 *       inference.
 *   <li>{@link #propagate}: the masks of frame {@code t} propagated to {@code t'} from two cached
 *       {@link FrameOutput}s.
 * </ul>
 *
 * <p>Which masks of {@code t} are propagated in training is {@link MaskSource}, read here only: the
 * GT masks, or the mask head's prediction for each GT instance (its GT box and class), pasted into
 * the frame. Predicted masks are detached (TV5): the mask head learns from {@link LossNames#MASK}
 * only, the propagation branch from {@link LossNames#PROP}. When a refiner is configured it learns
 * (Sec. 4.4) to refine the same detached predictions on frame {@code t} against the GT masks ({@link
 * LossNames#REFINE}). When a MaskTrack R-CNN tracking head is configured it learns on the same pair
 * ({@link LossNames#TRACK}, times {@code track.lossWeight}): instances of {@code t'} matched to those
 * of {@code t}; {@link #embed} gives its embeddings at inference for the {@code masktrack} baseline.
 *
 * <p>Child order (parameter-file format, J2): {@code backbone}, {@code rpn}, {@code roi_heads}, {@code
 * propagation}, then {@code refine} and {@code track} when present. The first three follow
 * torchvision's Mask R-CNN names, so a torchvision checkpoint's {@code backbone.*} keys load with
 * {@code TorchvisionWeights}.
 */
public final class VideoMaskRcnn extends AbstractBlock {
  /** Parameter-file format version (J2): bump with a migration when children or parameters change. */
  private static final byte VERSION = 1;

  /** The FPN level the propagation branch runs on (Sec. 4.2). */
  public static final String PROPAGATION_LEVEL = "p3";

  private final FpnBackbone backbone;
  private final Rpn rpn;
  private final CascadeRoiHeads roiHeads;
  private final MaskPropagationHead propagation;
  private final Optional<MaskRefiner> refiner;
  private final Optional<TrackHead> trackHead;
  private final float trackLossWeight;
  private final List<ShapeSpec> specs; // p2..p6, finest first
  private final MaskSource trainWith;
  private final float propagationLossWeight;
  private final long seed;
  private final String propagationLevel; // the FPN level of the propagation head's stride
  private final boolean detectBothFrames;

  private VideoMaskRcnn(Builder b) {
    super(VERSION);
    backbone = addChildBlock("backbone", b.backbone);
    rpn = addChildBlock("rpn", b.rpn);
    roiHeads = addChildBlock("roi_heads", b.roiHeads);
    propagation = addChildBlock("propagation", b.propagation);
    refiner = b.refiner;
    refiner.ifPresent(r -> addChildBlock("refine", r));
    trackHead = b.trackHead;
    trackHead.ifPresent(t -> addChildBlock("track", t));
    trackLossWeight = (float) b.trackLossWeight;
    specs = List.copyOf(backbone.outputShapes().values());
    trainWith = b.trainWith;
    propagationLossWeight = (float) b.propagationLossWeight;
    seed = b.seed;
    propagationLevel = levelOfStride(backbone, propagation.stride());
    detectBothFrames = b.detectBothFrames;
  }

  /** The first FPN level (finest first) with this stride, or null. */
  private static String levelOfStride(FpnBackbone backbone, int stride) {
    for (Map.Entry<String, ShapeSpec> e : backbone.outputShapes().entrySet()) {
      if (e.getValue().stride() == stride) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The FPN level the propagation branch runs on ({@code p3} in the paper). */
  public String propagationLevel() {
    return propagationLevel;
  }

  public static Builder builder() {
    return new Builder();
  }

  public FpnBackbone backbone() {
    return backbone;
  }

  public Rpn rpn() {
    return rpn;
  }

  public CascadeRoiHeads roiHeads() {
    return roiHeads;
  }

  public MaskPropagationHead propagation() {
    return propagation;
  }

  public Optional<MaskRefiner> refiner() {
    return refiner;
  }

  /** The MaskTrack R-CNN tracking head, when the config enables it ({@code track.enabled}). */
  public Optional<TrackHead> trackHead() {
    return trackHead;
  }

  /** Initialises every parameter for frames of {@code height x width} (float32). */
  public void initialize(NDManager manager, int height, int width) {
    initialize(manager, DataType.FLOAT32, new Shape(1, 3, height, width));
  }

  /**
   * Losses of one training pair (TV3: refuses a batch without targets). Detector terms on frame
   * {@code t} ({@link LossNames#RPN_OBJECTNESS}, {@link LossNames#RPN_BOX_REG}, per stage {@link
   * LossNames#cls}/{@link LossNames#box}, {@link LossNames#MASK}, {@link LossNames#SEMANTIC} when the
   * semantic head is on), {@link LossNames#PROP} (Eq. 2 on {@code t'}, times the propagation loss
   * weight), {@link LossNames#REFINE} when a refiner is configured and {@link LossNames#TRACK} (times
   * the tracking loss weight) when a tracking head is. Frame {@code t'} feeds the propagation branch
   * and the tracking head, and with {@code detectBothFrames} the detector too (each detector term is
   * then the mean over both frames; a frame {@code t'} without instances is left out). Anchor and RoI sampling draw from a generator seeded by the model seed
   * and {@code batch.iteration()}, so a step is reproducible.
   *
   * @return scalar losses attached to the batch's manager
   */
  public LossTerms forwardTrain(ParameterStore ps, PairBatch batch) {
    FrameTargets gtT = batch.targetsT();
    if (gtT == null || batch.targetsTPrime() == null) {
      throw new IllegalArgumentException("VideoMaskRcnn.forwardTrain: batch of iteration " + batch.iteration()
          + " (video " + batch.videoId() + ", frames " + batch.t() + ", " + batch.tPrime() + ") has no targets");
    }
    int h = gtT.height();
    int w = gtT.width();
    requireFrame(batch.frameT(), h, w, "frameT");
    requireFrame(batch.frameTPrime(), h, w, "frameTPrime");
    NDArray propTargets = batch.propagationTargets(); // [n, H, W] uint8, on the batch's manager
    RandomGenerator random = new Random(seed * 1_000_003L + batch.iteration());
    NDManager parent = batch.frameT().getManager();
    try (NDManager scope = parent.newSubManager()) {
      FrameTargets gtTPrime = batch.targetsTPrime();
      Scopes.tempAttachOnce(scope, batch.frameT(), batch.frameTPrime(), gtT.boxes().tensor(), gtT.classes(), gtT.masks(),
          propTargets, gtTPrime.boxes().tensor());
      Map<String, NDArray> fT = backbone.features(ps, batch.frameT().expandDims(0), true); // [1, C, H_l, W_l]
      Map<String, NDArray> fTPrime = backbone.features(ps, batch.frameTPrime().expandDims(0), true);
      List<NDArray> levels = List.copyOf(fT.values());
      GtInstances gt = new GtInstances(gtT.boxes(), gtT.classes(), gtT.masks());
      RpnOutput proposals = rpn.forward(ps, levels, specs, h, w, List.of(gt.boxes()), true, random);
      LossTerms losses = proposals.losses().merge(
          roiHeads.forward(ps, levels, specs, proposals.proposals(), List.of(gt), h, w, true, random).losses());
      if (detectBothFrames && gtTPrime.trackIds().length > 0) {
        // the detector also learns from t' (its features exist anyway): each term is the mean of both
        scope.tempAttachAll(gtTPrime.classes(), gtTPrime.masks());
        List<NDArray> levelsTPrime = List.copyOf(fTPrime.values());
        GtInstances gtPrime = new GtInstances(gtTPrime.boxes(), gtTPrime.classes(), gtTPrime.masks());
        RpnOutput proposalsPrime = rpn.forward(ps, levelsTPrime, specs, h, w, List.of(gtPrime.boxes()), true, random);
        LossTerms second = proposalsPrime.losses().merge(roiHeads.forward(ps, levelsTPrime, specs,
            proposalsPrime.proposals(), List.of(gtPrime), h, w, true, random).losses());
        LossTerms mean = LossTerms.empty();
        for (Map.Entry<String, NDArray> e : losses.asMap().entrySet()) {
          mean = mean.with(e.getKey(), e.getValue().add(second.get(e.getKey())).mul(0.5f));
        }
        losses = mean;
      }
      NDArray predicted = trainWith == MaskSource.PREDICTED || refiner.isPresent()
          ? predictedMasks(ps, levels, gt, h, w) // [n, H, W], detached
          : null;
      NDArray masksT = switch (trainWith) {
        case GT -> gtT.masks().toType(DataType.FLOAT32, false); // [n, H, W]
        case PREDICTED -> predicted;
      };
      PropagationOutput prop = propagation.propagateWithLoss(ps, fT.get(propagationLevel),
          fTPrime.get(propagationLevel), masksT, propTargets, h, w, true);
      losses = losses.with(LossNames.PROP, prop.loss().mul(propagationLossWeight));
      if (refiner.isPresent()) {
        NDArray image = batch.frameT().expandDims(0); // [1, 3, H, W]
        RefineOutput refined = refiner.get().refine(ps, image, predicted, gt.boxes().tensor(),
            gtT.masks().toType(DataType.FLOAT32, false), true);
        losses = losses.with(LossNames.REFINE, refined.loss());
      }
      if (trackHead.isPresent()) {
        int pooled = Math.min(CascadeRoiHeads.POOLED_LEVELS, levels.size());
        NDArray track = trackHead.get().trainingLoss(ps, levels.subList(0, pooled),
            List.copyOf(fTPrime.values()).subList(0, pooled), specs.subList(0, pooled), gtT.boxes(), gtT.trackIds(),
            gtTPrime.boxes(), gtTPrime.trackIds(), h, w, random);
        losses = losses.with(LossNames.TRACK, track.mul(trackLossWeight));
      }
      for (NDArray v : losses.asMap().values()) {
        scope.ret(v);
      }
      return losses;
    }
  }

  /**
   * Inference on one frame {@code [3, H, W]}: FPN features and final detections with mask logits,
   * attached to {@code frame}'s manager.
   */
  public FrameOutput detect(ParameterStore ps, NDArray frame) {
    Shape s = frame.getShape();
    if (s.dimension() != 3 || s.get(0) != 3) {
      throw new IllegalArgumentException("VideoMaskRcnn.detect: frame must be [3, H, W], got " + s);
    }
    int h = (int) s.get(1);
    int w = (int) s.get(2);
    try (NDManager scope = frame.getManager().newSubManager()) {
      scope.tempAttachAll(frame);
      Map<String, NDArray> features = backbone.features(ps, frame.expandDims(0), false);
      List<NDArray> levels = List.copyOf(features.values());
      RpnOutput proposals = rpn.forward(ps, levels, specs, h, w, null, false, null);
      Detections d = roiHeads.forward(ps, levels, specs, proposals.proposals(), null, h, w, false, null)
          .detections().get(0);
      Map<String, NDArray> kept = new LinkedHashMap<>();
      features.forEach((name, f) -> kept.put(name, scope.ret(f)));
      Detections out = new Detections(new Boxes(scope.ret(d.boxes().tensor())), scope.ret(d.scores()),
          scope.ret(d.classes()), scope.ret(d.maskLogits()), h, w);
      return new FrameOutput(kept, out, propagationLevel);
    }
  }

  /**
   * Propagates the masks {@code masksT} {@code [n, H, W]} (probabilities of n instances of frame t)
   * to frame {@code t'}; no loss, inference mode. Attached to {@code t}'s P3 manager.
   */
  public PropagatedMasks propagate(ParameterStore ps, FrameOutput t, FrameOutput tPrime, NDArray masksT) {
    if (t.height() != tPrime.height() || t.width() != tPrime.width()) {
      throw new IllegalArgumentException("VideoMaskRcnn.propagate: frames of " + t.height() + "x" + t.width()
          + " and " + tPrime.height() + "x" + tPrime.width());
    }
    return propagation.propagate(ps, t.p3(), tPrime.p3(), masksT, t.height(), t.width(), false);
  }

  /** Propagates the detections of frame {@code t} (their pasted mask probabilities) to frame {@code t'}. */
  public PropagatedMasks propagate(ParameterStore ps, FrameOutput t, FrameOutput tPrime) {
    Detections d = t.detections();
    try (NDManager scope = t.p3().getManager().newSubManager()) {
      Scopes.tempAttachOnce(scope, d.maskLogits(), d.boxes().tensor());
      NDArray masks = MaskPaster.paste(Activation.sigmoid(d.maskLogits()), d.boxes().tensor(), d.height(),
          d.width()); // [n, H, W]
      return propagate(ps, t, tPrime, masks); // lands in p3's manager, outside this scope
    }
  }

  /**
   * MaskTrack R-CNN embeddings of {@code boxes} in a detected frame (inference mode, no gradient
   * needed), from the same P2..P5 RoI features as the box head.
   *
   * @param frame a frame from {@link #detect}
   * @param boxes {@code [N, 4]} XYXY in input pixels (e.g. {@code frame.detections().boxes().tensor()})
   * @return {@code [N, D]} ({@code D = track.embedDim}), attached to {@code boxes}' manager
   * @throws IllegalStateException when the model has no tracking head
   */
  public NDArray embed(ParameterStore ps, FrameOutput frame, NDArray boxes) {
    TrackHead head = trackHead.orElseThrow(() -> new IllegalStateException(
        "VideoMaskRcnn.embed: the model has no tracking head (track.enabled=false)"));
    List<NDArray> levels = List.copyOf(frame.features().values());
    int pooled = Math.min(CascadeRoiHeads.POOLED_LEVELS, levels.size());
    try (NDManager scope = boxes.getManager().newSubManager()) {
      Scopes.tempAttachOnce(scope, boxes);
      for (NDArray l : levels.subList(0, pooled)) {
        Scopes.tempAttachOnce(scope, l);
      }
      NDArray e = head.embed(ps, levels.subList(0, pooled), specs.subList(0, pooled),
          new Boxes(boxes.stopGradient()), false); // [N, D]
      return scope.ret(e);
    }
  }

  /**
   * The mask head's masks for the GT instances (their boxes and classes), as detached frame-level
   * probabilities {@code [n, H, W]}: the "predicted masks of frame t" of {@link MaskSource#PREDICTED}
   * and the refiner's training input.
   */
  private NDArray predictedMasks(ParameterStore ps, List<NDArray> levels, GtInstances gt, int h, int w) {
    NDArray boxes = gt.boxes().tensor().stopGradient(); // [n, 4]
    NDManager m = levels.get(0).getManager();
    Detections given = new Detections(new Boxes(boxes), m.ones(new Shape(gt.size())), gt.classes(), null, h, w);
    int pooled = Math.min(CascadeRoiHeads.POOLED_LEVELS, levels.size());
    NDArray logits = roiHeads.maskHead().forwardWithGivenBoxes(ps, levels.subList(0, pooled),
        specs.subList(0, pooled), List.of(given)).get(0).maskLogits(); // [n, M, M]
    return MaskPaster.paste(Activation.sigmoid(logits.stopGradient()), boxes, h, w);
  }

  private static void requireFrame(NDArray frame, int h, int w, String name) {
    if (frame == null || !frame.getShape().equals(new Shape(3, h, w))) {
      throw new IllegalArgumentException("VideoMaskRcnn: " + name + " must be [3, " + h + ", " + w + "], got "
          + (frame == null ? "null" : frame.getShape()));
    }
  }

  /**
   * DJL adapter (STYLE.md {@code model}): inference only, input one frame {@code [3, H, W]}, output
   * {@code (boxes [N, 4], scores [N], classes [N], maskLogits [N, M, M])}. Training needs targets, which
   * an {@link NDList} cannot name: use {@link #forwardTrain}.
   */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    if (training) {
      throw new UnsupportedOperationException("VideoMaskRcnn: train with forwardTrain(ps, PairBatch)");
    }
    Detections d = detect(ps, inputs.singletonOrThrow()).detections();
    return new NDList(d.boxes().tensor(), d.scores(), d.classes(), d.maskLogits());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[0]; // the number of detections is data dependent
  }

  /** {@code inputShapes}: one image batch {@code [N, 3, H, W]}. */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    backbone.initialize(manager, dataType, in);
    Shape[] levels = backbone.getOutputShapes(new Shape[] {in}); // p2..p6
    rpn.initialize(manager, dataType, levels[0]);
    roiHeads.initialize(manager, dataType, levels[0]);
    Shape p3 = levels[List.copyOf(backbone.outputShapes().keySet()).indexOf(propagationLevel)];
    propagation.initialize(manager, dataType, new Shape(1, p3.get(1), p3.get(2), p3.get(3)));
    refiner.ifPresent(r -> r.initialize(manager, dataType, new Shape(1, 3, in.get(2), in.get(3))));
    trackHead.ifPresent(t -> t.initialize(manager, dataType,
        new Shape(1, levels[0].get(1), TrackHead.POOLED, TrackHead.POOLED)));
  }

  /**
   * Builder (J1): the four parts are required; no refiner or tracking head, GT masks, loss weights 1,
   * seed 0 by default.
   */
  public static final class Builder {
    private FpnBackbone backbone;
    private Rpn rpn;
    private CascadeRoiHeads roiHeads;
    private MaskPropagationHead propagation;
    private Optional<MaskRefiner> refiner = Optional.empty();
    private Optional<TrackHead> trackHead = Optional.empty();
    private double trackLossWeight = 1;
    private MaskSource trainWith = MaskSource.GT;
    private double propagationLossWeight = 1;
    private long seed;
    private boolean detectBothFrames;

    private Builder() {}

    public Builder setBackbone(FpnBackbone backbone) {
      this.backbone = backbone;
      return this;
    }

    public Builder setRpn(Rpn rpn) {
      this.rpn = rpn;
      return this;
    }

    public Builder setRoiHeads(CascadeRoiHeads roiHeads) {
      this.roiHeads = roiHeads;
      return this;
    }

    public Builder setPropagation(MaskPropagationHead propagation) {
      this.propagation = propagation;
      return this;
    }

    public Builder optRefiner(Optional<MaskRefiner> refiner) {
      this.refiner = refiner;
      return this;
    }

    /** The tracking head (or none) and the weight that multiplies {@link LossNames#TRACK}. */
    public Builder optTrackHead(Optional<TrackHead> trackHead, double lossWeight) {
      this.trackHead = trackHead;
      this.trackLossWeight = lossWeight;
      return this;
    }

    /** Masks of frame t that training propagates. */
    public Builder optTrainWith(MaskSource trainWith) {
      this.trainWith = trainWith;
      return this;
    }

    /** Multiplies {@link LossNames#PROP}. */
    public Builder optPropagationLossWeight(double weight) {
      this.propagationLossWeight = weight;
      return this;
    }

    /** Seeds the training samplers (with the iteration). */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Detector losses on both frames of a pair (mean per term), not only on {@code t}. */
    public Builder optDetectBothFrames(boolean detectBothFrames) {
      this.detectBothFrames = detectBothFrames;
      return this;
    }

    public VideoMaskRcnn build() {
      if (backbone == null || rpn == null || roiHeads == null || propagation == null) {
        throw new IllegalArgumentException("VideoMaskRcnn needs backbone, rpn, roiHeads and propagation");
      }
      if (refiner == null || trainWith == null || trackHead == null) {
        throw new IllegalArgumentException(
            "VideoMaskRcnn: refiner and trackHead (Optionals) and trainWith must not be null");
      }
      if (!(trackLossWeight >= 0)) {
        throw new IllegalArgumentException("VideoMaskRcnn: tracking loss weight must be >= 0, got " + trackLossWeight);
      }
      if (!(propagationLossWeight >= 0)) {
        throw new IllegalArgumentException("VideoMaskRcnn: propagation loss weight must be >= 0, got "
            + propagationLossWeight);
      }
      if (levelOfStride(backbone, propagation.stride()) == null) {
        throw new IllegalArgumentException("VideoMaskRcnn: the propagation branch (stride " + propagation.stride()
            + ") matches no level of the backbone " + backbone.outputShapes());
      }
      return new VideoMaskRcnn(this);
    }
  }
}
