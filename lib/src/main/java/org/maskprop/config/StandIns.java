package org.maskprop.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Config keys whose defaults are not the paper's own numbers (NOTES.md tags [U] and [R?]). Reports
 * and run records call these values stand-ins.
 */
public final class StandIns {
  private StandIns() {}

  /** Config path -> tag and origin. */
  public static final Map<String, String> KEYS = build();

  private static Map<String, String> build() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("propagation.residualChannels", "[R?] residual block 3x3/128, restored");
    m.put("propagation.dilations", "[R?] dilations 3, 6, 12, restored");
    m.put("propagation.backgroundSlot", "[U] background slot in the instance softmax");
    m.put("propagation.softIouEps", "[U] soft-IoU smoothing eps = 1");
    m.put("roiHeads.stageLossWeights", "[R?] HTC stage weights 1, 0.5, 0.25");
    m.put("roiHeads.semanticLossWeight", "[R?] HTC semantic weight 0.2");
    m.put("roiHeads.semanticHead", "[U] semantic target = union of GT instance masks per class");
    m.put("roiHeads.scoreThreshold", "[U] box score > 0.1 feeds mask and propagation branches");
    m.put("refine.patchSize", "[U] refinement patch 384x384");
    m.put("refine.channels", "[R?] refinement residual blocks of 128 channels");
    m.put("refine.blocks", "[U] 3 refinement residual blocks");
    m.put("train.baseLr", "[R?] initial LR 0.008");
    m.put("train.lrSteps", "[R?] x0.1 at epochs 16 and 19 of 20");
    m.put("train.maxFrameGap", "[R?] pair gap +-25 raw frames = +-5 annotated frames");
    m.put("train.scales", "[R?] shorter side in [400, 800]");
    m.put("infer.assignThreshold", "[U] Eq. 5 assignment threshold 0.5");
    m.put("infer.maskThreshold", "[U] final masks binarised at 0.5");
    m.put("infer.proposals", "[U] 1000 proposals (HTC default)");
    m.put("track.roisPerInstance", "[U] tracking-head RoIs: GT boxes of t' plus 4 jittered copies each");
    m.put("track.fcDim", "[U] CPU presets: tracking-head FC width 1024 / widthDivisor (MaskTrack R-CNN: 1024)");
    m.put("track.embedDim", "[U] CPU presets: embedding width 1024 / widthDivisor (MaskTrack R-CNN: 1024)");
    return java.util.Collections.unmodifiableMap(m);
  }
}
