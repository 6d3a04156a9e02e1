package org.maskprop.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * One residual unit of torchvision's {@code resnet.py}: {@link #basic} is {@code BasicBlock} (two 3x3
 * convs), {@link #bottleneck} is {@code Bottleneck} (1x1, grouped 3x3 carrying the stride — "ResNet
 * v1.5" — and 1x1 with expansion 4). Each conv is followed by a norm; ReLU after every norm except the
 * last, whose output is added to the shortcut (a 1x1 strided conv plus norm when the shape changes)
 * before the final ReLU. Children are named as torchvision's attributes ({@code conv1}, {@code bn1},
 * ..., {@code downsample.0}, {@code downsample.1}) so that state-dict keys map by name.
 */
public final class ResidualBlock extends AbstractBlock {
  /** Parameter-file format version (J2): bump with a migration when children or parameters change. */
  private static final byte VERSION = 1;

  /** The two unit types of torchvision's resnet.py. */
  public enum Kind {
    BASIC(1),
    BOTTLENECK(4);

    /** Output channels per {@code planes}. */
    public final int expansion;

    Kind(int expansion) {
      this.expansion = expansion;
    }
  }

  /** Which norm follows each conv. */
  public enum Norm {
    /** {@link FrozenBatchNorm}: fixed affine, no updates, no gradient. */
    FROZEN,
    /** DJL {@code BatchNorm} with torch's defaults (eps 1e-5, running stats updated with 0.1). */
    BATCH,
    /** {@link GroupNorm} with {@link GroupNorm#defaultGroups} groups: batch-independent, trainable. */
    GROUP
  }

  private final List<Block> convs = new ArrayList<>();
  private final List<Block> norms = new ArrayList<>();
  private final Block downsampleConv; // null: identity shortcut
  private final Block downsampleNorm;
  private final int outChannels;

  private ResidualBlock(int[] outs, int[] kernels, int[] strides, int[] groups, int inChannels, int stride,
      Norm norm) {
    super(VERSION);
    for (int i = 0; i < outs.length; i++) {
      int k = kernels[i];
      convs.add(addChildBlock("conv" + (i + 1), Conv2d.builder()
          .setKernelShape(new Shape(k, k)).setFilters(outs[i]).optStride(new Shape(strides[i], strides[i]))
          .optPadding(new Shape(k / 2, k / 2)).optGroups(groups[i]).optBias(false).build()));
      norms.add(addChildBlock("bn" + (i + 1), norm(norm, outs[i])));
    }
    outChannels = outs[outs.length - 1];
    if (stride != 1 || inChannels != outChannels) {
      downsampleConv = addChildBlock("downsample.0", Conv2d.builder()
          .setKernelShape(new Shape(1, 1)).setFilters(outChannels).optStride(new Shape(stride, stride))
          .optBias(false).build());
      downsampleNorm = addChildBlock("downsample.1", norm(norm, outChannels));
    } else {
      downsampleConv = null;
      downsampleNorm = null;
    }
  }

  /** torchvision {@code BasicBlock(inplanes, planes, stride)}: 3x3 (stride) then 3x3, expansion 1. */
  public static ResidualBlock basic(int inChannels, int planes, int stride, Norm norm) {
    return new ResidualBlock(new int[] {planes, planes}, new int[] {3, 3}, new int[] {stride, 1},
        new int[] {1, 1}, inChannels, stride, norm);
  }

  /**
   * torchvision {@code Bottleneck}: 1x1 to {@code width}, 3x3 with {@code stride} and {@code groups}
   * (ResNeXt cardinality), 1x1 to {@code planes * 4}.
   */
  public static ResidualBlock bottleneck(int inChannels, int planes, int width, int groups, int stride,
      Norm norm) {
    if (width % groups != 0) {
      throw new IllegalArgumentException("bottleneck width " + width + " is not divisible by groups " + groups);
    }
    return new ResidualBlock(new int[] {width, width, planes * Kind.BOTTLENECK.expansion},
        new int[] {1, 3, 1}, new int[] {1, stride, 1}, new int[] {1, groups, 1}, inChannels, stride, norm);
  }

  static Block norm(Norm norm, int channels) {
    return switch (norm) {
      case FROZEN -> new FrozenBatchNorm(channels);
      // DJL momentum m updates running = m * running + (1 - m) * batch: torch's momentum 0.1
      case BATCH -> BatchNorm.builder().optEpsilon(FrozenBatchNorm.EPSILON).optMomentum(0.9f).build();
      case GROUP -> new GroupNorm(channels, GroupNorm.defaultGroups(channels));
    };
  }

  public int outChannels() {
    return outChannels;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [N, Cin, H, W]
    try (NDManager scope = x.getManager().newSubManager()) {
      scope.tempAttachAll(x);
      NDArray y = x;
      for (int i = 0; i < convs.size(); i++) {
        y = convs.get(i).forward(ps, new NDList(y), training).singletonOrThrow();
        y = norms.get(i).forward(ps, new NDList(y), training).singletonOrThrow();
        if (i < convs.size() - 1) {
          y = Activation.relu(y);
        }
      }
      NDArray shortcut = x;
      if (downsampleConv != null) {
        shortcut = downsampleConv.forward(ps, new NDList(x), training).singletonOrThrow();
        shortcut = downsampleNorm.forward(ps, new NDList(shortcut), training).singletonOrThrow();
      }
      return new NDList(scope.ret(Activation.relu(y.add(shortcut)))); // [N, Cout, H / s, W / s]
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] s = inputShapes;
    for (Block conv : convs) {
      s = conv.getOutputShapes(s);
    }
    return s;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape[] s = inputShapes;
    for (int i = 0; i < convs.size(); i++) {
      convs.get(i).initialize(manager, dataType, s);
      s = convs.get(i).getOutputShapes(s);
      norms.get(i).initialize(manager, dataType, s);
    }
    if (downsampleConv != null) {
      downsampleConv.initialize(manager, dataType, inputShapes);
      downsampleNorm.initialize(manager, dataType, downsampleConv.getOutputShapes(inputShapes));
    }
  }
}
