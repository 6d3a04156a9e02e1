package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
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
import org.maskprop.config.RpnConfig;
import org.maskprop.config.TrainTest;
import org.maskprop.ops.AnchorGenerator;
import org.maskprop.ops.BalancedSampler;
import org.maskprop.ops.BoxCoder;
import org.maskprop.ops.BoxOps;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.LossNames;
import org.maskprop.ops.LossTerms;
import org.maskprop.ops.MatchResult;
import org.maskprop.ops.Matcher;
import org.maskprop.ops.Nms;
import org.maskprop.ops.ShapeSpec;

/**
 * Region proposal network (Faster R-CNN Sec. 3.1) with torchvision's {@code RegionProposalNetwork}
 * semantics: the shared {@link RpnHead} predicts objectness and deltas at every anchor of every
 * level; proposals are decoded from detached deltas (TV5), the top {@code preNmsTopN} by objectness
 * are kept per level, clipped to the image, boxes with a side under {@link #MIN_SIZE} dropped, NMS
 * per level at {@code nmsThreshold}, and the best {@code postNmsTopN} kept per image. In training it
 * also returns {@link LossNames#RPN_OBJECTNESS} (BCE over sampled anchors) and {@link
 * LossNames#RPN_BOX_REG} (smooth L1, beta 1/9, over positives / sampled).
 *
 * <p>All images of a batch share one input size (they are padded to it).
 */
public final class Rpn extends AbstractBlock {
  /** torchvision's {@code min_size} of {@code remove_small_boxes} in {@code filter_proposals}. */
  public static final float MIN_SIZE = 1e-3f;

  private final RpnHead head;
  private final AnchorGenerator anchors;
  private final BoxCoder coder = new BoxCoder(1, 1, 1, 1);
  private final Matcher matcher;
  private final BalancedSampler sampler;
  private final TrainTest<Integer> preNmsTopN;
  private final TrainTest<Integer> postNmsTopN;
  private final double nmsThreshold;

  /**
   * @param head sized for {@code anchors.anchorsPerLocation()}
   * @param fgIou, bgIou anchor labels: IoU ≥ fgIou positive, &lt; bgIou negative, between ignored;
   *     each GT's best anchors are positive too (low-quality matches)
   */
  public Rpn(RpnHead head, AnchorGenerator anchors, TrainTest<Integer> preNmsTopN, TrainTest<Integer> postNmsTopN,
      double nmsThreshold, double fgIou, double bgIou, int batchSizePerImage, double positiveFraction) {
    if (head.anchorsPerLocation() != anchors.anchorsPerLocation()) {
      throw new IllegalArgumentException("Rpn: head predicts " + head.anchorsPerLocation()
          + " anchors per location, the generator makes " + anchors.anchorsPerLocation());
    }
    this.head = addChildBlock("head", head);
    this.anchors = anchors;
    this.matcher = new Matcher(new double[] {bgIou, fgIou},
        new int[] {Matcher.NEGATIVE, Matcher.IGNORE, Matcher.POSITIVE}, true);
    this.sampler = new BalancedSampler(batchSizePerImage, positiveFraction);
    this.preNmsTopN = preNmsTopN;
    this.postNmsTopN = postNmsTopN;
    this.nmsThreshold = nmsThreshold;
  }

  /**
   * The RPN a config section describes, on the levels of {@code featureShapes} (p2..p6, finest
   * first): one anchor size per level, all aspect ratios on every level (D2: config translation
   * beside the class).
   */
  public static Rpn of(RpnConfig config, Map<String, ShapeSpec> featureShapes) {
    List<ShapeSpec> specs = List.copyOf(featureShapes.values());
    if (config.anchorSizes().size() != specs.size()) {
      throw new IllegalArgumentException("Rpn: " + config.anchorSizes().size() + " anchor sizes for "
          + specs.size() + " feature levels " + featureShapes.keySet());
    }
    List<double[]> sizes = new ArrayList<>();
    List<double[]> ratios = new ArrayList<>();
    double[] r = config.aspectRatios().stream().mapToDouble(Double::doubleValue).toArray();
    for (int s : config.anchorSizes()) {
      sizes.add(new double[] {s});
      ratios.add(r);
    }
    AnchorGenerator gen = new AnchorGenerator(sizes, ratios);
    int channels = specs.get(0).channels();
    return new Rpn(new RpnHead(channels, gen.anchorsPerLocation()), gen, config.preNmsTopN(), config.postNmsTopN(),
        config.nmsThreshold(), config.fgIouThreshold(), config.bgIouThreshold(), config.batchSizePerImage(),
        config.positiveFraction());
  }

