package org.maskprop.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.maskprop.config.BackboneConfig;
import org.maskprop.ops.ShapeSpec;

/**
 * {@link ResNet} body plus {@link Fpn}: images [N, 3, H, W] to P2..P6 (torchvision's
 * {@code BackboneWithFPN}). The children are named {@code body} and {@code fpn}, so the keys
 * {@code backbone.body.*} and {@code backbone.fpn.*} of a torchvision Mask R-CNN state dict map to it
 * under the prefix {@code backbone.}.
 */
public final class FpnBackbone extends AbstractBlock {
  /** Parameter-file format version (J2): bump with a migration when children or parameters change. */
  private static final byte VERSION = 1;

  private final ResNet body;
  private final Fpn fpn;

  /** Injected parts (D2): the FPN must have been built on {@code body.outputShapes()}. */
  public FpnBackbone(ResNet body, Fpn fpn) {
    super(VERSION);
    this.body = addChildBlock("body", body);
    this.fpn = addChildBlock("fpn", fpn);
  }

  /** The backbone a config section describes (config translation beside the class, D2). */
  public static FpnBackbone of(BackboneConfig config) {
    ResNet body = ResNet.builder()
        .setArch(config.arch())
        .optWidthDivisor(config.widthDivisor())
        .optFrozenBatchNorm(config.frozenBatchNorm())
        .optGroupNorm(config.groupNorm())
        .optFrozenStages(config.frozenStages())
        .build();
    Fpn fpn = Fpn.builder().setInputShapes(body.outputShapes()).setOutChannels(config.fpnChannels()).build();
    return new FpnBackbone(body, fpn);
  }

  public ResNet body() {
    return body;
  }

  public Fpn fpn() {
    return fpn;
  }

  /** Channels and stride of {@code p2..p6}; heads size themselves from these. */
  public Map<String, ShapeSpec> outputShapes() {
    return fpn.outputShapes();
  }

  /** P2..P6 of {@code images} [N, 3, H, W] by name, finest first. */
  public Map<String, NDArray> features(ParameterStore ps, NDArray images, boolean training) {
    NDList out = forward(ps, new NDList(images), training);
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (int i = 0; i < out.size(); i++) {
      byName.put(Fpn.OUTPUTS.get(i), out.get(i));
    }
    return byName;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [N, 3, H, W]
    try (NDManager scope = x.getManager().newSubManager()) {
      scope.tempAttachAll(x);
      NDList c = body.forward(ps, inputs, training); // C2..C5, freed with the scope
      NDList p = fpn.forward(ps, c, training); // P2..P6
      for (NDArray a : p) {
        scope.ret(a);
      }
      return p;
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return fpn.getOutputShapes(body.getOutputShapes(inputShapes));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    body.initialize(manager, dataType, inputShapes);
    fpn.initialize(manager, dataType, body.getOutputShapes(inputShapes));
  }
}
