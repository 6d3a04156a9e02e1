/**
 * The MaskTrack R-CNN baseline's matching ({@link org.maskprop.infer.masktrack.MaskTrackMatcher}):
 * per-frame detections with tracking-head embeddings ({@code model.track.TrackHead}) linked to the
 * video's instances by embedding, score, box IoU and category cues.
 */
package org.maskprop.infer.masktrack;
