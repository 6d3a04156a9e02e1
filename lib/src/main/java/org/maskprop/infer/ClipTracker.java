package org.maskprop.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.IntUnaryOperator;
import org.maskprop.config.InferConfig;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.ImageTensors;
import org.maskprop.model.FrameOutput;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.model.detect.Detections;
import org.maskprop.util.Scopes;

/**
 * Clip-level tracks of a video (Sec. 4.3), one centre frame at a time, in order.
 *
 * <p>Each frame is detected once ({@link VideoMaskRcnn#detect}: FPN features and final detections)
 * and cached in a sliding window of {@code T' = 2k + 1} frames. For centre frame {@code t}, the
 * {@code n_t} detections with score {@code > scoreThreshold} are propagated together (the instance
 * softmax of Sec. 4.2 runs over all of them) to every frame {@code t' in [t-k, t+k]}, truncated at
 * the video ends, giving one {@link ClipTrack} per detection.
 *
 * <p>The propagation step is a {@link MaskPropagator}: the learned branch ({@link
 * VideoMaskRcnn#propagate}) by default, or a baseline such as optical-flow warping; it sees the
 * cached frames ({@link WindowFrame}: features, detections and the model-input image).
 *
 * <p>Masks leave as Java arrays at the propagation head's P3 grid size (the working resolution
 * {@link ClipTrack} asks for): frame {@code t'} != t gets the propagated masks {@code M_{t->t'}};
 * frame {@code t} gets the detector's own mask (sigmoid of its logits, pasted into the frame),
 * which is what the paper's clip holds at its centre. The assigner resizes working masks to the
 * frame as if their cells tiled the frame exactly; P3 cells are {@code stride} pixels, so when a
 * side of the model input is a multiple of the stride the propagated grid masks are used as they
 * are, and otherwise (the padded grid overhangs the frame) masks are area-averaged from frame
 * pixels onto {@code ceil(H / stride) x ceil(W / stride)} cells that tile the frame ({@code
 * spanWeights}), so that the final masks are not stretched by up to one stride.
 *
 * <p>Memory: the window has its own {@link NDManager}; each cached frame lives in a sub-manager
 * that is closed when the frame leaves the window (before the next frame is detected), so at most
 * {@code T'} frames are held whatever the video length ({@link #maxCachedFrames()}). Per-centre
 * temporaries live in a sub-manager closed before {@link #next()} returns. Inference only: the
 * model runs with {@code training = false} and no gradient collector.
 */
public final class ClipTracker implements AutoCloseable {
  /** A cached frame: its scope, what {@code detect} computed and the model input it ran on. */
  private record Cached(int index, NDManager scope, FrameOutput output, NDArray image) {}

  private final VideoMaskRcnn model;
  private final ParameterStore ps;
  private final FrameSource frames;
  private final FrameTransform transform;
  private final IntUnaryOperator categoryOf;
  private final double scoreThreshold;
  private final int k;
  private final int numFrames;
  private final MaskPropagator propagator;
  private final NDManager window;
  private final ArrayDeque<Cached> cache = new ArrayDeque<>();
  private int nextCentre;
  private int nextToDetect;
  private int maxCached;
  private int detectCalls;
  private int gridHeight = -1;
  private int gridWidth = -1;

  /**
   * @param model the network (its parameters in {@code ps})
   * @param ps parameter store of the model
   * @param parent the window's manager becomes a sub-manager of it
   * @param frames the video, read in order
   * @param transform frame geometry for the model input (no flip at inference)
   * @param config clip length {@code T'} and the score threshold
   * @param categoryOf maps the detector's class index (1..K) to the dataset's category id
   */
  public ClipTracker(
      VideoMaskRcnn model,
      ParameterStore ps,
      NDManager parent,
      FrameSource frames,
      FrameTransform transform,
      InferConfig config,
      IntUnaryOperator categoryOf) {
    this(model, ps, parent, frames, transform, config, categoryOf, MaskPropagator.learned(model, ps));
  }

