package org.maskprop.dataprep.synth;

import java.util.List;

/**
 * Everything that defines one SynthVIS video; {@link SynthRenderer} turns it into frames and masks.
 * Instances are in depth order: a later instance is drawn above (occludes) an earlier one; static
 * occluders are above all instances.
 *
 * @param background planes {@code [3][height * width]}, RGB in 0..255
 * @param gains lighting flicker: brightness factor per frame
 * @param noiseSeed seed of the per-frame sensor noise
 * @param crossingPair indices of the two instances made to meet mid-video, or null
 */
public record SynthScene(
    int height,
    int width,
    int frames,
    SynthParams params,
    float[][] background,
    List<InstanceTrack> instances,
    List<Occluder> occluders,
    List<Occluder.Placement> placements,
    double[] gains,
    long noiseSeed,
    int[] crossingPair) {

  public SynthScene {
    instances = List.copyOf(instances);
    occluders = List.copyOf(occluders);
    placements = List.copyOf(placements);
  }

  /** The same scene with other occluders (used while placing them). */
  SynthScene withOccluders(List<Occluder> occ, List<Occluder.Placement> placed) {
    return new SynthScene(
        height, width, frames, params, background, instances, occ, placed, gains, noiseSeed,
        crossingPair);
  }
}
