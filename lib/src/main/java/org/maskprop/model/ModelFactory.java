package org.maskprop.model;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.Optional;
import org.maskprop.config.BackboneConfig;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.model.backbone.FpnBackbone;
import org.maskprop.model.detect.CascadeRoiHeads;
import org.maskprop.model.detect.Rpn;
import org.maskprop.model.propagation.MaskPropagationHead;
import org.maskprop.model.refine.MaskRefiner;
import org.maskprop.model.track.TrackHead;
import org.maskprop.ops.ShapeSpec;

/**
 * The one place that turns a {@link MaskPropConfig} into a {@link VideoMaskRcnn} (STYLE.md {@code
 * config}, E1): each component gets its own config section and is sized from the backbone's output
 * shapes (D2); read top to bottom, this is the object graph. Choices between variants are enums in
 * the sections, switched on by the components themselves (no registry, no reflection).
 */
public final class ModelFactory {
  /** Box head FC width at paper scale (torchvision's {@code TwoMLPHead}, 1024). */
  public static final int PAPER_BOX_HEAD_WIDTH = 1024;

  private ModelFactory() {}

  /** The model a config describes, parameters not yet initialised. */
  public static VideoMaskRcnn build(MaskPropConfig config) {
    FpnBackbone backbone = FpnBackbone.of(config.backbone());
    Map<String, ShapeSpec> levels = backbone.outputShapes(); // p2..p6
    Rpn rpn = Rpn.of(config.rpn(), levels);
    CascadeRoiHeads roiHeads = CascadeRoiHeads.of(config.roiHeads(), levels, config.data().numClasses(),
        boxHeadWidth(config.backbone()));
    MaskPropagationHead propagation =
        MaskPropagationHead.of(config.propagation(), levels.get(config.propagation().level()));
    return VideoMaskRcnn.builder()
        .setBackbone(backbone)
        .setRpn(rpn)
        .setRoiHeads(roiHeads)
        .setPropagation(propagation)
        .optRefiner(MaskRefiner.fromConfig(config.refine()))
        .optTrackHead(config.track().enabled() ? Optional.of(TrackHead.of(config.track())) : Optional.empty(),
            config.track().lossWeight())
        .optTrainWith(config.propagation().trainWith())
        .optDetectBothFrames(config.train().detectBothFrames())
        .optPropagationLossWeight(config.propagation().lossWeight())
        .optSeed(config.seed())
        .build();
  }

  /**
   * {@link #build} plus initialised parameters for frames of {@code height x width}, with the
   * engine's random seed set from {@code config.seed} first so that the initial weights are
   * reproducible.
   */
  public static VideoMaskRcnn build(MaskPropConfig config, NDManager manager, int height, int width) {
    manager.getEngine().setRandomSeed((int) config.seed());
    VideoMaskRcnn model = build(config);
    model.initialize(manager, height, width);
    return model;
  }

  /**
   * Width of the box heads' two FC layers: the paper's 1024 divided by the backbone's width divisor
   * (the CPU presets shrink every layer alike; not a config field [U]), at least 16.
   */
  static int boxHeadWidth(BackboneConfig backbone) {
    return Math.max(16, PAPER_BOX_HEAD_WIDTH / backbone.widthDivisor());
  }
}
