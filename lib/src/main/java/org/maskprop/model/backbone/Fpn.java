package org.maskprop.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
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
import org.maskprop.ops.ShapeSpec;

/**
 * Feature pyramid with torchvision's {@code FeaturePyramidNetwork} + {@code LastLevelMaxPool}
 * semantics (Mask R-CNN): a lateral 1x1 conv per input level, a top-down path that adds the
 * nearest-neighbour upsampled coarser level to each lateral, a 3x3 output conv per level (all convs
 * with bias), and P6 = max-pool with kernel 1, stride 2 of P5 (i.e. every other pixel of P5). Inputs
 * C2..C5 give P2..P6 at strides 4..64, all with {@code outChannels} channels.
 *
 * <p>Children are named {@code inner_blocks.i.0} and {@code layer_blocks.i.0} as torchvision >= 0.13
 * names its keys (convs wrapped in {@code Conv2dNormActivation}); older keys without the {@code .0}
 * are renamed on import.
 */
public final class Fpn extends AbstractBlock {
  /** Parameter-file format version (J2): bump with a migration when children or parameters change. */
  private static final byte VERSION = 1;

  /** Names of the outputs, in order. */
  public static final List<String> OUTPUTS = List.of("p2", "p3", "p4", "p5", "p6");

  private final List<Block> inner = new ArrayList<>();
  private final List<Block> layer = new ArrayList<>();
  private final int outChannels;
  private final Map<String, ShapeSpec> outputShapes;

