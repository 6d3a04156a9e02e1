package org.maskprop.model.propagation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.maskprop.config.PropagationConfig;
import org.maskprop.ops.DeformConv2d;
import org.maskprop.ops.LossTerms;
import org.maskprop.ops.ShapeSpec;
import org.maskprop.ops.SoftIou;
import org.maskprop.util.Scopes;

/**
 * The mask propagation branch (Sec. 4.2, Fig. 4; NOTES.md "Mask propagation branch", DESIGN.md §3):
 * propagates the {@code n} instance masks of frame {@code t} to frame {@code t'} on P3 features.
 *
 * <ol>
 *   <li>Instance features {@code g^i_t = M^i_t ⊙ f_t}: the frame-level masks on the P3 grid times
 *       {@code f_t}, {@code [n, C, h, w]}.
 *   <li>Offsets {@code o_{t,t'} = ResBlock(f_t - f_t')}: a residual unit (two 3x3 convs to
 *       {@code residualChannels} [R?], ReLU, 1x1 projection shortcut [U]) and per dilation level a 3x3
 *       conv with that dilation predicting {@code 2*3*3 = 18} offsets per pixel. Computed once per
 *       frame pair and broadcast (a view) to the {@code n} instances. The offset convs start at zero,
 *       so the branch starts as plain dilated convolutions.
 *   <li>{@code g^i_{t->t'} = sum_levels DeformConv_d(g^i_t, o^d_{t,t'})}, 3x3, C to C channels,
 *       dilation d, padding d; levels summed [U].
 *   <li>{@code φ^i_{t'} = g^i_{t->t'} + f_{t'}}; a 1x1 conv gives one logit map per instance; softmax
 *       across the instances and one background slot (a learned constant logit [U]; without it one
 *       instance would get probability 1 everywhere); the {@code n} instance channels times the
 *       attention {@code sigmoid(conv1x1(f_{t'}))}; bilinear upsampling to the frame.
 * </ol>
 *
 * <p>Loss (Eq. 2, inner term for one {@code t'}): {@code (1/n) sum_i (1 - sIoU(M^i_{t->t'},
 * M^{GT,i}_{t'}))} with the smoothed soft IoU (Eq. 3, eps [U]); an instance absent from {@code t'} has
 * an all-zero target.
 *
 * <p>Child order (parameter-file format, J2): {@code res_conv1, res_conv2, res_shortcut,
 * offsets_d{d}..., deform_d{d}..., mask_logits, attention}, then the parameter {@code background_logit}.
 */
public final class MaskPropagationHead extends AbstractBlock {
  /** Parameter-file format version (J2): bump with a migration when children or parameters change. */
  private static final byte VERSION = 1;

  /** Loss key of Eq. 2 in {@link LossTerms}. */
  public static final String LOSS_PROP = org.maskprop.ops.LossNames.PROP;

  /** Offsets per pixel of a 3x3 kernel: (dy, dx) per tap. */
  static final int OFFSET_CHANNELS = 2 * 3 * 3;

  private final int channels;
  private final int stride;
  private final int residualChannels;
  private final List<Integer> dilations;
  private final boolean backgroundSlot;
  private final SoftIou softIou;

  private final Block resConv1;
  private final Block resConv2;
  private final Block resShortcut;
  private final List<Block> offsetConvs = new ArrayList<>();
  private final List<DeformConv2d> deformConvs = new ArrayList<>();
  private final Block maskLogits;
  private final Block attentionConv;
  private final Parameter backgroundLogit; // null without the background slot

