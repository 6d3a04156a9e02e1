package org.maskprop.model.track;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.maskprop.config.TrackConfig;
import org.maskprop.ops.BoxOps;
import org.maskprop.ops.Boxes;
import org.maskprop.ops.MatchResult;
import org.maskprop.ops.Matcher;
import org.maskprop.ops.RoiAlign;
import org.maskprop.ops.ShapeSpec;

/**
 * MaskTrack R-CNN's tracking branch (Yang, Fan, Xu, ICCV 2019, Sec. 4.1): an embedding per box from
 * RoIAlign features, and a matching loss against the instances of a reference frame.
 *
 * <p>Embedding: RoIAlign 7x7 (sampling 2, as the box head) over the FPN levels the caller passes
 * (P2..P5), flattened {@code [R, C*49]}, {@code fc1} ({@code fcDim}) with ReLU, {@code fc2} ({@code
 * embedDim}) without: {@code [R, D]}, the last layer linear as in MaskTrack R-CNN's {@code TrackHead}.
 * Initialisation: {@code fc2} weights N(0, 0.01) as MaskTrack R-CNN (so that the first dot products
 * are small: with Xavier on both layers they reach the thousands and the first SGD step diverges);
 * {@code fc1} keeps DJL's default Xavier (MaskTrack R-CNN: N(0, 0.01) too, but with two such
 * layers the dot products and their gradients start near zero on narrow CPU widths). Biases 0.
 *
 * <p>Matching probability (MaskTrack R-CNN Eq. 1): for a RoI i of the current frame with embedding
 * {@code f_i} and the N instances of the reference frame with embeddings {@code f_1..f_N},
 *
 * <pre>
 *   p_i(n) = exp(f_i . f_n) / (1 + sum_j exp(f_i . f_j)),  n = 1..N,
 *   p_i(0) = 1 / (1 + sum_j exp(f_i . f_j))                  (a new instance: logit fixed at 0)
 * </pre>
 *
 * and the tracking loss is the cross-entropy {@code L_track = -(1/P) sum_i log p_i(y_i)} over the P
 * positive RoIs, {@code y_i} the reference index of the RoI's instance (0 when it is not in the
 * reference frame); MaskTrack R-CNN averages over positives the same way ({@code
 * weighted_cross_entropy} with weight 1 on positives).
 *
 * <p>Training on a pair (t, t') of our training step: the reference frame is {@code t} (its GT boxes
 * give {@code f_1..f_N}, as MaskTrack R-CNN's {@code ref_bboxes}), the current frame is {@code t'}.
 * RoIs of {@code t'} are its GT boxes plus {@code roisPerInstance} jittered copies of each (centre
 * shifted by up to {@value #JITTER_SHIFT} of a side, each side scaled by up to exp(+-{@value
 * #JITTER_LOG_SCALE})), labelled by {@link Matcher} at IoU 0.5 against the GT of {@code t'};
 * MaskTrack R-CNN's positives are RPN proposals at IoU &gt;= 0.5 plus the GT boxes. Jittered GT keeps
 * positives plentiful from step 0 without running the RPN on {@code t'}, and resembles the
 * regressed detection boxes the head embeds at inference. All sampling draws from the caller's
 * generator; no gradient flows into the boxes.
 */
public final class TrackHead extends AbstractBlock {
  /** Pooled size, as the box head (MaskTrack R-CNN shares the box head's 7x7 RoI features). */
  public static final int POOLED = 7;

  /** Largest centre shift of a jittered RoI, as a fraction of the box side. */
  public static final double JITTER_SHIFT = 0.15;

  /** Largest |log| scale of each side of a jittered RoI. */
  public static final double JITTER_LOG_SCALE = 0.2;

  /** A RoI is a positive of the instance it overlaps with IoU at least this (MaskTrack R-CNN's 0.5). */
  public static final double POSITIVE_IOU = 0.5;

  private final Block fc1;
  private final Block fc2;
  private final RoiAlign pooler = new RoiAlign(POOLED, POOLED, 2, false);
  private final Matcher matcher =
      new Matcher(new double[] {POSITIVE_IOU}, new int[] {Matcher.NEGATIVE, Matcher.POSITIVE}, false);
  private final int fcDim;
  private final int embedDim;
  private final int roisPerInstance;

  /**
   * @param fcDim width of the hidden FC layer (1024 in MaskTrack R-CNN)
   * @param embedDim embedding width D (1024 in MaskTrack R-CNN)
   * @param roisPerInstance jittered training RoIs per GT instance of {@code t'}, besides the GT box
   */
  public TrackHead(int fcDim, int embedDim, int roisPerInstance) {
    if (fcDim <= 0 || embedDim <= 0 || roisPerInstance < 0) {
      throw new IllegalArgumentException("TrackHead needs fcDim, embedDim > 0 and roisPerInstance >= 0, got "
          + fcDim + ", " + embedDim + ", " + roisPerInstance);
    }
    this.fcDim = fcDim;
    this.embedDim = embedDim;
    this.roisPerInstance = roisPerInstance;
    fc1 = addChildBlock("fc1", Linear.builder().setUnits(fcDim).build());
    fc1.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
    fc2 = addChildBlock("fc2", Linear.builder().setUnits(embedDim).build());
    fc2.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
  }

