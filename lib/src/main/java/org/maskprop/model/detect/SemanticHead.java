package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * HTC-style semantic segmentation branch (Chen et al. 2019, Sec. 3.3), used as an auxiliary loss:
 * each of P2..P5 goes through a 1x1 conv, is resized to the P3 grid (P2 by 2x2 average pooling,
 * coarser levels by nearest-neighbour repetition) and summed; {@code numConvs} 3x3 convs with ReLU
 * follow, then a 1x1 conv to K + 1 logits per P3 pixel. HTC resizes bilinearly; nearest/average is
 * a simplification [U].
 *
 * <p>Input: the four levels; output {@code [B, K + 1, H_3, W_3]}. The target is the union of the GT
 * instance masks per class (a stand-in [U], see {@link #target}).
 */
public final class SemanticHead extends AbstractBlock {
  /** Index of the level whose grid the branch predicts on (P3, stride 8, as HTC). */
  public static final int FUSE_LEVEL = 1;

  private final List<Block> laterals = new ArrayList<>();
  private final List<Block> convs = new ArrayList<>();
  private final Block logits;
  private final int numLevels;
  private final int channels;
  private final int numClasses;

  public SemanticHead(int numLevels, int channels, int numConvs, int numClasses) {
    if (numLevels < 2 || channels <= 0 || numClasses <= 0) {
      throw new IllegalArgumentException("SemanticHead needs >= 2 levels, channels > 0, classes > 0");
    }
    this.numLevels = numLevels;
    this.channels = channels;
    this.numClasses = numClasses;
    for (int i = 0; i < numLevels; i++) {
      laterals.add(addChildBlock("lateral" + i, Conv2d.builder().setKernelShape(new Shape(1, 1))
          .setFilters(channels).build()));
    }
    for (int i = 0; i < numConvs; i++) {
      convs.add(addChildBlock("conv" + i, Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(channels)
          .optPadding(new Shape(1, 1)).build()));
    }
    logits = addChildBlock("logits", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(numClasses + 1)
        .build());
  }

  /**
   * Per-pixel class labels on the P3 grid: for each image, the largest class id among the GT
   * instance masks covering the pixel at (8 y, 8 x), 0 where none does [U].
   *
   * @param masks {@code [G, H, W]} 0/1
   * @param classes {@code [G]} in 1..K
   * @return int64 {@code [h, w]} with h = ceil(H / stride)
   */
  public static NDArray target(NDArray masks, NDArray classes, int stride, long h, long w) {
    Shape s = masks.getShape();
    NDManager m = masks.getManager();
    if (s.get(0) == 0) {
      return m.zeros(new Shape(h, w), DataType.INT64);
    }
    NDArray sub = masks.get(":, ::" + stride + ", ::" + stride).toType(DataType.INT64, false); // [G, h', w']
    NDArray labelled = sub.mul(classes.toType(DataType.INT64, false).reshape(s.get(0), 1, 1));
    NDArray t = labelled.max(new int[] {0}); // [h', w']
    return t.get(":" + h + ", :" + w);
  }

  /** Mean cross-entropy of {@code [B, K + 1, h, w]} logits against {@code [B, h, w]} labels. */
  public static NDArray loss(NDArray logits, NDArray labels) {
    long k1 = logits.getShape().get(1);
    NDArray oneHot = BoxLosses.oneHot(labels, (int) k1, logits.getDataType()).transpose(0, 3, 1, 2);
    return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    Shape grid = inputs.get(FUSE_LEVEL).getShape();
    NDArray fused = null;
    for (int i = 0; i < numLevels; i++) {
      NDArray x = laterals.get(i).forward(ps, new NDList(inputs.get(i)), training).singletonOrThrow();
      x = resizeTo(x, i - FUSE_LEVEL, grid);
      fused = fused == null ? x : fused.add(x);
    }
    NDArray x = fused; // [B, C, h, w]
    for (Block c : convs) {
      x = Activation.relu(c.forward(ps, new NDList(x), training).singletonOrThrow());
    }
    return logits.forward(ps, new NDList(x), training);
  }

  /** Level {@code FUSE_LEVEL + delta} to the fuse grid: average-pool finer, repeat coarser levels. */
  private static NDArray resizeTo(NDArray x, int delta, Shape grid) {
    long h = grid.get(2);
    long w = grid.get(3);
    if (delta < 0) {
      int f = 1 << -delta;
      x = Pool.avgPool2d(x, new Shape(f, f), new Shape(f, f), new Shape(0, 0), true, false);
    } else if (delta > 0) {
      int f = 1 << delta;
      x = x.repeat(2, f).repeat(3, f);
    }
    return x.getShape().get(2) == h && x.getShape().get(3) == w ? x : x.get(":, :, :" + h + ", :" + w);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape g = inputShapes[FUSE_LEVEL];
    return new Shape[] {new Shape(g.get(0), numClasses + 1, g.get(2), g.get(3))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = new Shape(1, channels, 8, 8);
    for (Block l : laterals) {
      l.initialize(manager, dataType, in);
    }
    for (Block c : convs) {
      c.initialize(manager, dataType, in);
    }
    logits.initialize(manager, dataType, in);
  }
}