  private MaskPropagationHead(Builder b) {
    super(VERSION);
    this.channels = b.feature.channels();
    this.stride = b.feature.stride();
    this.residualChannels = b.residualChannels;
    this.dilations = List.copyOf(b.dilations);
    this.backgroundSlot = b.backgroundSlot;
    this.softIou = new SoftIou(b.softIouEps);
    resConv1 = addChildBlock("res_conv1", conv(residualChannels, 3, 1));
    resConv2 = addChildBlock("res_conv2", conv(residualChannels, 3, 1));
    resShortcut = addChildBlock("res_shortcut", conv(residualChannels, 1, 1));
    for (int d : dilations) {
      offsetConvs.add(addChildBlock("offsets_d" + d, conv(OFFSET_CHANNELS, 3, d)));
    }
    for (int d : dilations) {
      deformConvs.add(
          addChildBlock(
              "deform_d" + d,
              DeformConv2d.builder()
                  .setFilters(channels)
                  .setKernelShape(new Shape(3, 3))
                  .optDilation(new Shape(d, d))
                  .optPadding(new Shape(d, d))
                  .build()));
    }
    maskLogits = addChildBlock("mask_logits", conv(1, 1, 1));
    attentionConv = addChildBlock("attention", conv(1, 1, 1));
    backgroundLogit =
        backgroundSlot
            ? addParameter(
                Parameter.builder()
                    .setName("background_logit")
                    .setType(Parameter.Type.OTHER)
                    .optInitializer(Initializer.ZEROS)
                    .optShape(new Shape(1))
                    .build())
            : null;
  }

