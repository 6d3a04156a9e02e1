package org.maskprop.model.detect;

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
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * The RPN head shared by all FPN levels (torchvision {@code RPNHead}): a 3x3 conv with ReLU, then a
 * 1x1 conv to A objectness logits and a 1x1 conv to 4A box deltas per location. Children are named
 * as torchvision's keys ({@code conv.0.0}, {@code cls_logits}, {@code bbox_pred}); weights start
 * N(0, 0.01), biases 0.
 *
 * <p>Input: L feature maps {@code [B, C, H_l, W_l]}; output: the L objectness maps {@code [B, A,
 * H_l, W_l]} followed by the L delta maps {@code [B, 4A, H_l, W_l]}.
 */
public final class RpnHead extends AbstractBlock {
  private final Block conv;
  private final Block clsLogits;
  private final Block bboxPred;
  private final int channels;
  private final int anchorsPerLocation;

  public RpnHead(int channels, int anchorsPerLocation) {
    if (channels <= 0 || anchorsPerLocation <= 0) {
      throw new IllegalArgumentException(
          "RpnHead needs channels > 0 and anchors > 0, got " + channels + ", " + anchorsPerLocation);
    }
    this.channels = channels;
    this.anchorsPerLocation = anchorsPerLocation;
    conv = addChildBlock("conv.0.0", Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(channels)
        .optPadding(new Shape(1, 1)).build());
    clsLogits = addChildBlock("cls_logits", Conv2d.builder().setKernelShape(new Shape(1, 1))
        .setFilters(anchorsPerLocation).build());
    bboxPred = addChildBlock("bbox_pred", Conv2d.builder().setKernelShape(new Shape(1, 1))
        .setFilters(4 * anchorsPerLocation).build());
    setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
  }

  public int anchorsPerLocation() {
    return anchorsPerLocation;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    int levels = inputs.size();
    NDArray[] out = new NDArray[2 * levels];
    for (int l = 0; l < levels; l++) {
      NDArray f = inputs.get(l); // [B, C, H, W]
      try (NDManager scope = f.getManager().newSubManager()) {
        scope.tempAttachAll(f);
        NDArray t = Activation.relu(conv.forward(ps, new NDList(f), training).singletonOrThrow());
        out[l] = scope.ret(clsLogits.forward(ps, new NDList(t), training).singletonOrThrow()); // [B, A, H, W]
        out[levels + l] = scope.ret(bboxPred.forward(ps, new NDList(t), training).singletonOrThrow()); // [B, 4A, H, W]
      }
    }
    return new NDList(out);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] out = new Shape[2 * inputShapes.length];
    for (int l = 0; l < inputShapes.length; l++) {
      Shape s = inputShapes[l];
      out[l] = new Shape(s.get(0), anchorsPerLocation, s.get(2), s.get(3));
      out[inputShapes.length + l] = new Shape(s.get(0), 4L * anchorsPerLocation, s.get(2), s.get(3));
    }
    return out;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    if (in.get(1) != channels) {
      throw new IllegalArgumentException("RpnHead built for " + channels + " channels got " + in);
    }
    conv.initialize(manager, dataType, in);
    clsLogits.initialize(manager, dataType, in);
    bboxPred.initialize(manager, dataType, in);
  }
}
