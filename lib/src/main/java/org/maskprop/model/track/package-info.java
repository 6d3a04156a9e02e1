/**
 * MaskTrack R-CNN's tracking branch (Yang et al., ICCV 2019) on MaskProp's detector: {@link
 * org.maskprop.model.track.TrackHead} embeds boxes from RoIAlign features and learns, jointly with
 * the propagation branch on the same frame pairs, to match each instance of frame t' to the
 * instances of frame t or to a new-instance slot ({@link org.maskprop.ops.LossNames#TRACK}). The
 * {@code masktrack} baseline combines these embeddings with box, score and category cues at
 * inference ({@code org.maskprop.infer.masktrack.MaskTrackMatcher}).
 */
package org.maskprop.model.track;
