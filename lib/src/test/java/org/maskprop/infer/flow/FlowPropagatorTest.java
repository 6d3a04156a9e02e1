package org.maskprop.infer.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.maskprop.config.InferConfig;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.ImageTensors;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.ClipTrack;
import org.maskprop.infer.ClipTracker;
import org.maskprop.infer.VideoMethods;
import org.maskprop.infer.WindowFrame;
import org.maskprop.infer.WorkingGrid;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;

/**
 * The flow propagator on textured frames with known motion, then inside the tracker and through
 * {@code flow-propagation} with an untrained cpu-tiny model (as in {@code VideoPredictorTest}:
 * score threshold 0 so the random detector yields tracks; only validity and memory are checked).
 */
class FlowPropagatorTest {
  static final int SIZE = 64;

  static final List<String> TINY = List.of("rpn.anchorSizes=[8, 16, 32, 64, 128]",
      "rpn.preNmsTopN.train=100", "rpn.preNmsTopN.test=100", "rpn.postNmsTopN.train=30",
      "rpn.postNmsTopN.test=30", "rpn.batchSizePerImage=64", "roiHeads.batchSizePerImage=32",
      "backbone.fpnChannels=16");

  /**
   * A {@code size x size} frame: a smooth random colour texture ({@link DisFlowTest#texture}, moved
   * by {@code (dx, dy)}: {@code frame(y, x) = texture(y - dy, x - dx)}) with a bright square
   * {@code [16, 40)^2} moved by the same amount.
   */
  static BufferedImage frame(int size, int dx, int dy) {
    int pad = 16;
    int big = size + 2 * pad;
    float[] r = DisFlowTest.texture(big, big, 10, 1);
    float[] g = DisFlowTest.texture(big, big, 10, 2);
    float[] b = DisFlowTest.texture(big, big, 10, 3);
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int sy = y - dy;
        int sx = x - dx;
        int i = (sy + pad) * big + sx + pad;
        boolean inSquare = sy >= 16 && sy < 40 && sx >= 16 && sx < 40;
        int boost = inSquare ? 60 : 0;
        image.setRGB(x, y, new Color(Math.min(255, Math.round(r[i]) + boost),
            Math.min(255, Math.round(g[i]) + boost), Math.min(255, Math.round(b[i]))).getRGB());
      }
    }
    return image;
  }

  static float[] square(int size, int y0, int y1, int x0, int x1) {
    float[] m = new float[size * size];
    for (int y = Math.max(0, y0); y < Math.min(size, y1); y++) {
      for (int x = Math.max(0, x0); x < Math.min(size, x1); x++) {
        m[y * size + x] = 1f;
      }
    }
    return m;
  }

  /** Area-averaging weights {@code [size / stride, size]} of cells of {@code stride} pixels. */
  static NDArray cellWeights(NDManager m, int size, int stride) {
    int cells = size / stride;
    float[] w = new float[cells * size];
    for (int j = 0; j < cells; j++) {
      for (int p = j * stride; p < (j + 1) * stride; p++) {
        w[j * size + p] = 1f / stride;
      }
    }
    return m.create(w, new Shape(cells, size));
  }

  static WindowFrame windowFrame(NDManager m, int index, BufferedImage image) {
    return new WindowFrame(index, null, ImageTensors.of(m, image, FrameTransform.identity(image.getHeight(),
        image.getWidth())));
  }

  static FrameSource source(List<BufferedImage> images) {
    return new FrameSource() {
      @Override
      public int frameCount() {
        return images.size();
      }

      @Override
      public int width() {
        return images.get(0).getWidth();
      }

      @Override
      public int height() {
        return images.get(0).getHeight();
      }

      @Override
      public double fps() {
        return Double.NaN;
      }

      @Override
      public BufferedImage frame(int index) {
        BufferedImage src = images.get(index);
        BufferedImage copy = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        copy.setData(src.getData());
        return copy;
      }

      @Override
      public void close() {}
    };
  }

  static VideoMaskRcnn model(NDManager m) {
    return ModelFactory.build(MaskPropConfig.fromPreset("cpu-tiny", TINY), m, SIZE, SIZE);
  }

  @Test
  void greyOfTheModelInputIsTheFramesLuma() {
    BufferedImage image = frame(SIZE, 0, 0);
    try (NDManager m = NDManager.newBaseManager()) {
      byte[] grey = FlowPropagator.grey8(windowFrame(m, 0, image).image());
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          Color c = new Color(image.getRGB(x, y));
          double luma = 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
          assertEquals(luma, grey[y * SIZE + x] & 0xff, 0.51, "pixel " + y + "," + x);
        }
      }
    }
  }

  @Test
  void zeroMotionReturnsTheInputMasks() {
    try (NDManager m = NDManager.newBaseManager(); FlowPropagator flow = new FlowPropagator()) {
      BufferedImage image = frame(SIZE, 0, 0);
      NDArray masks = m.randomUniform(0f, 1f, new Shape(2, SIZE, SIZE));
      NDArray weights = cellWeights(m, SIZE, 8);
      WorkingGrid grid = new WorkingGrid(8, 8, true, weights, weights);
      int before = m.getManagedArrays().size();
      float[] out;
      try (NDManager scope = m.newSubManager()) {
        out = flow.propagate(scope, windowFrame(scope, 0, image), windowFrame(scope, 1, image), masks, grid)
            .toFloatArray();
      }
      assertEquals(before, m.getManagedArrays().size(), "everything lands in the caller's scope");
      float[] expected = grid.cells(masks).toFloatArray(); // [2, 8, 8]
      assertEquals(expected.length, out.length);
      for (int i = 0; i < out.length; i++) {
        assertEquals(expected[i], out[i], 1e-5f, "cell " + i);
      }
    }
  }

  @Test
  void aTranslatedFrameCarriesTheMaskAlong() {
    // frame t' is frame t moved by (3, 2) pixels; with 1-pixel cells the propagated mask of the
    // square is the square moved by (3, 2)
    int dx = 3;
    int dy = 2;
    try (NDManager m = NDManager.newBaseManager(); FlowPropagator flow = new FlowPropagator()) {
      NDArray eye = m.eye(SIZE);
      WorkingGrid grid = new WorkingGrid(SIZE, SIZE, true, eye, eye);
      NDArray masks = m.create(square(SIZE, 16, 40, 16, 40), new Shape(1, SIZE, SIZE));
      float[] out = flow.propagate(m, windowFrame(m, 0, frame(SIZE, 0, 0)), windowFrame(m, 1, frame(SIZE, dx, dy)),
          masks, grid).toFloatArray();
      float[] expected = square(SIZE, 16 + dy, 40 + dy, 16 + dx, 40 + dx);
      double iou = BackwardWarpTest.iou(out, expected);
      assertTrue(iou > 0.9, "IoU " + iou);
    }
  }

  @Test
  void aStaticVideoKeepsTheCentreMasksInEveryFrameOfTheClip() {
    // identical frames: flow 0, so the tracker's propagated masks equal the centre frame's
    List<BufferedImage> images = List.of(frame(SIZE, 0, 0), frame(SIZE, 0, 0), frame(SIZE, 0, 0));
    try (NDManager m = NDManager.newBaseManager(); FrameSource frames = source(images);
        FlowPropagator flow = new FlowPropagator()) {
      VideoMaskRcnn model = model(m);
      ParameterStore ps = new ParameterStore(m, false);
      InferConfig three = new InferConfig(3, 0.0, 0.5, 0.05, 300);
      try (ClipTracker tracker = new ClipTracker(model, ps, m, frames, FrameTransform.identity(SIZE, SIZE), three,
          c -> c, flow)) {
        List<ClipTrack> clip = tracker.next(); // centre 0: frames 0 and 1
        assertFalse(clip.isEmpty());
        for (ClipTrack c : clip) {
          float[] centre = c.maskAt(0);
          float[] next = c.maskAt(1);
          for (int p = 0; p < centre.length; p++) {
            assertEquals(centre[p], next[p], 1e-5f);
          }
        }
      }
    }
  }

  @Test
  void flowPropagationPredictsValidResultsWithoutLeaking() {
    int frames = 7;
    List<BufferedImage> images = new ArrayList<>();
    for (int f = 0; f < frames; f++) {
      images.add(frame(SIZE, 2 * f - 6, f - 3));
    }
    assertTrue(VideoMethods.names().contains(FlowPropagator.NAME));
    try (NDManager m = NDManager.newBaseManager(); FrameSource video = source(images)) {
      VideoMaskRcnn model = model(m);
      ParameterStore ps = new ParameterStore(m, false);
      try (FlowPropagator warm = new FlowPropagator()) { // natives and their static pointers loaded
        warm.close();
      }
      int arrays = m.getManagedArrays().size();
      long pointers = Pointer.totalCount();
      List<YtvisResult> results = VideoMethods.byName(FlowPropagator.NAME).predict(ps, model, video, 9,
          new InferConfig(5, 0.0, 0.5, 0.05, 300), FrameTransform.identity(SIZE, SIZE), c -> 100 + c, false);
      assertFalse(results.isEmpty(), "an untrained detector with threshold 0 still yields instances");
      for (YtvisResult r : results) {
        assertEquals(9, r.videoId());
        assertTrue(r.categoryId() > 100);
        assertTrue(r.score() > 0 && r.score() <= 1, "score " + r.score());
        assertEquals(frames, r.segmentations().size());
        boolean any = false;
        for (Rle rle : r.segmentations()) {
          if (rle != null) {
            any = true;
            assertEquals(SIZE, rle.height());
            assertEquals(SIZE, rle.width());
          }
        }
        assertTrue(any);
      }
      assertEquals(arrays, m.getManagedArrays().size(), "no native arrays left behind");
      assertEquals(pointers, Pointer.totalCount(), "no OpenCV Mats or DIS instances left behind");
    }
  }
}