  /**
   * A tracker whose propagation step is {@code propagator} instead of the learned branch (a
   * baseline, e.g. optical flow); detection, clips and masks at frame {@code t} are unchanged.
   */
  public ClipTracker(
      VideoMaskRcnn model,
      ParameterStore ps,
      NDManager parent,
      FrameSource frames,
      FrameTransform transform,
      InferConfig config,
      IntUnaryOperator categoryOf,
      MaskPropagator propagator) {
    if (transform.flip()) {
      throw new IllegalArgumentException("ClipTracker: inference frames are not flipped");
    }
    if (transform.inHeight() != frames.height() || transform.inWidth() != frames.width()) {
      throw new IllegalArgumentException("ClipTracker: transform expects " + transform.inHeight() + "x"
          + transform.inWidth() + " frames, the video has " + frames.height() + "x" + frames.width());
    }
    this.model = model;
    this.ps = ps;
    this.frames = frames;
    this.transform = transform;
    this.categoryOf = categoryOf;
    this.scoreThreshold = config.scoreThreshold();
    this.k = config.clipLength() / 2;
    this.numFrames = frames.frameCount();
    this.propagator = propagator;
    this.window = parent.newSubManager();
  }

  /** Whether a centre frame is left. */
  public boolean hasNext() {
    return nextCentre < numFrames;
  }

  /** The centre frame the next {@link #next()} returns tracks for. */
  public int nextCentre() {
    return nextCentre;
  }

  /** Frames of the video. */
  public int frameCount() {
    return numFrames;
  }

  /** The tracks of centre frame {@link #nextCentre()} (possibly none), then advances. */
  public List<ClipTrack> next() {
    if (!hasNext()) {
      throw new NoSuchElementException("ClipTracker: all " + numFrames + " centre frames done");
    }
    int t = nextCentre++;
    int first = Math.max(0, t - k);
    int last = Math.min(numFrames - 1, t + k);
    while (!cache.isEmpty() && cache.peekFirst().index() < first) {
      cache.removeFirst().scope().close(); // leaves the window before the next frame comes in
    }
    while (nextToDetect <= last) {
      cache.addLast(detect(nextToDetect++));
      maxCached = Math.max(maxCached, cache.size());
    }
    return tracksOf(t, first, last);
  }

  /** Frames in the window now. */
  public int cachedFrames() {
    return cache.size();
  }

  /** Largest {@link #cachedFrames()} seen (at most {@code T'}). */
  public int maxCachedFrames() {
    return maxCached;
  }

  /** Times {@link VideoMaskRcnn#detect} ran (once per frame). */
  public int detectCalls() {
    return detectCalls;
  }

  /** Working-resolution (P3 grid) height of the masks; known once a frame has been detected. */
  public int gridHeight() {
    requireDetected();
    return gridHeight;
  }

  /** Working-resolution (P3 grid) width of the masks; known once a frame has been detected. */
  public int gridWidth() {
    requireDetected();
    return gridWidth;
  }

  @Override
  public void close() {
    cache.clear();
    window.close();
  }

  // ---------------------------------------------------------------------------------------------

  private Cached detect(int index) {
    NDManager scope = window.newSubManager();
    try {
      NDArray image = ImageTensors.of(scope, frames.frame(index), transform); // [3, H, W]
      FrameOutput out = model.detect(ps, image); // the image stays in the window for the propagator
      detectCalls++;
      gridHeight = (int) out.p3().getShape().get(2);
      gridWidth = (int) out.p3().getShape().get(3);
      return new Cached(index, scope, out, image);
    } catch (RuntimeException e) {
      scope.close();
      throw e;
    }
  }

  private void requireDetected() {
    if (gridHeight < 0) {
      throw new IllegalStateException("ClipTracker: no frame detected yet");
    }
  }

  private WindowFrame cached(int index) {
    for (Cached c : cache) {
      if (c.index() == index) {
        return new WindowFrame(index, c.output(), c.image());
      }
    }
    throw new IllegalStateException("ClipTracker: frame " + index + " is not in the window");
  }

  private NDManager scopeOf(int index) {
    for (Cached c : cache) {
      if (c.index() == index) {
        return c.scope();
      }
    }
    throw new IllegalStateException("ClipTracker: frame " + index + " is not in the window");
  }