  private Fpn(Builder b) {
    super(VERSION);
    outChannels = b.outChannels;
    List<ShapeSpec> ins = new ArrayList<>(b.inputShapes.values());
    for (int i = 0; i < ins.size(); i++) {
      inner.add(addChildBlock("inner_blocks." + i + ".0", Conv2d.builder().setKernelShape(new Shape(1, 1))
          .setFilters(outChannels).build()));
    }
    for (int i = 0; i < ins.size(); i++) {
      layer.add(addChildBlock("layer_blocks." + i + ".0", Conv2d.builder().setKernelShape(new Shape(3, 3))
          .setFilters(outChannels).optPadding(new Shape(1, 1)).build()));
    }
    Map<String, ShapeSpec> shapes = new LinkedHashMap<>();
    for (int i = 0; i < ins.size(); i++) {
      shapes.put(OUTPUTS.get(i), new ShapeSpec(outChannels, ins.get(i).stride()));
    }
    shapes.put(OUTPUTS.get(ins.size()), new ShapeSpec(outChannels, ins.get(ins.size() - 1).stride() * 2));
    outputShapes = Collections.unmodifiableMap(shapes);
    // torchvision: kaiming_uniform_(a=1) = U(-sqrt(3 / fan_in), sqrt(3 / fan_in)), bias 0
    setInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
        XavierInitializer.FactorType.IN, 3), Parameter.Type.WEIGHT);
  }

  public static Builder builder() {
    return new Builder();
  }

  public int outChannels() {
    return outChannels;
  }

  /** Channels and stride of {@code p2..p6}. */
  public Map<String, ShapeSpec> outputShapes() {
    return outputShapes;
  }

  /** P2..P6 by name from C2..C5 (in order, finest first), as {@link #forward} computes them. */
  public Map<String, NDArray> features(ParameterStore ps, List<NDArray> levels, boolean training) {
    NDList out = forward(ps, new NDList(levels), training);
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (int i = 0; i < out.size(); i++) {
      byName.put(OUTPUTS.get(i), out.get(i));
    }
    return byName;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    int n = inner.size();
    if (inputs.size() != n) {
      throw new IllegalArgumentException("Fpn built for " + n + " levels got " + inputs.size());
    }
    try (NDManager scope = inputs.get(0).getManager().newSubManager()) {
      scope.tempAttachAll(inputs.toArray(new NDArray[0]));
      NDArray[] results = new NDArray[n + 1];
      NDArray last = inner.get(n - 1).forward(ps, new NDList(inputs.get(n - 1)), training).singletonOrThrow();
      results[n - 1] = layer.get(n - 1).forward(ps, new NDList(last), training).singletonOrThrow();
      for (int i = n - 2; i >= 0; i--) {
        NDArray lateral = inner.get(i).forward(ps, new NDList(inputs.get(i)), training).singletonOrThrow();
        last = lateral.add(upsampleNearest(last, lateral.getShape())); // [N, F, H_i, W_i]
        results[i] = layer.get(i).forward(ps, new NDList(last), training).singletonOrThrow();
      }
      // LastLevelMaxPool: F.max_pool2d(p5, kernel 1, stride 2, padding 0)
      results[n] = Pool.maxPool2d(results[n - 1], new Shape(1, 1), new Shape(2, 2), new Shape(0, 0), false);
      NDList out = new NDList(n + 1);
      for (int i = 0; i <= n; i++) {
        results[i].setName(OUTPUTS.get(i));
        out.add(scope.ret(results[i]));
      }
      return out;
    }
  }

  /**
   * torch's {@code interpolate(x, size=(H, W), mode="nearest")} (source index floor(i * h / H)) for
   * the FPN case h = ceil(H / 2), where it equals repeating every pixel twice and cropping: i * h / H
   * exceeds i / 2 by less than 1/2, so both floors agree. Any other ratio is refused.
   */
  static NDArray upsampleNearest(NDArray x, Shape target) {
    long h = x.getShape().get(2);
    long w = x.getShape().get(3);
    long th = target.get(2);
    long tw = target.get(3);
    if (h != (th + 1) / 2 || w != (tw + 1) / 2) {
      throw new IllegalArgumentException("FPN top-down path expects each level to halve the previous one"
          + " (rounding up), got " + x.getShape() + " above " + target);
    }
    NDArray up = x.repeat(2, 2).repeat(3, 2); // [N, C, 2h, 2w]
    return 2 * h == th && 2 * w == tw ? up : up.get(":, :, :" + th + ", :" + tw);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] outs = new Shape[inputShapes.length + 1];
    for (int i = 0; i < inputShapes.length; i++) {
      Shape s = inputShapes[i];
      outs[i] = new Shape(s.get(0), outChannels, s.get(2), s.get(3));
    }
    Shape p5 = outs[inputShapes.length - 1];
    outs[inputShapes.length] = new Shape(p5.get(0), outChannels, (p5.get(2) + 1) / 2, (p5.get(3) + 1) / 2);
    return outs;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (int i = 0; i < inner.size(); i++) {
      inner.get(i).initialize(manager, dataType, inputShapes[i]);
      layer.get(i).initialize(manager, dataType, inner.get(i).getOutputShapes(new Shape[] {inputShapes[i]}));
    }
  }

  /** J1 builder: {@code setInputShapes} (C2..C5 of the body, finest first) and {@code setOutChannels}. */
  public static final class Builder {
    private Map<String, ShapeSpec> inputShapes;
    private int outChannels;

    private Builder() {}

    /** The body's levels by name, finest first, each stride twice the previous one. */
    public Builder setInputShapes(Map<String, ShapeSpec> inputShapes) {
      this.inputShapes = inputShapes;
      return this;
    }

    /** Channels of every pyramid level ({@code fpnChannels}: 256 at paper scale). */
    public Builder setOutChannels(int outChannels) {
      this.outChannels = outChannels;
      return this;
    }

    public Fpn build() {
      if (inputShapes == null || inputShapes.isEmpty() || inputShapes.size() > 4) {
        throw new IllegalArgumentException("Fpn needs 1..4 input levels (C2..C5), got " + inputShapes);
      }
      if (outChannels <= 0) {
        throw new IllegalArgumentException("Fpn needs outChannels > 0, got " + outChannels);
      }
      int prev = -1;
      for (ShapeSpec s : inputShapes.values()) {
        if (prev > 0 && s.stride() != 2 * prev) {
          throw new IllegalArgumentException("Fpn input strides must double level to level, got " + inputShapes);
        }
        prev = s.stride();
      }
      return new Fpn(this);
    }
  }
}
