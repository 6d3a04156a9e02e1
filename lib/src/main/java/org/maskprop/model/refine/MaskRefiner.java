package org.maskprop.model.refine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.maskprop.config.RefineConfig;
import org.maskprop.ops.MaskPaster;
import org.maskprop.ops.RoiAlign;
import org.maskprop.util.Scopes;

/**
 * High-resolution mask refinement (Sec. 4.4; NOTES.md "Implementation details"): for each detected
 * instance, crop a patch around the box centre keeping the aspect ratio, feed the RGB patch and the
 * low-resolution mask through residual blocks, and paste the high-resolution mask back.
 *
 * <ol>
 *   <li>Crop box: a square of side {@code max(w, h) * (1 + margin)} centred on the box centre, so the
 *       aspect ratio of the content is kept [P]; margin 0.2 [U]. It is resampled to {@code P x P}
 *       ({@code patchSize}, 384 [U]) with {@link RoiAlign} (aligned, adaptive sampling), once on the
 *       frame {@code [1, 3, H, W]} and once on the masks {@code [n, 1, H, W]}. Parts of the square
 *       outside the frame read as zero (RoIAlign's rule: samples more than one pixel outside are 0,
 *       samples within one pixel of the border read the border).
 *   <li>{@code x = [rgb patch, mask patch]} {@code [n, 4, P, P]}; a 3x3 conv to {@code channels}
 *       (128 [R?]) and ReLU; {@code blocks} (3 [U]) residual units {@code relu(x + conv3x3(relu(conv3x3(x))))}
 *       (no normalisation: the batch is a handful of instance patches and train/eval would differ
 *       [U]); a 1x1 conv to one channel.
 *   <li>The 1x1 conv predicts a residual on the input mask's logit [U]: {@code logits =
 *       logit(clip(mask patch, eps, 1 - eps)) + delta}. It starts at zero, so an untrained refiner
 *       returns the input mask (up to resampling and the clip to {@code [eps, 1 - eps]}, eps 0.01
 *       [U]) and training only has to learn corrections.
 *   <li>Paste back: the refined probabilities {@code sigmoid(logits)} are bilinearly resampled into the
 *       crop box by {@code MaskPaster.pasteOver} (the convention of
 *       detectron2's {@code paste_masks_in_image}); with {@code c} the paste coverage (1 inside the
 *       crop box, fading over half a patch cell at its rim, 0 outside) the frame mask is
 *       {@code pasted + (1 - c) * input}.
 * </ol>
 *
 * <p>Loss: per-pixel binary cross-entropy with logits [U] between {@code logits} and the GT mask
 * cropped the same way (RoIAlign then {@code > 0.5}), averaged over instances and pixels. Gradients
 * stop at the input masks and the boxes (TV5): the refiner trains only itself; the mask and
 * propagation branches have their own losses.
 *
 * <p>Ablation switch: {@link #fromConfig} gives no refiner when {@code refine.enabled} is false (so
 * the model has no refinement parameters either) and {@link #refineOrKeep} is the single caller path
 * that either refines or returns the masks unchanged.
 *
 * <p>Child order (parameter-file format, J2): {@code conv_in}, then per unit {@code block{i}_conv1},
 * {@code block{i}_conv2}, then {@code mask_delta}.
 */
public final class MaskRefiner extends AbstractBlock {
  /** Parameter-file format version (J2): bump with a migration when children or parameters change. */
  private static final byte VERSION = 1;

  /** Loss key of the refinement BCE (for the caller's loss terms). */
  public static final String LOSS_REFINE = org.maskprop.ops.LossNames.REFINE;

  private final int patchSize;
  private final int channels;
  private final int blocks;
  private final double margin;
  private final double logitEps;
  private final RoiAlign roiAlign;

  private final Block convIn;
  private final List<Block> unitConvs = new ArrayList<>(); // 2 per residual unit
  private final Block maskDelta;

  private MaskRefiner(Builder b) {
    super(VERSION);
    this.patchSize = b.patchSize;
    this.channels = b.channels;
    this.blocks = b.blocks;
    this.margin = b.margin;
    this.logitEps = b.logitEps;
    this.roiAlign = new RoiAlign(patchSize, patchSize, 0, true);
    convIn = addChildBlock("conv_in", conv(channels, 3));
    for (int i = 0; i < blocks; i++) {
      unitConvs.add(addChildBlock("block" + i + "_conv1", conv(channels, 3)));
      unitConvs.add(addChildBlock("block" + i + "_conv2", conv(channels, 3)));
    }
    maskDelta = addChildBlock("mask_delta", conv(1, 1));
  }

