package org.maskprop.infer;

import java.util.List;

/** The detections of one frame of a video (frame index from 0); the list is copied. */
public record FrameDetections(int frame, List<Detection> detections) {
  public FrameDetections {
    if (frame < 0) {
      throw new IllegalArgumentException("FrameDetections: negative frame " + frame);
    }
    detections = List.copyOf(detections);
  }
}
