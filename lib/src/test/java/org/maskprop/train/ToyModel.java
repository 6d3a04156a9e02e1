package org.maskprop.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.maskprop.ops.LossTerms;

/**
 * A 2-layer conv net regressing a fixed blur-and-shift of its input, on seeded random batches. The
 * input gets engine-random noise, so the run depends on the per-iteration engine seed as a real
 * model with dropout or sampling would.
 */
final class ToyModel implements TrainableModel<ToyModel.Batch> {
  static final Shape INPUT = new Shape(2, 1, 8, 8);

  record Batch(NDArray x, NDArray y, NDManager manager) implements AutoCloseable {
    @Override
    public void close() {
      manager.close();
    }
  }

  private final SequentialBlock block;
  private final float lossScale;

  /** @param lossScale multiplies the loss (NaN makes a diverging model) */
  ToyModel(NDManager manager, int initSeed, int hidden, float lossScale) {
    this.lossScale = lossScale;
    block = new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(hidden).build())
        .add(Activation.reluBlock())
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(1).build());
    Engine.getInstance().setRandomSeed(initSeed);
    block.initialize(manager, DataType.FLOAT32, INPUT);
  }

  @Override
  public Block block() {
    return block;
  }

  @Override
  public LossTerms forwardTrain(ParameterStore ps, Batch b) {
    NDArray noisy = b.x().add(b.x().getManager().randomNormal(b.x().getShape()).mul(0.01f));
    NDArray pred = block.forward(ps, new NDList(noisy), true).singletonOrThrow();
    NDArray diff = pred.sub(b.y());
    NDArray mse = diff.square().mean().mul(lossScale);
    NDArray l1 = diff.abs().mean().mul(0.1f);
    return LossTerms.of("loss_mse", mse).with("loss_l1", l1);
  }

  /** The batch of iteration i: a pure function of i. */
  static BatchSource<Batch> source(NDManager parent) {
    return i -> {
      Random r = new Random(1000 + i);
      float[] x = new float[(int) INPUT.size()];
      for (int k = 0; k < x.length; k++) {
        x[k] = (float) r.nextGaussian();
      }
      NDManager m = parent.newSubManager();
      NDArray xa = m.create(x, INPUT);
      // target: the input shifted one pixel right, scaled and offset (learnable by 3x3 convs)
      NDArray shifted = m.zeros(new Shape(2, 1, 8, 1)).concat(xa.get(":, :, :, 0:7"), 3);
      NDArray y = shifted.mul(0.5f).add(0.2f);
      return new Batch(xa, y, m);
    };
  }
}
