package org.maskprop.infer;

import ai.djl.ndarray.NDArray;
import org.maskprop.model.FrameOutput;

/**
 * A frame of {@link ClipTracker}'s window as a {@link MaskPropagator} sees it. Both arrays belong to
 * the frame's scope, closed when the frame leaves the window: read them, do not attach them elsewhere.
 *
 * @param index frame index in the video
 * @param output what {@link org.maskprop.model.VideoMaskRcnn#detect} computed for the frame
 * @param image {@code [3, H, W]} the model input (normalised RGB, {@link org.maskprop.data.ImageTensors})
 */
public record WindowFrame(int index, FrameOutput output, NDArray image) {}
