package org.maskprop.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import org.maskprop.model.FrameOutput;
import org.maskprop.model.VideoMaskRcnn;

/**
 * Per-box embeddings of a detected frame for the MaskTrack R-CNN baseline: the seam between
 * {@link FrameDetector} and the model's tracking head (MaskTrack R-CNN's embedding branch, {@code
 * model.track}). Its shape is that of {@code VideoMaskRcnn.embed(ps, frame, boxes)}, so the
 * method reference {@code VideoMaskRcnn::embed} is an embedder.
 */
@FunctionalInterface
public interface Embedder {

  /**
   * @param model the network
   * @param ps its parameter store (inference)
   * @param frame what {@link VideoMaskRcnn#detect} computed for the frame
   * @param boxes {@code [N, 4]} XYXY in model-input pixels
   * @return {@code [N, D]} embeddings; {@link FrameDetector} copies them out and closes the frame's
   *     arrays afterwards
   */
  NDArray embed(VideoMaskRcnn model, ParameterStore ps, FrameOutput frame, NDArray boxes);
}
