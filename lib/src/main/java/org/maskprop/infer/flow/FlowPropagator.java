package org.maskprop.infer.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.maskprop.config.InferConfig;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.ImageTensors;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.MaskPropagator;
import org.maskprop.infer.VideoPredictor;
import org.maskprop.infer.WindowFrame;
import org.maskprop.infer.WorkingGrid;
import org.maskprop.model.VideoMaskRcnn;

/**
 * The optical-flow propagation baseline ({@code flow-propagation}): MaskProp with its learned
 * propagation branch replaced by warping the centre frame's masks with dense optical flow. It is
 * our stand-in for the paper's FlowNet2 warping baseline (Table 3), with OpenCV's DIS in place of
 * FlowNet2; everything else (detector, clip length {@code T'}, score threshold, the Eq. 4/5
 * assigner, mask averaging) is MaskProp's ({@link VideoPredictor}).
 *
 * <p>For each frame {@code t'} of centre frame {@code t}'s clip, flow is computed directly from
 * {@code t'} to {@code t} (not chained through the frames in between, as FlowNet2 warping baselines
 * do), on the two model inputs converted to 8-bit grey, and the masks of {@code t} (probabilities
 * pasted into the model input) are warped backwards with it ({@link BackwardWarp}) and
 * area-averaged onto the tracker's working grid. Pixels whose source falls outside the frame get 0.
 *
 * <p>Flow settings by default: DIS preset {@link DisFlow.Preset#MEDIUM} (the most accurate of
 * OpenCV's presets: more iterations and denser patches than FAST) computed down to full resolution
 * (finest scale 0; the preset stops at half resolution and upsamples, which loses the small, fast
 * SynthVIS objects). Chosen with {@code org.maskprop.bench.FlowBench} on a SynthVIS occlusion set
 * generated with another seed than the reported ones: GT masks warped one frame ahead reach mask
 * IoU 0.76 (MEDIUM, full resolution) against 0.69 (MEDIUM preset), 0.74 (FAST, full resolution),
 * 0.69 (FAST, half resolution) and 0.57 for copying the mask. Cost per frame pair (FlowBench
 * {@code dis_flow}, one thread, loaded machine): about 9-25 ms at 96x128, but about 0.4 s at a
 * YouTube-VIS 400x704 input, where {@code new FlowPropagator(MEDIUM, -1)} (half resolution, about
 * 0.1 s) is the cheaper choice. Owns native OpenCV state: close it (the {@link #predict} entry
 * point does).
 */
public final class FlowPropagator implements MaskPropagator, AutoCloseable {
  /** The method's name in {@link org.maskprop.infer.VideoMethods}. */
  public static final String NAME = "flow-propagation";

  /** ITU-R BT.601 luma weights of R, G, B (OpenCV's {@code COLOR_RGB2GRAY}). */
  static final float[] LUMA = {0.299f, 0.587f, 0.114f};

  private final DisFlow flow;
  private NDArray centreImage; // the centre frame repeats for 2k targets: its grey image is kept
  private byte[] centreGrey;

  /** DIS preset {@link DisFlow.Preset#MEDIUM} at full resolution (see the class comment). */
  public FlowPropagator() {
    this(DisFlow.Preset.MEDIUM, 0);
  }

  /** DIS with {@code preset}, computed down to pyramid level {@code finestScale} (-1: the preset's). */
  public FlowPropagator(DisFlow.Preset preset, int finestScale) {
    this.flow = new DisFlow(preset, finestScale);
  }

  /** MaskProp inference on one video with flow warping as the propagation step ({@link VideoMaskRcnn}'s branch unused). */
  public static List<YtvisResult> predict(
      ParameterStore ps,
      VideoMaskRcnn model,
      FrameSource frames,
      int videoId,
      InferConfig config,
      FrameTransform transform,
      IntUnaryOperator categoryOf,
      boolean showProgress) {
    try (FlowPropagator propagator = new FlowPropagator()) {
      return VideoPredictor.predict(ps, model, frames, videoId, config, transform, categoryOf, showProgress,
          propagator);
    }
  }

  @Override
  public NDArray propagate(NDManager scope, WindowFrame t, WindowFrame tPrime, NDArray masksT, WorkingGrid grid) {
    Shape s = masksT.getShape(); // [n, H, W]
    int h = (int) s.get(1);
    int w = (int) s.get(2);
    if (!t.image().getShape().equals(new Shape(3, h, w)) || !tPrime.image().getShape().equals(new Shape(3, h, w))) {
      throw new IllegalArgumentException("FlowPropagator: masks " + s + " but frames " + t.image().getShape()
          + " and " + tPrime.image().getShape());
    }
    if (t.image() != centreImage) { // identity: a frame's image array lives as long as it is in the window
      centreGrey = grey8(t.image());
      centreImage = t.image();
    }
    float[] f = flow.compute(grey8(tPrime.image()), centreGrey, h, w); // t' -> t: where t' pixels were
    try (NDManager sub = scope.newSubManager()) {
      sub.tempAttachAll(masksT);
      NDArray warped = BackwardWarp.warp(masksT, sub.create(f, new Shape(h, w, 2))); // [n, H, W]
      return sub.ret(grid.cells(warped)); // [n, h, w] into the caller's scope
    }
  }

  @Override
  public void close() {
    flow.close();
    centreImage = null;
    centreGrey = null;
  }

  /**
   * A model input {@code [3, H, W]} (normalised RGB, {@link ImageTensors}) back to 8-bit grey {@code
   * [H * W]}: {@code round(255 * sum_c LUMA_c (x_c STD_c + MEAN_c))}, clipped to {@code [0, 255]}.
   */
  public static byte[] grey8(NDArray image) {
    float[] weight = new float[3];
    float bias = 0;
    for (int c = 0; c < 3; c++) {
      weight[c] = 255f * LUMA[c] * ImageTensors.STD[c];
      bias += 255f * LUMA[c] * ImageTensors.MEAN[c];
    }
    try (NDManager sub = image.getManager().newSubManager()) {
      sub.tempAttachAll(image);
      NDArray g = image.mul(sub.create(weight, new Shape(3, 1, 1))).sum(new int[] {0}).add(bias) // [H, W]
          .round().clip(0, 255).toType(DataType.UINT8, false);
      return g.toByteArray();
    }
  }
}
