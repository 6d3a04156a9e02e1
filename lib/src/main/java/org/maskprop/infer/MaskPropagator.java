package org.maskprop.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import org.maskprop.model.VideoMaskRcnn;

/**
 * The propagation step of {@link ClipTracker}: the masks of centre frame {@code t}'s detections
 * carried to another frame {@code t'} of its clip. MaskProp uses the learned propagation branch
 * (Sec. 4.2, {@link #learned}); the optical-flow baseline ({@code infer.flow.FlowPropagator})
 * warps the same masks with dense flow instead, with everything else in the tracker unchanged.
 */
@FunctionalInterface
public interface MaskPropagator {

  /**
   * @param scope owns the result and every temporary; the caller closes it after reading the result
   * @param t the centre frame (features, detections and model-input image)
   * @param tPrime another frame of {@code t}'s clip
   * @param masksT {@code [n, H, W]} mask probabilities of {@code t}'s {@code n} kept detections,
   *     pasted into the model input ({@code H x W})
   * @param grid the working resolution the tracker stores masks at
   * @return {@code [n, h, w]} the masks at {@code t'} at the working resolution ({@code grid.height()
   *     x grid.width()})
   */
  NDArray propagate(NDManager scope, WindowFrame t, WindowFrame tPrime, NDArray masksT, WorkingGrid grid);

  /** The learned propagation branch of {@code model} (MaskProp, Sec. 4.2). */
  static MaskPropagator learned(VideoMaskRcnn model, ParameterStore ps) {
    return new LearnedPropagator(model, ps);
  }
}