  /** The head a config section describes (D2). */
  public static TrackHead of(TrackConfig config) {
    return new TrackHead(config.fcDim(), config.embedDim(), config.roisPerInstance());
  }

  public int fcDim() {
    return fcDim;
  }

  public int embedDim() {
    return embedDim;
  }

  public int roisPerInstance() {
    return roisPerInstance;
  }

  /**
   * Embeddings of {@code boxes} of one image.
   *
   * @param levels FPN maps {@code [1, C, H_l, W_l]} finest first (P2..P5)
   * @param specs their shape specs
   * @param boxes {@code [N, 4]} XYXY in input pixels
   * @return {@code [N, D]}, on the levels' manager ({@code [0, D]} for no boxes)
   */
  public NDArray embed(ParameterStore ps, List<NDArray> levels, List<ShapeSpec> specs, Boxes boxes,
      boolean training) {
    NDArray pooled = pooler.forward(levels, specs, List.of(boxes)); // [N, C, 7, 7]
    return forward(ps, new NDList(pooled), training).singletonOrThrow();
  }

  /**
   * MaskTrack R-CNN's match logits: a zero column (the new-instance slot) followed by the dot
   * products of each current embedding with each reference embedding.
   *
   * @param current {@code [P, D]}
   * @param reference {@code [N, D]}
   * @return {@code [P, N + 1]}
   */
  public static NDArray matchLogits(NDArray current, NDArray reference) {
    long p = current.getShape().get(0);
    NDArray products = current.matMul(reference.transpose()); // [P, N]
    return current.getManager().zeros(new Shape(p, 1), current.getDataType()).concat(products, 1);
  }

  /**
   * {@code L_track = -(1/P) sum_i log softmax(logits_i)[y_i]}; 0 (still connected to the graph) when
   * there is no positive.
   *
   * @param logits {@code [P, N + 1]} from {@link #matchLogits}
   * @param slots {@code [P]} int64 targets in {@code 0..N} (0 = new instance)
   */
  public static NDArray matchLoss(NDArray logits, NDArray slots) {
    Shape s = logits.getShape();
    if (s.get(0) == 0) {
      return logits.sum().mul(0);
    }
    NDArray range = logits.getManager().arange(0, (int) s.get(1), 1, DataType.INT64);
    NDArray oneHot = slots.toType(DataType.INT64, false).expandDims(1).eq(range).toType(logits.getDataType(), false);
    return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
  }

  /**
   * For each instance of the current frame (by track id), its target slot: 1 + its index among the
   * reference frame's instances, or 0 when the reference frame does not contain it.
   */
  public static int[] targetSlots(int[] referenceIds, int[] currentIds) {
    int[] slots = new int[currentIds.length];
    for (int i = 0; i < currentIds.length; i++) {
      for (int j = 0; j < referenceIds.length; j++) {
        if (referenceIds[j] == currentIds[i]) {
          slots[i] = j + 1;
          break;
        }
      }
    }
    return slots;
  }

  /**
   * {@code L_track} of one training pair (class javadoc), unweighted.
   *
   * @param levelsRef FPN maps of the reference frame {@code t} (P2..P5, {@code [1, C, h, w]})
   * @param levelsCur FPN maps of the current frame {@code t'}
   * @param gtRef GT boxes of {@code t} {@code [N, 4]}, with {@code idsRef} their track ids
   * @param gtCur GT boxes of {@code t'} {@code [M, 4]}, with {@code idsCur} their track ids
   * @param height frame height (jittered RoIs are clipped to the frame)
   * @return a scalar on the levels' manager
   */
  public NDArray trainingLoss(ParameterStore ps, List<NDArray> levelsRef, List<NDArray> levelsCur,
      List<ShapeSpec> specs, Boxes gtRef, int[] idsRef, Boxes gtCur, int[] idsCur, int height, int width,
      RandomGenerator random) {
    if (gtRef.size() != idsRef.length || gtCur.size() != idsCur.length) {
      throw new IllegalArgumentException("TrackHead: " + gtRef.size() + " and " + gtCur.size() + " boxes but "
          + idsRef.length + " and " + idsCur.length + " track ids");
    }
    NDManager m = levelsCur.get(0).getManager();
    Positives pos = samplePositives(m, gtCur.tensor().stopGradient(), targetSlots(idsRef, idsCur), height, width,
        random);
    NDArray current = embed(ps, levelsCur, specs, pos.boxes(), true); // [P, D]
    NDArray reference = embed(ps, levelsRef, specs, new Boxes(gtRef.tensor().stopGradient()), true); // [N, D]
    NDArray logits = matchLogits(current, reference); // [P, N + 1]
    return matchLoss(logits, pos.slots());
  }

