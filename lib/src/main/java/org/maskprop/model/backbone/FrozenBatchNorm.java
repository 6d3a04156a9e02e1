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
 * Batch norm with a fixed affine map from stored statistics (torchvision's {@code FrozenBatchNorm2d}):
 * {@code y = x * w / sqrt(var + eps) + (b - mean * w / sqrt(var + eps))} in training and inference
 * alike. Its four arrays get no gradient and are never updated; they are parameters only so that
 * weight import and DJL's parameter files carry them. Names follow torchvision ({@code weight},
 * {@code bias}, {@code running_mean}, {@code running_var}) so imported keys map one to one.
 */
public final class FrozenBatchNorm extends AbstractBlock {
  /** Parameter-file format version (J2): bump with a migration when children or parameters change. */
  private static final byte VERSION = 1;

  /** torchvision's default epsilon for {@code FrozenBatchNorm2d} and {@code BatchNorm2d}. */
  public static final float EPSILON = 1e-5f;

  private final int channels;
  private final Parameter weight;
  private final Parameter bias;
  private final Parameter runningMean;
  private final Parameter runningVar;

  /** A frozen norm over {@code channels} channels (axis 1 of NCHW), initialised to the identity. */
  public FrozenBatchNorm(int channels) {
    super(VERSION);
    if (channels <= 0) {
      throw new IllegalArgumentException("FrozenBatchNorm needs channels > 0, got " + channels);
    }
    this.channels = channels;
    Shape shape = new Shape(channels);
    weight = addParameter(fixed("weight", Parameter.Type.GAMMA, shape));
    bias = addParameter(fixed("bias", Parameter.Type.BETA, shape));
    runningMean = addParameter(fixed("running_mean", Parameter.Type.RUNNING_MEAN, shape));
    runningVar = addParameter(fixed("running_var", Parameter.Type.RUNNING_VAR, shape));
  }

  private static Parameter fixed(String name, Parameter.Type type, Shape shape) {
    return Parameter.builder().setName(name).setType(type).optShape(shape).optRequiresGrad(false).build();
  }

  public int channels() {
    return channels;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [N, C, H, W]
    NDArray w = ps.getValue(weight, x.getDevice(), training);
    NDArray b = ps.getValue(bias, x.getDevice(), training);
    NDArray mean = ps.getValue(runningMean, x.getDevice(), training);
    NDArray var = ps.getValue(runningVar, x.getDevice(), training);
    try (NDManager scope = x.getManager().newSubManager()) {
      scope.tempAttachAll(x);
      // each op's first operand is a scope array, so results land in the scope and the shared
      // parameter arrays are never touched; stopGradient: torchvision keeps these as buffers
      NDArray scale = scope.create(EPSILON).add(var).pow(-0.5f).mul(w).stopGradient(); // [C]
      NDArray shift = scale.mul(mean).neg().add(b).stopGradient(); // [C]
      Shape bcast = new Shape(1, channels, 1, 1);
      return new NDList(scope.ret(x.mul(scale.reshape(bcast)).add(shift.reshape(bcast))));
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
