package org.maskprop.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.maskprop.config.InferConfig;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.ImageTensors;
import org.maskprop.data.Rle;
import org.maskprop.model.FrameOutput;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.model.detect.CascadeRoiHeads;
import org.maskprop.model.detect.Detections;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.RoiAlign;
import org.maskprop.ops.ShapeSpec;

/**
 * Per-frame detection with the trained model, for the tracking-by-detection baselines of Tables 2
 * and 3 (the same detector MaskProp uses, frame by frame, no propagation).
 *
 * <p>For each frame: {@link VideoMaskRcnn#detect} on the frame resized by the input
 * {@link FrameTransform}; detections with score {@code > scoreThreshold} kept (as MaskProp keeps
 * its {@code n_t}); their mask probabilities pasted into the video's own frame ({@link
 * DetectionMasks#pasteInVideo}) and binarised at {@code >= maskThreshold} (the assigner's rule)
 * into an {@link Rle}; the class index mapped to a dataset category id; the box mapped back to
 * video pixels; the appearance descriptor for DeepSORT, the box's RoIAlign-pooled FPN features
 * ({@link #APPEARANCE_RESOLUTION}{@code ^2} bins of P2..P5, the level by box size as the box head
 * pools them, sampling 2) flattened; and, when an {@link Embedder} is given, its embedding.
 * A kept detection whose binarised mask is empty is dropped (it can neither match a GT mask nor give
 * a box to track).
 *
 * <p>Memory: each frame runs in its own sub-manager, closed before {@link #detect} returns (only
 * Java arrays and RLEs leave), so memory is flat over any video length. Pasting at the video size
 * runs {@link #PASTE_CHUNK} instances at a time, so a crowded 720p frame holds a bounded number of
 * full-frame masks. Inference only: {@code training = false}, no gradient collector.
 */
public final class FrameDetector implements AutoCloseable {
  /** Bins per side of the appearance descriptor: the box head's pooler size (7, Mask R-CNN). */
  public static final int APPEARANCE_RESOLUTION = 7;

  /** Instances pasted at the video's size per engine call (bounds the full-frame masks held). */
  static final int PASTE_CHUNK = 16;

  private final VideoMaskRcnn model;
  private final ParameterStore ps;
  private final FrameTransform transform;
  private final IntUnaryOperator categoryOf;
  private final double scoreThreshold;
  private final double maskThreshold;
  private final Embedder embedder;
  private final RoiAlign pooler = new RoiAlign(APPEARANCE_RESOLUTION, APPEARANCE_RESOLUTION, 2, false);
  private final List<ShapeSpec> pooledSpecs;
  private final NDManager manager;
  private int detectCalls;

  /**
   * @param model the network (its parameters in {@code ps})
   * @param ps parameter store of the model
   * @param parent the detector's manager becomes a sub-manager of it
   * @param transform video frame to model input (no flip)
   * @param config score and mask thresholds
   * @param categoryOf detector class index (1..K) to dataset category id
   * @param embedder per-box embeddings (MaskTrack R-CNN), or null for none
   */
  public FrameDetector(
      VideoMaskRcnn model,
      ParameterStore ps,
      NDManager parent,
      FrameTransform transform,
      InferConfig config,
      IntUnaryOperator categoryOf,
      Embedder embedder) {
    if (transform.flip()) {
      throw new IllegalArgumentException("FrameDetector: inference frames are not flipped");
    }
    this.model = model;
    this.ps = ps;
    this.transform = transform;
    this.categoryOf = categoryOf;
    this.scoreThreshold = config.scoreThreshold();
    this.maskThreshold = config.maskThreshold();
    this.embedder = embedder;
    List<ShapeSpec> specs = List.copyOf(model.backbone().outputShapes().values()); // p2..p6
    this.pooledSpecs = specs.subList(0, Math.min(CascadeRoiHeads.POOLED_LEVELS, specs.size()));
    this.manager = parent.newSubManager();
  }

