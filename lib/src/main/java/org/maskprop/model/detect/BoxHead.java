package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torchvision's {@code TwoMLPHead}: pooled RoI features {@code [R, C, S, S]} flattened, then two
 * fully connected layers of {@code fcDim} units (1024 at paper scale) with ReLU: {@code [R, fcDim]}.
 * Children {@code fc6}, {@code fc7} as torchvision's keys.
 */
public final class BoxHead extends AbstractBlock {
  private final Block fc6;
  private final Block fc7;
  private final int fcDim;

  public BoxHead(int fcDim) {
    if (fcDim <= 0) {
      throw new IllegalArgumentException("BoxHead needs fcDim > 0, got " + fcDim);
    }
    this.fcDim = fcDim;
    fc6 = addChildBlock("fc6", Linear.builder().setUnits(fcDim).build());
    fc7 = addChildBlock("fc7", Linear.builder().setUnits(fcDim).build());
  }

  public int fcDim() {
    return fcDim;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [R, C, S, S]
    Shape s = x.getShape();
    NDArray flat = x.reshape(s.get(0), s.get(1) * s.get(2) * s.get(3)); // explicit: reshape(0, -1) is ambiguous
    NDArray h = Activation.relu(fc6.forward(ps, new NDList(flat), training).singletonOrThrow());
    return new NDList(Activation.relu(fc7.forward(ps, new NDList(h), training).singletonOrThrow())); // [R, fcDim]
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), fcDim)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    fc6.initialize(manager, dataType, new Shape(in.get(0), in.size() / in.get(0)));
    fc7.initialize(manager, dataType, new Shape(in.get(0), fcDim));
  }
}
