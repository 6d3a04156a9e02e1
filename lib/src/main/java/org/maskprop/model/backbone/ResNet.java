package org.maskprop.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskprop.config.BackboneConfig.Arch;
import org.maskprop.ops.ShapeSpec;

/**
 * ResNet-18/50/101 and ResNeXt-101 64x4d body as torchvision's {@code resnet.py} builds it (no
 * classifier): stem 7x7/2 conv, norm, ReLU, 3x3/2 max-pool (padding 1), then four stages
 * {@code layer1..layer4} of {@link ResidualBlock}s, the first unit of stages 2-4 striding by 2. Returns
 * C2..C5 at strides 4, 8, 16, 32.
 *
 * <p>{@code widthDivisor} d divides the stem width, every stage's planes and the bottleneck width
 * (ResNeXt keeps 4 channels per group, so its 64 groups become 64 / d); d = 1 is the paper/torchvision
 * network and must divide 64. {@code frozenStages} k in 1..4 freezes the stem and {@code layer1..layerk},
 * 0 freezes nothing (torchvision's {@code trainable_backbone_layers} = 4 - k, and 5 for k = 0; equal to
 * mmdetection's {@code frozen_stages} for k >= 1; a stem-only freeze is not offered): their
 * parameters need no gradient, their norms are {@link FrozenBatchNorm} whatever {@code frozenBatchNorm}
 * says (a frozen stage changes in no way), and the features leaving them are {@code stopGradient}-ed.
 *
 * <p>Children are named as torchvision's attributes ({@code conv1}, {@code bn1}, {@code layer2.0} ...),
 * so {@code model.TorchvisionWeights} maps state-dict keys by name; the order of {@code addChildBlock}
 * calls is part of DJL's parameter-file format and must not change.
 */
public final class ResNet extends AbstractBlock {
  /** Parameter-file format version (J2): bump with a migration when children or parameters change. */
  private static final byte VERSION = 1;

  /** Names of the outputs, in order. */
  public static final List<String> OUTPUTS = List.of("c2", "c3", "c4", "c5");

  private final Arch arch;
  private final int widthDivisor;
  private final int frozenStages;
  private final Block conv1;
  private final Block bn1;
  private final List<List<ResidualBlock>> stages = new ArrayList<>();
  private final Map<String, ShapeSpec> outputShapes;

