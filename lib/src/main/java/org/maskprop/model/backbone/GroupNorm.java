package org.maskprop.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Group normalization (Wu and He, ECCV 2018; torch's {@code nn.GroupNorm}): the channels of each
 * sample are split into {@code groups} groups, each normalised by its own mean and (biased)
 * variance over its channels and all positions, then a per-channel affine map. It does not depend
 * on the batch, which is what training from scratch with one frame pair per step needs (the
 * detector of the CPU presets has no ImageNet weights, and frozen BatchNorm with identity
 * statistics leaves it unnormalised). Names follow torch ({@code weight}, {@code bias}).
 */
public final class GroupNorm extends AbstractBlock {
  private static final byte VERSION = 1;

  /** torch's default epsilon for {@code GroupNorm}. */
  public static final float EPSILON = 1e-5f;

  private final int channels;
  private final int groups;
  private final Parameter weight;
  private final Parameter bias;

  /** @param groups must divide {@code channels} (see {@link #defaultGroups}) */
  public GroupNorm(int channels, int groups) {
    super(VERSION);
    if (channels <= 0 || groups <= 0 || channels % groups != 0) {
      throw new IllegalArgumentException("GroupNorm: " + groups + " groups do not divide " + channels + " channels");
    }
    this.channels = channels;
    this.groups = groups;
    weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
        .optShape(new Shape(channels)).build());
    bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
        .optShape(new Shape(channels)).build());
  }

  /**
   * 32 groups as in the GN paper when the channels allow it, otherwise the largest divisor of
   * {@code channels} that leaves at least 2 channels per group (reduced-width CPU presets).
   */
  public static int defaultGroups(int channels) {
    for (int g = Math.min(32, Math.max(1, channels / 2)); g > 1; g--) {
      if (channels % g == 0) {
        return g;
      }
    }
    return 1;
  }

  public int channels() {
    return channels;
  }

  public int groups() {
    return groups;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [N, C, H, W]
    Shape s = x.getShape();
    NDArray w = ps.getValue(weight, x.getDevice(), training);
    NDArray b = ps.getValue(bias, x.getDevice(), training);
    try (NDManager scope = x.getManager().newSubManager()) {
      scope.tempAttachAll(x);
      NDArray g = x.reshape(s.get(0), groups, -1); // [N, G, C/G * H * W]
      NDArray mean = g.mean(new int[] {2}, true); // [N, G, 1]
      NDArray centred = g.sub(mean);
      NDArray var = centred.square().mean(new int[] {2}, true); // biased, as torch
      NDArray normed = centred.mul(var.add(EPSILON).pow(-0.5f)).reshape(s); // [N, C, H, W]
      Shape bcast = new Shape(1, channels, 1, 1);
      return new NDList(scope.ret(normed.mul(w.reshape(bcast)).add(b.reshape(bcast))));
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