  /** k x k conv with dilation d and "same" padding. */
  private static Block conv(int filters, int k, int d) {
    int pad = d * (k / 2);
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(k, k))
        .optDilation(new Shape(d, d))
        .optPadding(new Shape(pad, pad))
        .build();
  }

  /** Builder: {@code setFeatureShape} (P3 channels and stride) is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The branch a config section describes, on features of shape {@code p3} (D2). */
  public static MaskPropagationHead of(PropagationConfig config, ShapeSpec p3) {
    return builder()
        .setFeatureShape(p3)
        .optResidualChannels(config.residualChannels())
        .optDilations(config.dilations())
        .optBackgroundSlot(config.backgroundSlot())
        .optSoftIouEps(config.softIouEps())
        .build();
  }

  public int stride() {
    return stride;
  }

  public List<Integer> dilations() {
    return dilations;
  }

  /**
   * Propagates the masks of frame {@code t} to frame {@code t'}.
   *
   * @param fT {@code [1, C, h, w]} P3 features of frame t
   * @param fTPrime {@code [1, C, h, w]} P3 features of frame t' (may be the same array as fT)
   * @param masksT {@code [n, frameH, frameW]} mask probabilities of the n instances of frame t, or
   *     {@code [n, h, w]} already on the P3 grid
   * @param frameH frame height of the returned masks
   * @param frameW frame width
   * @return masks {@code [n, frameH, frameW]} and their factors, attached to {@code fT}'s manager
   */
  public PropagatedMasks propagate(
      ParameterStore ps, NDArray fT, NDArray fTPrime, NDArray masksT, int frameH, int frameW, boolean training) {
    Shape fs = fT.getShape();
    if (fs.dimension() != 4 || fs.get(0) != 1 || fs.get(1) != channels || !fs.equals(fTPrime.getShape())) {
      throw new IllegalArgumentException(
          "MaskPropagationHead: features " + fs + " and " + fTPrime.getShape() + " must both be [1, " + channels
              + ", h, w]");
    }
    int h = (int) fs.get(2);
    int w = (int) fs.get(3);
    Shape ms = masksT.getShape();
    boolean onGrid = ms.dimension() == 3 && ms.get(1) == h && ms.get(2) == w;
    boolean onFrame = ms.dimension() == 3 && ms.get(1) == frameH && ms.get(2) == frameW;
    if (!onGrid && !onFrame) {
      throw new IllegalArgumentException(
          "MaskPropagationHead: masks " + ms + " must be [n, " + frameH + ", " + frameW + "] or [n, " + h + ", " + w
              + "]");
    }
    if (frameH <= 0 || frameW <= 0 || (frameH + stride - 1) / stride > h || (frameW + stride - 1) / stride > w) {
      throw new IllegalArgumentException(
          "MaskPropagationHead: frame " + frameH + "x" + frameW + " does not fit the " + h + "x" + w + " grid of stride "
              + stride);
    }
    long n = ms.get(0);
    try (NDManager scope = fT.getManager().newSubManager()) {
      Scopes.tempAttachOnce(scope, fT, fTPrime, masksT);
      NDArray attention = Activation.sigmoid(forward1(attentionConv, ps, fTPrime, training)).reshape(1, h, w);
      if (n == 0) {
        DataType dt = fT.getDataType();
        return new PropagatedMasks(
            scope.ret(scope.zeros(new Shape(0, frameH, frameW), dt)),
            scope.ret(scope.zeros(new Shape(0, h, w), dt)),
            scope.ret(scope.zeros(new Shape(0, h, w), dt)),
            scope.ret(attention));
      }
      NDArray m = onGrid && !onFrame ? masksT : GridMasks.toGrid(masksT, stride, h, w); // [n, h, w]
      NDArray g = m.toType(fT.getDataType(), false).expandDims(1).mul(fT); // [n, C, h, w]: g^i_t
      NDArray warped = warp(ps, g, offsets(ps, fT, fTPrime, training), training); // [n, C, h, w]
      NDArray phi = warped.add(fTPrime); // [n, C, h, w]
      NDArray logits = forward1(maskLogits, ps, phi, training).reshape(n, h, w);
      NDArray probabilities = instanceSoftmax(ps, logits, training); // [n, h, w]
      NDArray gridMasks = probabilities.mul(attention); // [n, h, w]
      NDArray masks = GridMasks.toFrame(gridMasks, stride, frameH, frameW); // [n, H, W]
      return new PropagatedMasks(
          scope.ret(masks), scope.ret(gridMasks), scope.ret(probabilities), scope.ret(attention));
    }
  }

  /**
   * {@link #propagate} plus the loss of Eq. 2 for this target frame against {@code gtMasksTPrime}
   * {@code [n, frameH, frameW]} (the GT masks in t' of the same n instances, all-zero when absent).
   * The loss is computed whatever {@code training} says: the caller asks for it by passing GT (a
   * validation loss is legitimate); {@code training} only reaches the layers.
   */
  public PropagationOutput propagateWithLoss(
      ParameterStore ps,
      NDArray fT,
      NDArray fTPrime,
      NDArray masksT,
      NDArray gtMasksTPrime,
      int frameH,
      int frameW,
      boolean training) {
    PropagatedMasks out = propagate(ps, fT, fTPrime, masksT, frameH, frameW, training);
    if (!gtMasksTPrime.getShape().equals(out.masks().getShape())) {
      throw new IllegalArgumentException(
          "MaskPropagationHead: GT masks " + gtMasksTPrime.getShape() + " must be " + out.masks().getShape());
    }
    return new PropagationOutput(out, LossTerms.of(LOSS_PROP, loss(out, gtMasksTPrime)));
  }

  /** Eq. 2, inner term: {@code (1/n) sum_i (1 - sIoU_i)}, a graph-connected zero when n = 0. */
  public NDArray loss(PropagatedMasks out, NDArray gtMasksTPrime) {
    NDArray masks = out.masks();
    try (NDManager scope = masks.getManager().newSubManager()) {
      Scopes.tempAttachOnce(scope, masks, gtMasksTPrime); // SoftIou's temporaries would land in gt's manager
      return scope.ret(softIou.loss(masks, gtMasksTPrime.toType(masks.getDataType(), false)));
    }
  }

  /**
   * Offsets {@code o_{t,t'}} per dilation level, {@code [1, 18, h, w]} each, from the frame pair only
   * (no instance index): {@code ResBlock(f_t - f_t')} then one dilated 3x3 conv per level.
   */
  public NDList offsets(ParameterStore ps, NDArray fT, NDArray fTPrime, boolean training) {
    try (NDManager scope = fT.getManager().newSubManager()) {
      Scopes.tempAttachOnce(scope, fT, fTPrime);
      NDArray diff = fT.sub(fTPrime); // [1, C, h, w]
      NDArray y = Activation.relu(forward1(resConv1, ps, diff, training));
      y = forward1(resConv2, ps, y, training);
      NDArray r = Activation.relu(y.add(forward1(resShortcut, ps, diff, training))); // [1, R, h, w]
      NDList out = new NDList();
      for (Block conv : offsetConvs) {
        out.add(scope.ret(forward1(conv, ps, r, training))); // [1, 18, h, w]
      }
      return out;
    }
  }

  /**
   * {@code g_{t->t'} = sum_levels DeformConv_d(g_t, o^d)}: the frame pair's offsets {@code [1, 18, h,
   * w]} are expanded (no copy) to the {@code n} instances of {@code g} {@code [n, C, h, w]}.
   */
  public NDArray warp(ParameterStore ps, NDArray g, NDList offsets, boolean training) {
    if (offsets.size() != deformConvs.size()) {
      throw new IllegalArgumentException(
          "MaskPropagationHead.warp: " + offsets.size() + " offset levels for " + deformConvs.size() + " dilations");
    }
    Shape gs = g.getShape();
    try (NDManager scope = g.getManager().newSubManager()) {
      Scopes.tempAttachOnce(scope, g);
      NDArray sum = null;
      for (int i = 0; i < deformConvs.size(); i++) {
        NDArray o = offsets.get(i).broadcast(gs.get(0), OFFSET_CHANNELS, gs.get(2), gs.get(3)); // view
        NDArray level = deformConvs.get(i).forward(ps, new NDList(g, o), training).singletonOrThrow();
        sum = sum == null ? level : sum.add(level);
      }
      return scope.ret(sum); // [n, C, h, w]
    }
  }

  /** Softmax over the instances and the background slot; returns the n instance channels. */
  private NDArray instanceSoftmax(ParameterStore ps, NDArray logits, boolean training) {
    Shape s = logits.getShape(); // [n, h, w]
    if (!backgroundSlot) {
      return logits.softmax(0);
    }
    NDArray bg = ps.getValue(backgroundLogit, logits.getDevice(), training); // [1]
    // zeros first, so that the map lives in the caller's scope and not in the parameter's manager
    NDArray bgMap = logits.getManager().zeros(new Shape(1, s.get(1), s.get(2)), logits.getDataType()).add(bg);
    NDArray all = NDArrays.concat(new NDList(logits, bgMap), 0); // [n+1, h, w]
    return all.softmax(0).get(new NDIndex("0:{}", s.get(0)));
  }

  private static NDArray forward1(Block block, ParameterStore ps, NDArray x, boolean training) {
    return block.forward(ps, new NDList(x), training).singletonOrThrow();
  }

  /**
   * DJL adapter: inputs {@code (f_t, f_t', masks_t[, gtMasks_t'])}; output {@code (masks[, loss])}. The
   * frame size is the GT masks' size when given, else the masks' size when they are not on the grid,
   * else the grid times the stride.
   */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    int[] frame = frameSize(inputs.getShapes());
    if (inputs.size() > 3) {
      PropagationOutput out =
          propagateWithLoss(ps, inputs.get(0), inputs.get(1), inputs.get(2), inputs.get(3), frame[0], frame[1],
              training);
      return new NDList(out.propagated().masks(), out.loss());
    }
    return new NDList(propagate(ps, inputs.get(0), inputs.get(1), inputs.get(2), frame[0], frame[1], training).masks());
  }

  private int[] frameSize(Shape[] shapes) {
    Shape f = shapes[0];
    Shape m = shapes.length > 3 ? shapes[3] : shapes[2];
    if (shapes.length <= 3 && m.get(1) == f.get(2) && m.get(2) == f.get(3)) {
      return new int[] {(int) f.get(2) * stride, (int) f.get(3) * stride};
    }
    return new int[] {(int) m.get(1), (int) m.get(2)};
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    int[] frame = frameSize(inputShapes);
    Shape masks = new Shape(inputShapes[2].get(0), frame[0], frame[1]);
    return inputShapes.length > 3 ? new Shape[] {masks, new Shape()} : new Shape[] {masks};
  }

  /**
   * Input shapes as for {@link #forwardInternal}; only the first ({@code [1, C, h, w]}) is used. The
   * offset convs are set to zero here, right before their initialisation, so that a trainer-wide
   * weight initializer cannot override the zero start.
   */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape f = inputShapes[0];
    Shape r = new Shape(f.get(0), residualChannels, f.get(2), f.get(3));
    resConv1.initialize(manager, dataType, f);
    resConv2.initialize(manager, dataType, r);
    resShortcut.initialize(manager, dataType, f);
    Shape offsetShape = new Shape(f.get(0), OFFSET_CHANNELS, f.get(2), f.get(3));
    for (Block conv : offsetConvs) {
      conv.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
      conv.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
      conv.initialize(manager, dataType, r);
    }
    for (DeformConv2d deform : deformConvs) {
      deform.initialize(manager, dataType, f, offsetShape);
    }
    maskLogits.initialize(manager, dataType, f);
    attentionConv.initialize(manager, dataType, f);
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    if (backgroundLogit != null) {
      backgroundLogit.setInitializer(Initializer.ZEROS);
    }
  }

  // Package-private access for tests.
  Block offsetConv(int level) {
    return offsetConvs.get(level);
  }

  DeformConv2d deformConv(int level) {
    return deformConvs.get(level);
  }

  Block maskLogitsConv() {
    return maskLogits;
  }

  Block attentionConv() {
    return attentionConv;
  }

  List<Block> residualConvs() {
    return List.of(resConv1, resConv2, resShortcut);
  }

  Parameter backgroundLogit() {
    return backgroundLogit;
  }

  /** Builder (J1): {@code setFeatureShape} required; defaults are NOTES.md's values. */
  public static final class Builder {
    private ShapeSpec feature;
    private int residualChannels = 128;
    private List<Integer> dilations = List.of(3, 6, 12);
    private boolean backgroundSlot = true;
    private double softIouEps = SoftIou.DEFAULT_EPS;

    private Builder() {}

    /** Channels C and stride of the features the branch runs on (P3). */
    public Builder setFeatureShape(ShapeSpec feature) {
      this.feature = feature;
      return this;
    }

    /** Width of the offset residual block [R?: 128]. */
    public Builder optResidualChannels(int residualChannels) {
      this.residualChannels = residualChannels;
      return this;
    }

    /** Dilation per deformable level [R?: 3, 6, 12]. */
    public Builder optDilations(List<Integer> dilations) {
      this.dilations = dilations;
      return this;
    }

    /** Background slot in the instance softmax [U: true]. */
    public Builder optBackgroundSlot(boolean backgroundSlot) {
      this.backgroundSlot = backgroundSlot;
      return this;
    }

    /** Soft-IoU smoothing of the loss [U: 1]. */
    public Builder optSoftIouEps(double softIouEps) {
      this.softIouEps = softIouEps;
      return this;
    }

    /** Validates and builds. */
    public MaskPropagationHead build() {
      if (feature == null) {
        throw new IllegalArgumentException("MaskPropagationHead needs setFeatureShape (P3 channels and stride)");
      }
      if (residualChannels < 1) {
        throw new IllegalArgumentException("MaskPropagationHead: residualChannels must be >= 1, got " + residualChannels);
      }
      if (dilations == null || dilations.isEmpty() || dilations.stream().anyMatch(d -> d == null || d < 1)
          || dilations.stream().distinct().count() != dilations.size()) {
        throw new IllegalArgumentException(
            "MaskPropagationHead: dilations must be distinct positive integers, got " + dilations);
      }
      if (!(softIouEps >= 0)) {
        throw new IllegalArgumentException("MaskPropagationHead: softIouEps must be >= 0, got " + softIouEps);
      }
      return new MaskPropagationHead(this);
    }
  }
}
