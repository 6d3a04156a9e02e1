package org.maskprop.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import java.util.Arrays;
import org.maskprop.data.FrameTransform;
import org.maskprop.model.detect.Detections;
import org.maskprop.ops.MaskPaster;

/**
 * The frame-level masks of a frame's detections, as every video method turns them from the
 * detector's tensors: which detections are kept (score strictly above the threshold), and their
 * mask probabilities ({@code sigmoid} of the {@code M x M} logits of each detection's own class)
 * pasted into a frame with {@link MaskPaster}. {@link ClipTracker} pastes into the model-input
 * frame (propagation runs there); the tracking-by-detection baselines ({@link FrameDetector}) paste
 * into the video's own frame, with the boxes mapped back through the inverse of the input
 * {@link FrameTransform}, as torchvision's and detectron2's postprocessing paste the mask head's
 * output at the original image size (one interpolation, instead of pasting at the model size and
 * resizing the pasted mask again).
 */
public final class DetectionMasks {
  private DetectionMasks() {}

  /** Indices of the detections with score strictly above {@code threshold}, ascending. */
  public static long[] above(Detections d, double threshold) {
    float[] scores = d.scores().toType(DataType.FLOAT32, false).toFloatArray();
    long[] kept = new long[scores.length];
    int n = 0;
    for (int i = 0; i < scores.length; i++) {
      if (scores[i] > threshold) {
        kept[n++] = i;
      }
    }
    return Arrays.copyOf(kept, n);
  }

  /**
   * Mask probabilities pasted into the model-input frame.
   *
   * @param d detections with mask logits {@code [n, M, M]}
   * @return {@code [n, H, W]} at {@code d.height() x d.width()}, in {@code d}'s logits' manager
   */
  public static NDArray paste(Detections d) {
    requireMasks(d);
    return MaskPaster.paste(Activation.sigmoid(d.maskLogits()), d.boxes().tensor(), d.height(), d.width());
  }

  /**
   * Mask probabilities pasted into the video's own frame: each box is mapped back from model-input
   * pixels by the inverse resize of {@code transform} ({@link #toVideo}), then pasted at
   * {@code transform.inHeight() x transform.inWidth()}.
   *
   * @param d detections of a frame that went through {@code transform} (no flip)
   * @return {@code [n, inHeight, inWidth]}, in {@code d}'s logits' manager
   */
  public static NDArray pasteInVideo(Detections d, FrameTransform transform) {
    requireMasks(d);
    requireInputOf(d, transform);
    NDArray logits = d.maskLogits();
    try (NDManager scope = logits.getManager().newSubManager()) {
      scope.tempAttachAll(logits, d.boxes().tensor());
      float sx = (float) (1 / transform.scaleX());
      float sy = (float) (1 / transform.scaleY());
      NDArray scale = scope.create(new float[] {sx, sy, sx, sy}).reshape(1, 4);
      NDArray boxes = d.boxes().tensor().toType(DataType.FLOAT32, false).mul(scale); // [n, 4] video px
      NDArray pasted = MaskPaster.paste(Activation.sigmoid(logits), boxes, transform.inHeight(),
          transform.inWidth()); // [n, inHeight, inWidth]
      return scope.ret(pasted);
    }
  }

  /**
   * An XYXY box in model-input pixels mapped back to the video's pixels (the inverse resize of
   * {@code transform}: coordinates divided by its scales).
   */
  public static float[] toVideo(float[] xyxy, FrameTransform transform) {
    if (transform.flip()) {
      throw new IllegalArgumentException("DetectionMasks: inference frames are not flipped");
    }
    return new FrameTransform(transform.outHeight(), transform.outWidth(), transform.inHeight(),
        transform.inWidth(), false).box(xyxy);
  }

  private static void requireMasks(Detections d) {
    if (!d.hasMasks()) {
      throw new IllegalArgumentException("DetectionMasks: detections without mask logits");
    }
  }

  private static void requireInputOf(Detections d, FrameTransform transform) {
    if (transform.flip()) {
      throw new IllegalArgumentException("DetectionMasks: inference frames are not flipped");
    }
    if (d.height() != transform.outHeight() || d.width() != transform.outWidth()) {
      throw new IllegalArgumentException("DetectionMasks: detections of a " + d.height() + "x" + d.width()
          + " input, the transform gives " + transform.outHeight() + "x" + transform.outWidth());
    }
  }
}
