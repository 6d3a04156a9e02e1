package org.maskprop.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The working resolution of {@link ClipTracker}'s masks: {@code height x width} cells that tile the
 * model input. {@code exact} when the cells are the P3 grid itself (each side of the input is a
 * multiple of the stride); otherwise the padded P3 grid overhangs the input and the cells are
 * slightly larger than a stride.
 *
 * @param rowWeights {@code [h, H]} area-averaging weights of rows ({@link ClipTracker#spanWeights})
 * @param colWeights {@code [w, W]} area-averaging weights of columns
 */
public record WorkingGrid(int height, int width, boolean exact, NDArray rowWeights, NDArray colWeights) {

  /**
   * {@code [n, H, W]} masks at the model input to {@code [n, h, w]} cells (area averages), attached
   * to the masks' manager; temporaries are freed.
   */
  public NDArray cells(NDArray frameMasks) {
    try (NDManager sub = frameMasks.getManager().newSubManager()) {
      sub.tempAttachAll(frameMasks, rowWeights);
      if (colWeights != rowWeights) { // attaching one array twice would lose its manager
        sub.tempAttachAll(colWeights);
      }
      return sub.ret(ClipTracker.toCells(frameMasks, rowWeights, colWeights));
    }
  }
}