  private List<ClipTrack> tracksOf(int t, int first, int last) {
    WindowFrame ft = cached(t);
    Detections d = ft.output().detections();
    long[] kept = DetectionMasks.above(d, scoreThreshold);
    if (kept.length == 0) {
      return List.of();
    }
    int n = kept.length;
    int area = gridHeight * gridWidth;
    int stride = model.propagation().stride();
    float[][][] masks = new float[n][last - first + 1][]; // [instance][clip frame][h * w]
    float[] scores;
    long[] classes;
    float[] boxes;
    try (NDManager scope = scopeOf(t).newSubManager()) {
      Scopes.tempAttachOnce(scope, d.boxes().tensor(), d.scores(), d.classes(), d.maskLogits());
      Detections sel = d.select(scope.create(kept));
      scores = sel.scores().toType(DataType.FLOAT32, false).toFloatArray();
      classes = sel.classes().toType(DataType.INT64, false).toLongArray();
      boxes = sel.boxes().tensor().toType(DataType.FLOAT32, false).toFloatArray();
      NDArray pasted = DetectionMasks.paste(sel); // [n, H, W]
      boolean exactGrid = d.height() == gridHeight * stride && d.width() == gridWidth * stride;
      NDArray ay = scope.create(spanWeights(gridHeight, d.height()), new Shape(gridHeight, d.height()));
      NDArray ax = scope.create(spanWeights(gridWidth, d.width()), new Shape(gridWidth, d.width()));
      WorkingGrid grid = new WorkingGrid(gridHeight, gridWidth, exactGrid, ay, ax);
      split(toCells(pasted, ay, ax).toFloatArray(), masks, t - first, area); // [n, h, w]
      for (int f = first; f <= last; f++) {
        if (f == t) {
          continue;
        }
        NDArray cells = propagator.propagate(scope, ft, cached(f), pasted, grid); // [n, h, w]
        split(cells.toFloatArray(), masks, f - first, area);
      }
    }
    List<ClipTrack> tracks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int category = categoryOf.applyAsInt((int) classes[i]);
      float[] box = {boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]};
      tracks.add(new ClipTrack(t, first, gridHeight, gridWidth, masks[i],
          List.of(new CategoryScore(category, scores[i])), box));
    }
    return tracks;
  }

  /** {@code [n, H, W]} frame masks to {@code [n, h, w]} cells: {@code ay [h, H] . m . ax^T [W, w]}. */
  static NDArray toCells(NDArray masks, NDArray ay, NDArray ax) {
    NDArray m = masks.toType(DataType.FLOAT32, false);
    return ay.expandDims(0).matMul(m).matMul(ax.transpose().expandDims(0));
  }

  /**
   * Area-averaging weights {@code [cells, pixels]} (row-major) of {@code cells} equal cells tiling
   * {@code pixels} pixels: cell {@code j} spans {@code [j L, (j + 1) L)} with {@code L = pixels /
   * cells}, and pixel {@code p} ({@code [p, p + 1)}) weighs its overlap with the cell over {@code
   * L}; each row sums to 1. With {@code pixels = cells * stride} this is the plain mean over the
   * cell's {@code stride} pixels ({@code GridMasks.toGrid}).
   */
  static float[] spanWeights(int cells, int pixels) {
    float[] w = new float[cells * pixels];
    double len = (double) pixels / cells;
    for (int j = 0; j < cells; j++) {
      double lo = j * len;
      double hi = (j + 1) * len;
      for (int p = (int) Math.floor(lo); p < Math.min(pixels, (int) Math.ceil(hi)); p++) {
        double overlap = Math.min(hi, p + 1) - Math.max(lo, p);
        if (overlap > 0) {
          w[j * pixels + p] = (float) (overlap / len);
        }
      }
    }
    return w;
  }

  /** Row {@code i} of {@code flat} ({@code [n, area]}) into {@code masks[i][slot]}. */
  private static void split(float[] flat, float[][][] masks, int slot, int area) {
    for (int i = 0; i < masks.length; i++) {
      float[] m = new float[area];
      System.arraycopy(flat, i * area, m, 0, area);
      masks[i][slot] = m;
    }
  }

}