  /** Positive training RoIs of the current frame and their target slots. */
  record Positives(Boxes boxes, NDArray slots) {}

  /**
   * The GT boxes of the current frame plus {@code roisPerInstance} jittered copies each, clipped to
   * the frame, kept where {@link Matcher} makes them positive (IoU &gt;= 0.5 with some GT box), each
   * with the target slot of the instance it matches.
   *
   * @param gt {@code [M, 4]} GT boxes of the current frame
   * @param slotOfInstance per GT instance, its target slot ({@link #targetSlots})
   */
  Positives samplePositives(NDManager m, NDArray gt, int[] slotOfInstance, int height, int width,
      RandomGenerator random) {
    int g = slotOfInstance.length;
    if (g == 0) {
      return new Positives(new Boxes(m.zeros(new Shape(0, 4))), m.zeros(new Shape(0), DataType.INT64));
    }
    try (NDManager scope = m.newSubManager()) {
      scope.tempAttachAll(gt);
      NDArray gt32 = gt.toType(DataType.FLOAT32, false);
      float[] rois = jitter(gt32.toFloatArray(), height, width, random);
      int r = rois.length / 4;
      Boxes all = new Boxes(scope.create(rois, new Shape(r, 4)));
      MatchResult match = matcher.match(BoxOps.pairwiseIou(new Boxes(gt32), all)); // [M, R] -> [R]
      int[] labels = match.labels().toType(DataType.INT32, false).toIntArray();
      long[] matched = match.matched().toLongArray();
      long[] keep = new long[r];
      long[] slots = new long[r];
      int p = 0;
      for (int i = 0; i < r; i++) {
        if (labels[i] == Matcher.POSITIVE) {
          keep[p] = i;
          slots[p++] = slotOfInstance[(int) matched[i]];
        }
      }
      NDArray boxes = all.select(scope.create(Arrays.copyOf(keep, p))).tensor();
      return new Positives(new Boxes(scope.ret(boxes)), scope.ret(scope.create(Arrays.copyOf(slots, p))));
    }
  }

  /** The {@code g} boxes {@code b} (flat XYXY) followed by {@code roisPerInstance} jittered copies of each. */
  private float[] jitter(float[] b, int height, int width, RandomGenerator random) {
    int g = b.length / 4;
    float[] rois = new float[4 * g * (1 + roisPerInstance)];
    int r = 0;
    for (int i = 0; i < g; i++) {
      System.arraycopy(b, 4 * i, rois, 4 * r++, 4);
    }
    for (int i = 0; i < g; i++) {
      double w = b[4 * i + 2] - b[4 * i];
      double h = b[4 * i + 3] - b[4 * i + 1];
      double cx = b[4 * i] + w / 2;
      double cy = b[4 * i + 1] + h / 2;
      for (int k = 0; k < roisPerInstance; k++) {
        double x = cx + w * JITTER_SHIFT * (2 * random.nextDouble() - 1);
        double y = cy + h * JITTER_SHIFT * (2 * random.nextDouble() - 1);
        double hw = w / 2 * Math.exp(JITTER_LOG_SCALE * (2 * random.nextDouble() - 1));
        double hh = h / 2 * Math.exp(JITTER_LOG_SCALE * (2 * random.nextDouble() - 1));
        rois[4 * r] = (float) Math.clamp(x - hw, 0, width);
        rois[4 * r + 1] = (float) Math.clamp(y - hh, 0, height);
        rois[4 * r + 2] = (float) Math.clamp(x + hw, 0, width);
        rois[4 * r + 3] = (float) Math.clamp(y + hh, 0, height);
        r++;
      }
    }
    return rois;
  }

  /** {@code [R, C, S, S]} pooled RoI features to {@code [R, D]} embeddings. */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [R, C, S, S]
    Shape s = x.getShape();
    NDArray flat = x.reshape(s.get(0), s.get(1) * s.get(2) * s.get(3)); // explicit: reshape(0, -1) is ambiguous
    NDArray h = Activation.relu(fc1.forward(ps, new NDList(flat), training).singletonOrThrow()); // [R, fcDim]
    return fc2.forward(ps, new NDList(h), training); // [R, D]
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), embedDim)};
  }

  /** {@code inputShapes}: pooled features {@code [R, C, 7, 7]}. */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    fc1.initialize(manager, dataType, new Shape(in.get(0), in.size() / in.get(0)));
    fc2.initialize(manager, dataType, new Shape(in.get(0), fcDim));
  }
}
