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
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.RoiAlign;
import org.maskprop.ops.ShapeSpec;

/**
 * Mask branch of Mask R-CNN (He et al. 2017, Fig. 4; torchvision {@code MaskRCNNHeads} + {@code
 * MaskRCNNPredictor}): RoIAlign of P2..P5 to {@code M/2 x M/2} (sampling 2), {@code convs} 3x3 convs
 * of the FPN width with ReLU ({@code mask_fcn1..}), a 2x2 stride-2 transposed conv with ReLU ({@code
 * conv5_mask}) and a 1x1 conv to K + 1 class channels ({@code mask_fcn_logits}): {@code [R, K + 1, M,
 * M]}, M = 28 at paper scale. Convs start with Kaiming normal (fan out), biases 0, as torchvision.
 *
 * <p>Training uses the positive RoIs of the box stage (D3, {@link CascadeRoiHeads}); inference and
 * the propagation branch call {@link #forwardWithGivenBoxes} on final detections.
 */
public final class MaskHead extends AbstractBlock {
  private final List<Block> convs = new ArrayList<>();
  private final Block deconv;
  private final Block logits;
  private final RoiAlign pooler;
  private final int channels;
  private final int numClasses;
  private final int resolution;

  /**
   * @param channels FPN width (input and conv width)
   * @param numConvs 4 in Mask R-CNN
   * @param resolution output side M (even): features are pooled at M / 2
   * @param numClasses K foreground classes
   */
  public MaskHead(int channels, int numConvs, int resolution, int numClasses) {
    if (channels <= 0 || numConvs < 0 || resolution < 2 || resolution % 2 != 0 || numClasses <= 0) {
      throw new IllegalArgumentException("MaskHead: bad channels " + channels + ", convs " + numConvs
          + ", resolution " + resolution + " (even) or classes " + numClasses);
    }
    this.channels = channels;
    this.numClasses = numClasses;
    this.resolution = resolution;
    this.pooler = new RoiAlign(resolution / 2, resolution / 2, 2, false);
    for (int i = 0; i < numConvs; i++) {
      convs.add(addChildBlock("mask_fcn" + (i + 1), Conv2d.builder().setKernelShape(new Shape(3, 3))
          .setFilters(channels).optPadding(new Shape(1, 1)).build()));
    }
    deconv = addChildBlock("conv5_mask", new ConvTranspose2x2(channels));
    logits = addChildBlock("mask_fcn_logits", Conv2d.builder().setKernelShape(new Shape(1, 1))
        .setFilters(numClasses + 1).build());
    setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
        XavierInitializer.FactorType.OUT, 2), Parameter.Type.WEIGHT);
  }

  public int resolution() {
    return resolution;
  }

  /** {@code [R, K + 1, M, M]} logits for per-image boxes, pooled from P2..P5. */
  public NDArray logits(ParameterStore ps, List<NDArray> levels, List<ShapeSpec> specs, List<Boxes> boxes,
      boolean training) {
    NDArray pooled = pooler.forward(levels, specs, boxes); // [R, C, M/2, M/2]
    return forward(ps, new NDList(pooled), training).singletonOrThrow();
  }

  /**
   * Mask logits of each detection's own class (D3: detectron2 {@code forward_with_given_boxes}).
   *
   * @param levels P2..P5 {@code [B, C, H_l, W_l]}, one image per detection list
   * @return the same detections with {@code [N, M, M]} mask logits
   */
  public List<Detections> forwardWithGivenBoxes(ParameterStore ps, List<NDArray> levels, List<ShapeSpec> specs,
      List<Detections> detections) {
    NDManager out = levels.get(0).getManager();
    List<Long> counts = detections.stream().map(Detections::size).toList();
    long total = counts.stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return detections.stream()
          .map(d -> d.withMaskLogits(out.zeros(new Shape(0, resolution, resolution)))).toList();
    }
    try (NDManager scope = out.newSubManager()) {
      for (NDArray l : levels) {
        scope.tempAttachAll(l);
      }
      NDArray all = logits(ps, levels, specs, detections.stream().map(Detections::boxes).toList(), false);
      NDList classes = new NDList();
      detections.forEach(d -> classes.add(d.classes()));
      NDArray picked = MaskLosses.pickClass(all, Concat.of(classes, 0)); // [N, M, M]
      NDList parts = MaskLosses.split(picked, counts);
      List<Detections> result = new ArrayList<>();
      for (int i = 0; i < detections.size(); i++) {
        result.add(detections.get(i).withMaskLogits(scope.ret(parts.get(i))));
      }
      return result;
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [R, C, M/2, M/2]
    for (Block c : convs) {
      x = Activation.relu(c.forward(ps, new NDList(x), training).singletonOrThrow());
    }
    x = Activation.relu(deconv.forward(ps, new NDList(x), training).singletonOrThrow()); // [R, C, M, M]
    return logits.forward(ps, new NDList(x), training); // [R, K + 1, M, M]
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), numClasses + 1, resolution, resolution)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = new Shape(1, channels, resolution / 2, resolution / 2);
    for (Block c : convs) {
      c.initialize(manager, dataType, in);
    }
    deconv.initialize(manager, dataType, in);
    logits.initialize(manager, dataType, new Shape(1, channels, resolution, resolution));
  }
}