  public RpnHead head() {
    return head;
  }

  public AnchorGenerator anchorGenerator() {
    return anchors;
  }

  /**
   * Proposals (and losses when {@code training}) for a batch.
   *
   * @param features per level {@code [B, C, H_l, W_l]}, finest first
   * @param specs their strides
   * @param height input (padded) image height, for clipping
   * @param width input image width
   * @param gtBoxes per image GT boxes; required when {@code training}, ignored otherwise
   * @param random draws the training sample of anchors
   */
  public RpnOutput forward(ParameterStore ps, List<NDArray> features, List<ShapeSpec> specs, int height, int width,
      List<Boxes> gtBoxes, boolean training, RandomGenerator random) {
    int batch = (int) features.get(0).getShape().get(0);
    if (training && (gtBoxes == null || gtBoxes.size() != batch)) {
      throw new IllegalArgumentException("Rpn: training needs GT boxes for each of the " + batch + " images, got "
          + (gtBoxes == null ? "none" : gtBoxes.size()));
    }
    NDManager manager = features.get(0).getManager();
    try (NDManager scope = manager.newSubManager()) {
      for (NDArray f : features) {
        scope.tempAttachAll(f);
      }
      NDList raw = head.forward(ps, new NDList(features), training);
      int levels = features.size();
      List<Boxes> levelAnchors = anchors.forward(features, specs); // per level [H W A, 4]
      List<NDArray> logits = new ArrayList<>(); // per level [B, H W A]
      List<NDArray> deltas = new ArrayList<>(); // per level [B, H W A, 4]
      for (int l = 0; l < levels; l++) {
        NDArray o = raw.get(l); // [B, A, H, W]
        NDArray d = raw.get(levels + l); // [B, 4A, H, W]
        Shape s = o.getShape();
        long a = s.get(1);
        logits.add(o.transpose(0, 2, 3, 1).reshape(batch, -1));
        deltas.add(d.reshape(batch, a, 4, s.get(2), s.get(3)).transpose(0, 3, 4, 1, 2).reshape(batch, -1, 4));
      }
      int pre = training ? preNmsTopN.train() : preNmsTopN.test();
      int post = training ? postNmsTopN.train() : postNmsTopN.test();
      List<Proposals> proposals = new ArrayList<>();
      for (int b = 0; b < batch; b++) {
        Proposals p = select(logits, deltas, levelAnchors, b, pre, post, height, width);
        proposals.add(new Proposals(new Boxes(scope.ret(p.boxes().tensor())), scope.ret(p.objectness())));
      }
      LossTerms losses = LossTerms.empty();
      if (training) {
        NDArray allAnchors = Concat.of(new NDList(levelAnchors.stream().map(Boxes::tensor).toList()), 0);
        NDArray allLogits = Concat.of(new NDList(logits), 1); // [B, N]
        NDArray allDeltas = Concat.of(new NDList(deltas), 1); // [B, N, 4]
        NDArray[] l = losses(new Boxes(allAnchors), allLogits, allDeltas, gtBoxes, random);
        losses = LossTerms.of(LossNames.RPN_OBJECTNESS, scope.ret(l[0])).with(LossNames.RPN_BOX_REG, scope.ret(l[1]));
      }
      return new RpnOutput(proposals, losses);
    }
  }

