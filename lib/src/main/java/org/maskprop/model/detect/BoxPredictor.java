package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * torchvision's {@code FastRCNNPredictor}: class logits {@code [R, K + 1]} (index 0 = background)
 * and box deltas {@code [R, 4 (K + 1)]}, or {@code [R, 4]} when class-agnostic (the cascade's
 * choice). Weights start as detectron2's {@code FastRCNNOutputLayers}: N(0, 0.01) for the scores,
 * N(0, 0.001) for the deltas, biases 0.
 */
public final class BoxPredictor extends AbstractBlock {
  private final Block clsScore;
  private final Block bboxPred;
  private final int numClasses;
  private final boolean classAgnostic;

  /** @param numClasses K foreground classes */
  public BoxPredictor(int numClasses, boolean classAgnostic) {
    if (numClasses <= 0) {
      throw new IllegalArgumentException("BoxPredictor needs numClasses > 0, got " + numClasses);
    }
    this.numClasses = numClasses;
    this.classAgnostic = classAgnostic;
    clsScore = addChildBlock("cls_score", Linear.builder().setUnits(numClasses + 1).build());
    bboxPred = addChildBlock("bbox_pred", Linear.builder().setUnits(classAgnostic ? 4 : 4L * (numClasses + 1)).build());
    clsScore.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
    bboxPred.setInitializer(new NormalInitializer(0.001f), Parameter.Type.WEIGHT);
  }

  public int numClasses() {
    return numClasses;
  }

  public boolean classAgnostic() {
    return classAgnostic;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [R, D]
    return new NDList(clsScore.forward(ps, inputs, training).singletonOrThrow(),
        bboxPred.forward(ps, new NDList(x), training).singletonOrThrow());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long r = inputShapes[0].get(0);
    return new Shape[] {new Shape(r, numClasses + 1), new Shape(r, classAgnostic ? 4 : 4L * (numClasses + 1))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    clsScore.initialize(manager, dataType, inputShapes);
    bboxPred.initialize(manager, dataType, inputShapes);
  }
}
