package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

import java.util.List;

/**
 * Training on frame pairs. Paper values [R?]: LR 0.008, 20 epochs with x0.1 steps at 16 and 19,
 * pair gap within +-5 annotated frames, shorter side in [400, 800]. {@code iterations} and {@code
 * lrSteps} count iterations (paper epochs convert through the dataset size).
 *
 * <p>{@code devices}: the devices of data-parallel training, DJL names such as {@code cpu}, {@code
 * gpu0}, {@code gpu1}; each runs a replica of the model on its own frame pair per iteration and the
 * gradients are averaged ({@code org.maskprop.train.Replicas}). Empty (the default): every GPU of
 * the host, else the CPU. Not verified on a GPU here.
 *
 * <p>{@code detectBothFrames}: the detector losses also on frame t' of each pair (mean over the two
 * frames), a stand-in that doubles the detector's data per step where training from scratch.
 */
public record TrainConfig(
    int iterations,
    double baseLr,
    double momentum,
    double weightDecay,
    int warmupIterations,
    double warmupFactor,
    List<Integer> lrSteps,
    double lrGamma,
    double gradClipNorm,
    int maxFrameGap,
    List<Integer> scales,
    double flipProbability,
    int clipsPerDevice,
    int checkpointPeriod,
    int keepCheckpoints,
    List<String> devices,
    boolean detectBothFrames) {
  public TrainConfig {
    require(iterations >= 1, "train.iterations", "must be >= 1");
    require(baseLr > 0, "train.baseLr", "must be > 0");
    require(maxFrameGap >= 0, "train.maxFrameGap", "must be >= 0");
    require(scales != null && !scales.isEmpty(), "train.scales", "must not be empty");
    require(flipProbability >= 0 && flipProbability <= 1, "train.flipProbability", "must be in [0, 1]");
    require(lrSteps != null, "train.lrSteps", "must be a list (may be empty)");
    require(devices != null, "train.devices", "must be a list (empty: all GPUs, else the CPU)");
    devices = List.copyOf(devices);
  }

  /** The detector learns from frame t of each pair only. */
  public TrainConfig(int iterations, double baseLr, double momentum, double weightDecay, int warmupIterations,
      double warmupFactor, List<Integer> lrSteps, double lrGamma, double gradClipNorm, int maxFrameGap,
      List<Integer> scales, double flipProbability, int clipsPerDevice, int checkpointPeriod, int keepCheckpoints,
      List<String> devices) {
    this(iterations, baseLr, momentum, weightDecay, warmupIterations, warmupFactor, lrSteps, lrGamma, gradClipNorm,
        maxFrameGap, scales, flipProbability, clipsPerDevice, checkpointPeriod, keepCheckpoints, devices, false);
  }
}