  /** torchvision {@code filter_proposals} for image b. */
  private Proposals select(List<NDArray> logits, List<NDArray> deltas, List<Boxes> levelAnchors, int b, int pre,
      int post, int height, int width) {
    NDList boxes = new NDList();
    NDList scores = new NDList();
    NDList levelIds = new NDList();
    for (int l = 0; l < logits.size(); l++) {
      NDArray o = logits.get(l).get(b).stopGradient(); // [N_l]
      long k = Math.min(pre, o.size());
      NDArray top = o.argSort(0, false).get(new NDIndex(":" + k)); // by descending objectness
      NDArray d = deltas.get(l).get(b).stopGradient().get(new NDIndex("{}", top)); // [k, 4]
      Boxes decoded = coder.decodeBoxes(d, levelAnchors.get(l).select(top)).clip(height, width);
      boxes.add(decoded.tensor());
      scores.add(o.get(new NDIndex("{}", top)));
      levelIds.add(o.getManager().full(new Shape(k), l, DataType.INT32));
    }
    Boxes all = new Boxes(Concat.of(boxes, 0));
    NDArray logit = Concat.of(scores, 0);
    NDArray lvl = Concat.of(levelIds, 0);
    NDArray keep = all.nonEmpty(MIN_SIZE);
    all = all.select(keep);
    NDArray prob = ai.djl.nn.Activation.sigmoid(logit.get(keep));
    lvl = lvl.get(keep);
    NDArray kept = Nms.batched(all.tensor(), prob, lvl, nmsThreshold, Float.NEGATIVE_INFINITY, post);
    return new Proposals(all.select(kept), prob.get(new NDIndex("{}", kept)));
  }

  /**
   * RPN losses over all anchors {@code [N, 4]} with logits {@code [B, N]} and deltas {@code [B, N, 4]}:
   * match, sample per image, then average over the whole batch's sample (torchvision).
   *
   * @return objectness loss and box loss (scalars)
   */
  NDArray[] losses(Boxes anchors, NDArray logits, NDArray deltas, List<Boxes> gtBoxes, RandomGenerator random) {
    NDList sampledLogits = new NDList();
    NDList sampledLabels = new NDList();
    NDList posDeltas = new NDList();
    NDList posTargets = new NDList();
    long sampled = 0;
    NDManager m = logits.getManager();
    for (int b = 0; b < gtBoxes.size(); b++) {
      Boxes gt = gtBoxes.get(b);
      MatchResult match = matcher.match(BoxOps.pairwiseIou(gt, anchors)); // [G, N] -> [N]
      BalancedSampler.Sample s = sampler.sample(match.labels(), random);
      NDArray pos = s.positive();
      NDArray neg = s.negative();
      NDArray idx = pos.concat(neg);
      NDArray lab = m.ones(new Shape(pos.size())).concat(m.zeros(new Shape(neg.size())));
      NDArray lg = logits.get(b);
      sampledLogits.add(lg.get(new NDIndex("{}", idx)));
      sampledLabels.add(lab);
      sampled += idx.size();
      if (pos.size() > 0) {
        Boxes matchedGt = gt.select(match.matched().get(new NDIndex("{}", pos)));
        posTargets.add(coder.encode(matchedGt, anchors.select(pos)).stopGradient());
        posDeltas.add(deltas.get(b).get(new NDIndex("{}", pos)));
      }
    }
    NDArray objectness = RpnLosses.objectness(Concat.of(sampledLogits, 0), Concat.of(sampledLabels, 0));
    NDArray box = posDeltas.isEmpty()
        ? deltas.sum().mul(0) // no positive anywhere: a zero that keeps the graph connected (TV5)
        : RpnLosses.boxRegression(Concat.of(posDeltas, 0), Concat.of(posTargets, 0), sampled);
    return new NDArray[] {objectness, box};
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return head.forward(ps, inputs, training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return head.getOutputShapes(inputShapes);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    head.initialize(manager, dataType, inputShapes);
  }
}