  private static Block conv(int filters, int k) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(k, k))
        .optPadding(new Shape(k / 2, k / 2))
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The refiner a config section describes, or empty when refinement is switched off (ablation). */
  public static Optional<MaskRefiner> fromConfig(RefineConfig config) {
    if (!config.enabled()) {
      return Optional.empty();
    }
    return Optional.of(
        builder()
            .setPatchSize(config.patchSize())
            .optChannels(config.channels())
            .optBlocks(config.blocks())
            .build());
  }

  /**
   * The ablation switch in one place: refines with {@code refiner} when present, otherwise returns
   * {@code masks} unchanged (same array) with no loss.
   */
  public static RefineOutput refineOrKeep(
      Optional<MaskRefiner> refiner, ParameterStore ps, NDArray image, NDArray masks, NDArray boxes,
      NDArray gtMasks, boolean training) {
    if (refiner.isEmpty()) {
      return RefineOutput.unrefined(masks);
    }
    return refiner.get().refine(ps, image, masks, boxes, gtMasks, training);
  }

  public int patchSize() {
    return patchSize;
  }

  public double margin() {
    return margin;
  }

  /**
   * Refines the masks of the {@code n} instances of one frame.
   *
   * @param image {@code [1, 3, H, W]} normalised RGB frame
   * @param masks {@code [n, H, W]} mask probabilities at frame resolution
   * @param boxes {@code [n, 4]} xyxy boxes in frame pixels
   * @param gtMasks {@code [n, H, W]} GT masks matched to the instances, or null (then no loss)
   * @param training computes the loss when true and {@code gtMasks} is given
   * @return masks {@code [n, H, W]}, patch logits {@code [n, P, P]}, crop boxes {@code [n, 4]} and
   *     the loss, attached to {@code image}'s manager
   */
  public RefineOutput refine(
      ParameterStore ps, NDArray image, NDArray masks, NDArray boxes, NDArray gtMasks, boolean training) {
    Shape is = image.getShape();
    if (is.dimension() != 4 || is.get(0) != 1 || is.get(1) != 3) {
      throw new IllegalArgumentException("MaskRefiner: image must be [1, 3, H, W], got " + is);
    }
    int h = (int) is.get(2);
    int w = (int) is.get(3);
    Shape ms = masks.getShape();
    if (ms.dimension() != 3 || ms.get(1) != h || ms.get(2) != w) {
      throw new IllegalArgumentException("MaskRefiner: masks " + ms + " must be [n, " + h + ", " + w + "]");
    }
    long n = ms.get(0);
    if (!boxes.getShape().equals(new Shape(n, 4))) {
      throw new IllegalArgumentException("MaskRefiner: boxes " + boxes.getShape() + " must be [" + n + ", 4]");
    }
    if (gtMasks != null && !gtMasks.getShape().equals(ms)) {
      throw new IllegalArgumentException("MaskRefiner: GT masks " + gtMasks.getShape() + " must be " + ms);
    }
    DataType dt = image.getDataType();
    try (NDManager scope = image.getManager().newSubManager()) {
      Scopes.tempAttachOnce(scope, image, masks, boxes, gtMasks);
      if (n == 0) {
        NDArray loss = training && gtMasks != null ? scope.zeros(new Shape(), dt) : null;
        return new RefineOutput(scope.ret(masks.duplicate()), scope.ret(scope.zeros(new Shape(0, patchSize, patchSize), dt)),
            scope.ret(scope.zeros(new Shape(0, 4), dt)), loss == null ? null : scope.ret(loss));
      }
      NDArray crop = cropBoxes(boxes.stopGradient().toType(dt, false), margin); // [n, 4]
      NDArray maskIn = masks.stopGradient().toType(dt, false);
      NDArray rgb = cropImage(image, crop); // [n, 3, P, P]
      NDArray maskPatch = cropMasks(maskIn, crop); // [n, 1, P, P]
      NDArray logits = patchLogits(ps, rgb, maskPatch, training); // [n, P, P]
      NDArray prob = Activation.sigmoid(logits);
      NDArray out = MaskPaster.pasteOver(prob, crop, maskIn, h, w); // [n, H, W]
      NDArray loss = null;
      if (training && gtMasks != null) {
        NDArray target = cropMasks(gtMasks.stopGradient().toType(dt, false), crop).gt(0.5).toType(dt, false);
        loss = scope.ret(bceWithLogits(logits, target.reshape(n, patchSize, patchSize)));
      }
      return new RefineOutput(scope.ret(out), scope.ret(logits), scope.ret(crop), loss);
    }
  }

  /**
   * Refines box-relative low-resolution masks (e.g. the mask head's {@code [n, 28, 28]}
   * probabilities): they are first pasted into the frame inside their boxes (bilinear, zero outside
   * the box), then refined as by {@link #refine}.
   *
   * @param boxMasks {@code [n, M, M]} probabilities relative to {@code boxes}
   */
  public RefineOutput refineBoxMasks(
      ParameterStore ps, NDArray image, NDArray boxMasks, NDArray boxes, NDArray gtMasks, boolean training) {
    Shape is = image.getShape();
    Shape bs = boxMasks.getShape();
    if (is.dimension() != 4 || bs.dimension() != 3 || !boxes.getShape().equals(new Shape(bs.get(0), 4))) {
      throw new IllegalArgumentException(
          "MaskRefiner: image " + is + ", box masks " + bs + " and boxes " + boxes.getShape()
              + " must be [1, 3, H, W], [n, M, M] and [n, 4]");
    }
    try (NDManager scope = image.getManager().newSubManager()) {
      Scopes.tempAttachOnce(scope, image, boxMasks, boxes, gtMasks);
      NDArray frameMasks = MaskPaster.paste(boxMasks.stopGradient(), boxes.stopGradient(), (int) is.get(2), (int) is.get(3));
      RefineOutput out = refine(ps, image, frameMasks, boxes, gtMasks, training);
      return new RefineOutput(scope.ret(out.masks()), scope.ret(out.patchLogits()), scope.ret(out.cropBoxes()),
          out.loss() == null ? null : scope.ret(out.loss()));
    }
  }

  /** Residual units on {@code [rgb, mask]} patches; returns {@code [n, P, P]} refined logits. */
  NDArray patchLogits(ParameterStore ps, NDArray rgb, NDArray maskPatch, boolean training) {
    long n = rgb.getShape().get(0);
    NDArray x = Activation.relu(forward1(convIn, ps, rgb.concat(maskPatch, 1), training)); // [n, C, P, P]
    for (int i = 0; i < blocks; i++) {
      NDArray y = Activation.relu(forward1(unitConvs.get(2 * i), ps, x, training));
      y = forward1(unitConvs.get(2 * i + 1), ps, y, training);
      x = Activation.relu(x.add(y));
    }
    NDArray delta = forward1(maskDelta, ps, x, training); // [n, 1, P, P]
    NDArray p = maskPatch.clip(logitEps, 1 - logitEps);
    NDArray base = p.log().sub(p.neg().add(1).log()); // logit of the input mask
    return base.add(delta).reshape(n, patchSize, patchSize);
  }

  /**
   * Square crop boxes: side {@code max(w, h) * (1 + margin)} (at least one pixel) centred on each
   * box centre.
   *
   * @param boxes {@code [n, 4]} xyxy
   * @return {@code [n, 4]} xyxy
   */
  static NDArray cropBoxes(NDArray boxes, double margin) {
    try (NDManager scope = boxes.getManager().newSubManager()) {
      scope.tempAttachAll(boxes);
      NDArray x1 = boxes.get(":, 0:1");
      NDArray y1 = boxes.get(":, 1:2");
      NDArray x2 = boxes.get(":, 2:3");
      NDArray y2 = boxes.get(":, 3:4");
      NDArray cx = x1.add(x2).div(2);
      NDArray cy = y1.add(y2).div(2);
      NDArray half = x2.sub(x1).maximum(y2.sub(y1)).mul(1 + margin).maximum(1).div(2); // [n, 1]
      NDArray crop = NDArrays.concat(new NDList(cx.sub(half), cy.sub(half), cx.add(half), cy.add(half)), 1);
      return scope.ret(crop);
    }
  }

  /** {@code [1, 3, H, W]} frame to {@code [n, 3, P, P]} patches in the crop boxes. */
  NDArray cropImage(NDArray image, NDArray crop) {
    try (NDManager scope = image.getManager().newSubManager()) {
      scope.tempAttachAll(crop);
      NDArray rois = crop.get(":, 0:1").zerosLike().concat(crop, 1); // all from image 0
      return scope.ret(roiAlign.forward(image, rois, 1.0));
    }
  }

  /** {@code [n, H, W]} masks to {@code [n, 1, P, P]} patches, mask i in crop box i. */
  NDArray cropMasks(NDArray masks, NDArray crop) {
    Shape s = masks.getShape();
    try (NDManager scope = masks.getManager().newSubManager()) {
      scope.tempAttachAll(crop);
      NDArray index = scope.arange(0f, (float) s.get(0), 1f, crop.getDataType()).reshape(-1, 1);
      NDArray rois = index.concat(crop, 1);
      return scope.ret(roiAlign.forward(masks.reshape(s.get(0), 1, s.get(1), s.get(2)), rois, 1.0));
    }
  }

  /**
   * Mean binary cross-entropy with logits, {@code max(x, 0) - x y + log(1 + exp(-|x|))} (the stable
   * form of {@code -y log σ(x) - (1 - y) log(1 - σ(x))}).
   */
  public static NDArray bceWithLogits(NDArray logits, NDArray targets) {
    try (NDManager scope = logits.getManager().newSubManager()) {
      scope.tempAttachAll(logits, targets);
      NDArray per = logits.maximum(0).sub(logits.mul(targets)).add(logits.abs().neg().exp().add(1).log());
      return scope.ret(per.mean());
    }
  }

  private static NDArray forward1(Block b, ParameterStore ps, NDArray x, boolean training) {
    return b.forward(ps, new NDList(x), training).singletonOrThrow();
  }

  /**
   * DJL adapter: inputs {@code (image [1, 3, H, W], masks [n, H, W], boxes [n, 4][, gtMasks [n, H,
   * W]])}; outputs {@code (masks [n, H, W], patchLogits [n, P, P], cropBoxes [n, 4][, loss])}.
   */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    if (inputs.size() != 3 && inputs.size() != 4) {
      throw new IllegalArgumentException("MaskRefiner: expected (image, masks, boxes[, gtMasks]), got " + inputs.size());
    }
    RefineOutput out = refine(ps, inputs.get(0), inputs.get(1), inputs.get(2),
        inputs.size() == 4 ? inputs.get(3) : null, training);
    NDList list = new NDList(out.masks(), out.patchLogits(), out.cropBoxes());
    if (out.hasLoss()) {
      list.add(out.loss());
    }
    return list;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape masks = inputShapes[1];
    long n = masks.get(0);
    return new Shape[] {masks, new Shape(n, patchSize, patchSize), new Shape(n, 4)};
  }

  /** Children see {@code [1, 4, P, P]} patches whatever the frame size. */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape s = new Shape(1, 4, patchSize, patchSize);
    convIn.initialize(manager, dataType, s);
    s = convIn.getOutputShapes(new Shape[] {s})[0];
    for (Block b : unitConvs) {
      b.initialize(manager, dataType, s);
    }
    maskDelta.initialize(manager, dataType, s);
    // The residual on the mask logit starts at zero: an untrained refiner keeps the input mask.
    for (Pair<String, Parameter> p : maskDelta.getParameters()) {
      p.getValue().getArray().muli(0);
    }
  }

  /** Builder (J1): {@code setPatchSize} is required; channels 128 [R?], blocks 3 [U], margin 0.2 [U]. */
  public static final class Builder {
    private int patchSize = -1;
    private int channels = 128;
    private int blocks = 3;
    private double margin = 0.2;
    private double logitEps = 1e-2;

    private Builder() {}

    /** Side of the square patch the crop is resampled to (384 [U]). */
    public Builder setPatchSize(int patchSize) {
      this.patchSize = patchSize;
      return this;
    }

    public Builder optChannels(int channels) {
      this.channels = channels;
      return this;
    }

    public Builder optBlocks(int blocks) {
      this.blocks = blocks;
      return this;
    }

    /** Context around the box: crop side = max(w, h) * (1 + margin). */
    public Builder optMargin(double margin) {
      this.margin = margin;
      return this;
    }

    /** Clip of the input mask before its logit, bounding the base logit to ±log((1 - eps) / eps). */
    public Builder optLogitEps(double logitEps) {
      this.logitEps = logitEps;
      return this;
    }

    public MaskRefiner build() {
      if (patchSize < 1) {
        throw new IllegalArgumentException("MaskRefiner: patchSize must be set and >= 1, got " + patchSize);
      }
      if (channels < 1 || blocks < 0) {
        throw new IllegalArgumentException(
            "MaskRefiner: channels must be >= 1 and blocks >= 0, got " + channels + ", " + blocks);
      }
      if (!(margin >= 0) || !(logitEps > 0 && logitEps < 0.5)) {
        throw new IllegalArgumentException(
            "MaskRefiner: margin must be >= 0 and logitEps in (0, 0.5), got " + margin + ", " + logitEps);
      }
      return new MaskRefiner(this);
    }
  }
}
