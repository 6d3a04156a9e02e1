package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

import java.util.List;

/**
 * The mask propagation branch (Sec. 4.2). Stand-ins (NOTES.md): residual block 3x3/128 [R?], 1x1
 * shortcut projection [U], dilations 3, 6, 12 [R?], summed levels [U], deformable conv width =
 * FPN width [R?], background slot in the softmax [U], soft-IoU eps 1 [U]. {@code trainWith}: whether
 * training propagates GT masks of frame t (default) or predicted ones. {@code level}: the FPN level
 * it runs on, P3 in the paper; a stand-in P2 where frames are small (SynthVIS: a 96x128 frame has a
 * 12x16 P3 grid, objects span 2-4 cells).
 */
public record PropagationConfig(
    int residualChannels,
    List<Integer> dilations,
    boolean backgroundSlot,
    double softIouEps,
    MaskSource trainWith,
    double lossWeight,
    String level) {
  public enum MaskSource { GT, PREDICTED }

  public PropagationConfig {
    require(residualChannels >= 1, "propagation.residualChannels", "must be >= 1");
    require(dilations != null && !dilations.isEmpty() && dilations.stream().allMatch(d -> d >= 1),
        "propagation.dilations", "must be a non-empty list of positive integers");
    require(softIouEps >= 0, "propagation.softIouEps", "must be >= 0");
    require(trainWith != null, "propagation.trainWith", "must be GT or PREDICTED");
    require(level != null && List.of("p2", "p3", "p4", "p5").contains(level), "propagation.level",
        "must be one of p2, p3, p4, p5, got " + level);
  }

  /** On P3, as in the paper. */
  public PropagationConfig(int residualChannels, List<Integer> dilations, boolean backgroundSlot, double softIouEps,
      MaskSource trainWith, double lossWeight) {
    this(residualChannels, dilations, backgroundSlot, softIouEps, trainWith, lossWeight, "p3");
  }
}