  private ResNet(Builder b) {
    super(VERSION);
    arch = b.arch;
    widthDivisor = b.widthDivisor;
    frozenStages = b.frozenStages;
    int[] depths = switch (arch) {
      case R18 -> new int[] {2, 2, 2, 2};
      case R50 -> new int[] {3, 4, 6, 3};
      case R101, X101_64X4D -> new int[] {3, 4, 23, 3};
    };
    ResidualBlock.Norm trainableNorm = b.groupNorm ? ResidualBlock.Norm.GROUP
        : b.frozenBatchNorm ? ResidualBlock.Norm.FROZEN : ResidualBlock.Norm.BATCH;
    int stem = 64 / widthDivisor;
    conv1 = addChildBlock("conv1", Conv2d.builder().setKernelShape(new Shape(7, 7)).setFilters(stem)
        .optStride(new Shape(2, 2)).optPadding(new Shape(3, 3)).optBias(false).build());
    bn1 = addChildBlock("bn1", ResidualBlock.norm(frozenStages >= 1 ? ResidualBlock.Norm.FROZEN : trainableNorm, stem));
    Map<String, ShapeSpec> shapes = new LinkedHashMap<>();
    int in = stem;
    for (int s = 0; s < 4; s++) {
      ResidualBlock.Norm norm = s < frozenStages ? ResidualBlock.Norm.FROZEN : trainableNorm;
      int planes = (64 << s) / widthDivisor;
      List<ResidualBlock> units = new ArrayList<>();
      for (int i = 0; i < depths[s]; i++) {
        int stride = i == 0 && s > 0 ? 2 : 1;
        ResidualBlock unit = switch (arch) {
          case R18 -> ResidualBlock.basic(in, planes, stride, norm);
          case R50, R101 -> ResidualBlock.bottleneck(in, planes, planes, 1, stride, norm);
          // torchvision: width = planes * (4 / 64) * 64 = 4 * planes, groups 64; both divided by d
          case X101_64X4D -> ResidualBlock.bottleneck(in, planes, 4 * planes, 64 / widthDivisor, stride, norm);
        };
        units.add(addChildBlock("layer" + (s + 1) + "." + i, unit));
        in = unit.outChannels();
      }
      stages.add(units);
      shapes.put(OUTPUTS.get(s), new ShapeSpec(in, 4 << s));
    }
    outputShapes = Collections.unmodifiableMap(shapes);
    // torchvision: kaiming_normal_(mode="fan_out", nonlinearity="relu") for every conv
    setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
        XavierInitializer.FactorType.OUT, 2), Parameter.Type.WEIGHT);
    if (frozenStages >= 1) {
      conv1.freezeParameters(true);
      bn1.freezeParameters(true);
      for (int s = 0; s < frozenStages; s++) {
        stages.get(s).forEach(u -> u.freezeParameters(true));
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Arch arch() {
    return arch;
  }

  public int widthDivisor() {
    return widthDivisor;
  }

  public int frozenStages() {
    return frozenStages;
  }

  /** Channels and stride of {@code c2..c5}. */
  public Map<String, ShapeSpec> outputShapes() {
    return outputShapes;
  }

  /** C2..C5 of {@code images} [N, 3, H, W] by name, in order; each [N, C_k, ~H / 2^k, ~W / 2^k]. */
  public Map<String, NDArray> features(ParameterStore ps, NDArray images, boolean training) {
    NDList out = forward(ps, new NDList(images), training);
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (int i = 0; i < OUTPUTS.size(); i++) {
      byName.put(OUTPUTS.get(i), out.get(i));
    }
    return byName;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [N, 3, H, W]
    try (NDManager scope = x.getManager().newSubManager()) {
      scope.tempAttachAll(x);
      NDArray y = conv1.forward(ps, new NDList(x), training).singletonOrThrow(); // [N, 64/d, H/2, W/2]
      y = Activation.relu(bn1.forward(ps, new NDList(y), training).singletonOrThrow());
      y = Pool.maxPool2d(y, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false); // [N, 64/d, H/4, W/4]
      NDList out = new NDList(4);
      for (int s = 0; s < 4; s++) {
        for (ResidualBlock unit : stages.get(s)) {
          y = unit.forward(ps, new NDList(y), training).singletonOrThrow();
        }
        if (s + 1 == frozenStages) {
          y = y.stopGradient(); // the frozen part ends here: no graph is kept below this point
        }
        y.setName(OUTPUTS.get(s));
        out.add(y); // c_{s+2}: [N, C, H / 2^(s+2), W / 2^(s+2)]
      }
      for (NDArray a : out) {
        scope.ret(a);
      }
      return out;
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] s = stemShape(inputShapes);
    Shape[] outs = new Shape[4];
    for (int i = 0; i < 4; i++) {
      for (ResidualBlock unit : stages.get(i)) {
        s = unit.getOutputShapes(s);
      }
      outs[i] = s[0];
    }
    return outs;
  }

  private Shape[] stemShape(Shape[] inputShapes) {
    Shape c = conv1.getOutputShapes(inputShapes)[0];
    // max-pool 3x3, stride 2, padding 1: floor((h + 2 - 3) / 2) + 1
    return new Shape[] {new Shape(c.get(0), c.get(1), (c.get(2) - 1) / 2 + 1, (c.get(3) - 1) / 2 + 1)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    conv1.initialize(manager, dataType, inputShapes);
    bn1.initialize(manager, dataType, conv1.getOutputShapes(inputShapes));
    Shape[] s = stemShape(inputShapes);
    for (List<ResidualBlock> stage : stages) {
      for (ResidualBlock unit : stage) {
        unit.initialize(manager, dataType, s);
        s = unit.getOutputShapes(s);
      }
    }
  }

  /** J1 builder: {@code setArch} required; width divisor 1, frozen BN on, no frozen stage by default. */
  public static final class Builder {
    private Arch arch;
    private int widthDivisor = 1;
    private boolean frozenBatchNorm = true;
    private boolean groupNorm;
    private int frozenStages = 0;

    private Builder() {}

    public Builder setArch(Arch arch) {
      this.arch = arch;
      return this;
    }

    /** Divides every channel count (CPU presets); 1 = torchvision widths. Must divide 64. */
    public Builder optWidthDivisor(int widthDivisor) {
      this.widthDivisor = widthDivisor;
      return this;
    }

    /** FrozenBatchNorm everywhere (torchvision's pretrained Mask R-CNN) instead of trainable BatchNorm. */
    /** GroupNorm in the trainable stages (training from scratch); overrides {@link #optFrozenBatchNorm}. */
    public Builder optGroupNorm(boolean groupNorm) {
      this.groupNorm = groupNorm;
      return this;
    }

    public Builder optFrozenBatchNorm(boolean frozenBatchNorm) {
      this.frozenBatchNorm = frozenBatchNorm;
      return this;
    }

    /** Stem plus the first {@code k} stages frozen, k in 0..4. */
    public Builder optFrozenStages(int frozenStages) {
      this.frozenStages = frozenStages;
      return this;
    }

    public ResNet build() {
      if (arch == null) {
        throw new IllegalArgumentException("ResNet needs an arch (R18, R50, R101, X101_64X4D)");
      }
      if (widthDivisor < 1 || 64 % widthDivisor != 0) {
        throw new IllegalArgumentException("widthDivisor must divide 64 (1, 2, 4, ..., 64), got " + widthDivisor);
      }
      if (frozenStages < 0 || frozenStages > 4) {
        throw new IllegalArgumentException(
            "frozenStages must be in 0..4 (stem plus that many of the 4 stages), got " + frozenStages);
      }
      return new ResNet(this);
    }
  }
}