  /**
   * The kept detections of one video frame, in the detector's order (score-sorted per class as its
   * postprocessing leaves them).
   *
   * @param frame a frame of {@code transform.inHeight() x transform.inWidth()} pixels
   */
  public List<DetectedInstance> detect(BufferedImage frame) {
    if (frame.getHeight() != transform.inHeight() || frame.getWidth() != transform.inWidth()) {
      throw new IllegalArgumentException("FrameDetector: transform expects " + transform.inHeight() + "x"
          + transform.inWidth() + " frames, got " + frame.getHeight() + "x" + frame.getWidth());
    }
    detectCalls++;
    try (NDManager scope = manager.newSubManager()) {
      NDArray image = ImageTensors.of(scope, frame, transform); // [3, H, W]
      FrameOutput out = model.detect(ps, image); // attached to scope
      long[] kept = DetectionMasks.above(out.detections(), scoreThreshold);
      if (kept.length == 0) {
        return List.of();
      }
      Detections sel = out.detections().select(scope.create(kept));
      int n = kept.length;
      float[] scores = sel.scores().toType(DataType.FLOAT32, false).toFloatArray();
      long[] classes = sel.classes().toType(DataType.INT64, false).toLongArray();
      float[] boxes = sel.boxes().tensor().toType(DataType.FLOAT32, false).toFloatArray(); // [n * 4]
      Rle[] masks = masks(scope, sel);
      float[][] appearance = rows(appearance(out, sel.boxes()), n); // [n][C * 7 * 7]
      float[][] embeddings = embedder == null
          ? null
          : rows(embedder.embed(model, ps, out, sel.boxes().tensor()), n); // [n][D]
      List<DetectedInstance> result = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        if (masks[i].area() == 0) {
          continue;
        }
        Detection d = new Detection(masks[i], categoryOf.applyAsInt((int) classes[i]),
            Math.min(1.0, Math.max(0.0, scores[i])));
        float[] box = DetectionMasks.toVideo(
            new float[] {boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]}, transform);
        result.add(new DetectedInstance(d, box, appearance[i], embeddings == null ? null : embeddings[i]));
      }
      return result;
    }
  }

  /** Frames detected so far. */
  public int detectCalls() {
    return detectCalls;
  }

  @Override
  public void close() {
    manager.close();
  }

  // ---------------------------------------------------------------------------------------------

  /** Binary masks at the video's size, {@link #PASTE_CHUNK} instances per paste. */
  private Rle[] masks(NDManager scope, Detections sel) {
    int n = (int) sel.size();
    int h = transform.inHeight();
    int w = transform.inWidth();
    int area = h * w;
    Rle[] out = new Rle[n];
    for (int from = 0; from < n; from += PASTE_CHUNK) {
      int to = Math.min(n, from + PASTE_CHUNK);
      byte[] binary;
      try (NDManager chunk = scope.newSubManager()) {
        Detections part = sel.select(chunk.arange(from, to, 1, DataType.INT64));
        // the selected rows are fresh arrays in the frame's scope: free them with the chunk
        chunk.attachAll(part.boxes().tensor(), part.maskLogits(), part.scores(), part.classes());
        NDArray probs = DetectionMasks.pasteInVideo(part, transform); // [m, h, w]
        binary = probs.gte(maskThreshold).toType(DataType.UINT8, false).toByteArray(); // [m * h * w]
      }
      for (int i = from; i < to; i++) {
        byte[] mask = new byte[area];
        System.arraycopy(binary, (i - from) * area, mask, 0, area);
        out[i] = Rle.encode(mask, h, w);
      }
    }
    return out;
  }

  /** {@code [n, C * r * r]}: RoIAlign of P2..P5 at the boxes (model-input pixels), flattened. */
  private NDArray appearance(FrameOutput out, Boxes boxes) {
    List<NDArray> levels = List.copyOf(out.features().values()).subList(0, pooledSpecs.size());
    NDArray pooled = pooler.forward(levels, pooledSpecs, List.of(boxes)); // [n, C, r, r]
    return pooled.reshape(pooled.getShape().get(0), -1);
  }

  /** The rows of an {@code [n, D]} array as Java arrays. */
  private static float[][] rows(NDArray matrix, int n) {
    Shape s = matrix.getShape();
    if (s.dimension() != 2 || s.get(0) != n) {
      throw new IllegalStateException("FrameDetector: expected [" + n + ", D] rows, got " + s);
    }
    float[] flat = matrix.toType(DataType.FLOAT32, false).toFloatArray();
    int d = (int) s.get(1);
    float[][] out = new float[n][d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * d, out[i], 0, d);
    }
    return out;
  }
}
