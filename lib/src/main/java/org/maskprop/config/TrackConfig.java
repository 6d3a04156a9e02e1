package org.maskprop.config;

import static org.maskprop.config.MaskPropConfig.require;

/**
 * MaskTrack R-CNN's tracking head (Yang et al., ICCV 2019) on our detector, for the {@code masktrack}
 * baseline: two FC layers on 7x7 RoIAlign features ({@code fcDim}, then the {@code embedDim}
 * embedding; 1024 and 1024 in MaskTrack R-CNN, smaller stand-ins in the CPU presets), trained with
 * {@code loss_track} times {@code lossWeight} (1 in MaskTrack R-CNN) on the frame pairs that train
 * the propagation branch.
 *
 * <p>{@code roisPerInstance}: training RoIs of frame t' are each GT box plus this many jittered copies
 * ([U]: MaskTrack R-CNN samples RPN proposals; see {@code model.track.TrackHead}).
 *
 * <p>Inference cue weights of MaskTrack R-CNN's matching score (its {@code match_coeff}, 1, 2, 10):
 * {@code scoreWeight} on log detection score, {@code iouWeight} on box IoU, {@code categoryWeight}
 * on category agreement ({@code infer.masktrack.MaskTrackMatcher}).
 */
public record TrackConfig(
    boolean enabled,
    int fcDim,
    int embedDim,
    double lossWeight,
    int roisPerInstance,
    double scoreWeight,
    double iouWeight,
    double categoryWeight) {

  /** MaskTrack R-CNN's values: FCs 1024/1024, loss weight 1, 4 jittered RoIs [U], cues 1, 2, 10. */
  public static TrackConfig paper(boolean enabled) {
    return new TrackConfig(enabled, 1024, 1024, 1.0, 4, 1.0, 2.0, 10.0);
  }

  public TrackConfig {
    require(fcDim >= 1, "track.fcDim", "must be >= 1, got " + fcDim);
    require(embedDim >= 1, "track.embedDim", "must be >= 1, got " + embedDim);
    require(lossWeight >= 0 && Double.isFinite(lossWeight), "track.lossWeight", "must be >= 0, got " + lossWeight);
    require(roisPerInstance >= 0, "track.roisPerInstance", "must be >= 0, got " + roisPerInstance);
    require(Double.isFinite(scoreWeight) && Double.isFinite(iouWeight) && Double.isFinite(categoryWeight),
        "track.scoreWeight/iouWeight/categoryWeight", "must be finite");
  }
}
