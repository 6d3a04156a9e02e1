package org.maskprop.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.config.InferConfig;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisResult;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;

/**
 * Inference plumbing with an untrained cpu-tiny model on a 7-frame synthetic video of 64 x 64
 * (a bright square and a grey bar moving over noise). Score threshold 0 so that the untrained
 * detector's boxes become tracks; mask threshold 0.05 so that the untrained soft masks survive.
 * Values are not checked against a reference (the model is random): the tests check what the
 * design fixes: clip extents, window size, working resolution, per-frame output and memory.
 */
class VideoPredictorTest {
  static final int SIZE = 64;
  static final int FRAMES = 7;
  static final int CLIP = 5; // k = 2

  static final List<String> TINY = List.of("rpn.anchorSizes=[8, 16, 32, 64, 128]",
      "rpn.preNmsTopN.train=100", "rpn.preNmsTopN.test=100", "rpn.postNmsTopN.train=30",
      "rpn.postNmsTopN.test=30", "rpn.batchSizePerImage=64", "roiHeads.batchSizePerImage=32",
      "backbone.fpnChannels=16");

  static final InferConfig INFER = new InferConfig(CLIP, 0.0, 0.5, 0.05, 300);

  @TempDir Path root;

  /** Writes the video's PNG frames and opens them. */
  FrameSource video() throws IOException {
    return video(SIZE, FRAMES);
  }

  FrameSource video(int width, int count) throws IOException {
    Files.createDirectories(root.resolve("v"));
    Random random = new Random(3);
    List<String> names = new ArrayList<>();
    for (int f = 0; f < count; f++) {
      BufferedImage image = new BufferedImage(width, SIZE, BufferedImage.TYPE_3BYTE_BGR);
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < width; x++) {
          int v = 40 + random.nextInt(30);
          image.setRGB(x, y, new Color(v, v, v).getRGB());
        }
      }
      Graphics2D g = image.createGraphics();
      g.setColor(new Color(240, 60, 40));
      g.fillRect(8 + 2 * f, 8 + f, 20, 20);
      g.setColor(new Color(150, 150, 150));
      g.fillRect(36 - f, 34, 22, 24);
      g.dispose();
      String name = "v/" + f + ".png";
      ImageIO.write(image, "png", root.resolve(name).toFile());
      names.add(name);
    }
    return FrameSource.ofImages(root, names);
  }

  static VideoMaskRcnn model(NDManager m) {
    return ModelFactory.build(MaskPropConfig.fromPreset("cpu-tiny", TINY), m, SIZE, SIZE);
  }

  @Test
  void predictGivesOneMaskSlotPerFrameForEveryResult() throws IOException {
    try (NDManager m = NDManager.newBaseManager(); FrameSource frames = video()) {
      VideoMaskRcnn model = model(m);
      ParameterStore ps = new ParameterStore(m, false);
      int before = m.getManagedArrays().size();
      List<YtvisResult> results = VideoPredictor.predict(ps, model, frames, 42, INFER,
          FrameTransform.identity(SIZE, SIZE), c -> 100 + c, false);
      assertFalse(results.isEmpty(), "an untrained detector with threshold 0 still yields instances");
      for (YtvisResult r : results) {
        assertEquals(42, r.videoId());
        assertTrue(r.categoryId() > 100, "class index mapped to a category id");
        assertTrue(r.score() > 0 && r.score() <= 1, "score " + r.score());
        assertEquals(FRAMES, r.segmentations().size());
        boolean any = false;
        for (Rle rle : r.segmentations()) {
          if (rle != null) {
            any = true;
            assertEquals(SIZE, rle.height()); // emitted at the video's size, not the P3 grid
            assertEquals(SIZE, rle.width());
          }
        }
        assertTrue(any, "a result with every frame empty is not emitted");
      }
      assertEquals(before, m.getManagedArrays().size(), "predict leaves no native arrays behind");
    }
  }

  @Test
  void spanWeightsAverageOverEqualCellsTilingTheFrame() {
    // 64 pixels in 8 cells: each cell is the mean of its 8 pixels (GridMasks.toGrid's weights)
    float[] exact = ClipTracker.spanWeights(8, 64);
    for (int j = 0; j < 8; j++) {
      for (int p = 0; p < 64; p++) {
        assertEquals(p / 8 == j ? 0.125f : 0f, exact[j * 64 + p], 1e-7f);
      }
    }
    // 85 pixels in 11 cells of L = 85/11 = 7.7273: cell 0 has pixels 0..6 whole (1/L each) and
    // pixel 7 for 0.7273 of it; cell 1 starts with the other 0.2727 of pixel 7
    float[] w = ClipTracker.spanWeights(11, 85);
    double len = 85.0 / 11;
    assertEquals(1 / len, w[0], 1e-6);
    assertEquals((len - 7) / len, w[7], 1e-6);
    assertEquals(0f, w[8]);
    assertEquals((8 - len) / len, w[85 + 7], 1e-6);
    assertEquals(1 / len, w[85 + 8], 1e-6);
    for (int j = 0; j < 11; j++) {
      double row = 0;
      for (int p = 0; p < 85; p++) {
        row += w[j * 85 + p];
      }
      assertEquals(1.0, row, 1e-5, "row " + j);
    }
    for (int p = 0; p < 85; p++) { // every pixel is shared out completely (columns sum to 1 / L)
      double col = 0;
      for (int j = 0; j < 11; j++) {
        col += w[j * 85 + p];
      }
      assertEquals(1 / len, col, 1e-5, "pixel " + p);
    }
  }

  @Test
  void framesNotAMultipleOfTheStrideGiveCellsTilingTheFrame() throws IOException {
    // 64 x 85: P3 is 8 x 11 (88 px wide, overhanging); tracks are 8 x 11 cells spanning 85 px, and
    // the results come back at 64 x 85
    try (NDManager m = NDManager.newBaseManager(); FrameSource frames = video(85, 3)) {
      VideoMaskRcnn model = model(m);
      ParameterStore ps = new ParameterStore(m, false);
      int before = m.getManagedArrays().size();
      InferConfig three = new InferConfig(3, 0.0, 0.5, 0.05, 300);
      try (ClipTracker tracker =
          new ClipTracker(model, ps, m, frames, FrameTransform.identity(SIZE, 85), three, c -> c)) {
        List<ClipTrack> clip = tracker.next();
        assertFalse(clip.isEmpty());
        for (ClipTrack c : clip) {
          assertEquals(8, c.height());
          assertEquals(11, c.width());
          for (float[] mask : c.masks()) {
            for (float v : mask) {
              assertTrue(v >= -1e-6f && v <= 1 + 1e-6f, "soft mask value " + v);
            }
          }
        }
      }
      List<YtvisResult> results = VideoPredictor.predict(ps, model, frames, 3, three,
          FrameTransform.identity(SIZE, 85), c -> c, false);
      assertFalse(results.isEmpty());
      for (YtvisResult r : results) {
        for (Rle rle : r.segmentations()) {
          if (rle != null) {
            assertEquals(85, rle.width());
          }
        }
      }
      assertEquals(before, m.getManagedArrays().size());
    }
  }

  @Test
  void noDetectionAboveTheThresholdGivesNoResults() throws IOException {
    // sigmoid/softmax scores never exceed 1, so threshold 1 keeps nothing: every centre adds an
    // empty list, and the video still runs to the end without leaking
    try (NDManager m = NDManager.newBaseManager(); FrameSource frames = video()) {
      VideoMaskRcnn model = model(m);
      ParameterStore ps = new ParameterStore(m, false);
      int before = m.getManagedArrays().size();
      InferConfig none = new InferConfig(CLIP, 1.0, 0.5, 0.05, 300);
      assertEquals(List.of(), VideoPredictor.predict(ps, model, frames, 1, none,
          FrameTransform.identity(SIZE, SIZE), c -> c, false));
      assertEquals(before, m.getManagedArrays().size());
    }
  }

  @Test
  void clipsAreTruncatedAtTheEndsAndTheWindowHoldsAtMostTPrimeFrames() throws IOException {
    try (NDManager m = NDManager.newBaseManager(); FrameSource frames = video()) {
      VideoMaskRcnn model = model(m);
      ParameterStore ps = new ParameterStore(m, false);
      int before = m.getManagedArrays().size();
      List<Integer> counts = new ArrayList<>();
      int tracks = 0;
      try (ClipTracker tracker =
          new ClipTracker(model, ps, m, frames, FrameTransform.identity(SIZE, SIZE), INFER, c -> c)) {
        for (int t = 0; t < FRAMES; t++) {
          assertEquals(t, tracker.nextCentre());
          List<ClipTrack> clip = tracker.next();
          tracks += clip.size();
          assertTrue(tracker.cachedFrames() <= CLIP, "window of " + tracker.cachedFrames() + " frames");
          // frames t-2..t+2 clipped to [0, 6]: centre 0 covers 0..2, centre 6 covers 4..6
          int first = Math.max(0, t - 2);
          int last = Math.min(FRAMES - 1, t + 2);
          assertEquals(last - first + 1, tracker.cachedFrames());
          for (ClipTrack c : clip) {
            assertEquals(t, c.centreFrame());
            assertEquals(first, c.firstFrame());
            assertEquals(last, c.lastFrame());
            assertEquals(SIZE / 8, c.height()); // P3 grid, stride 8
            assertEquals(SIZE / 8, c.width());
            for (float[] mask : c.masks()) {
              for (float v : mask) {
                assertTrue(v >= 0 && v <= 1, "soft mask value " + v);
              }
            }
            assertEquals(1, c.scores().size());
            assertTrue(c.scores().get(0).score() > 0);
          }
          counts.add(m.getManagedArrays().size() - before);
        }
        assertFalse(tracker.hasNext());
        assertEquals(CLIP, tracker.maxCachedFrames());
        assertEquals(FRAMES, tracker.detectCalls(), "each frame is detected once");
      }
      assertTrue(tracks > 0, "threshold 0 keeps the untrained detector's boxes");
      // the window's arrays are counted (sub-managers included), and while it is full (5 frames,
      // centres 2, 3 and 4) the number held stays the same: nothing accumulates per centre
      assertTrue(counts.get(2) > 0, "arrays held per centre: " + counts);
      assertEquals(counts.get(2), counts.get(3), "arrays held per centre: " + counts);
      assertEquals(counts.get(3), counts.get(4), "arrays held per centre: " + counts);
      assertEquals(before, m.getManagedArrays().size(), "closing the tracker frees the window");
    }
  }

  @Test
  void centreMaskIsTheDetectorsOwnMaskAndNeighboursArePropagated() throws IOException {
    // centre 0's clip: frame 0 is the detector's mask pooled to the grid, frames 1..2 come from the
    // propagation head, whose instance softmax times attention keeps every value below 1 / 1
    try (NDManager m = NDManager.newBaseManager(); FrameSource frames = video()) {
      VideoMaskRcnn model = model(m);
      ParameterStore ps = new ParameterStore(m, false);
      InferConfig single = new InferConfig(1, 0.0, 0.5, 0.05, 300);
      float[][] alone;
      try (ClipTracker tracker =
          new ClipTracker(model, ps, m, frames, FrameTransform.identity(SIZE, SIZE), single, c -> c)) {
        List<ClipTrack> clip = tracker.next();
        assertFalse(clip.isEmpty());
        assertEquals(1, clip.get(0).masks().length); // T' = 1: the clip is the centre frame alone
        alone = clip.stream().map(c -> c.masks()[0]).toArray(float[][]::new);
      }
      try (ClipTracker tracker =
          new ClipTracker(model, ps, m, frames, FrameTransform.identity(SIZE, SIZE), INFER, c -> c)) {
        List<ClipTrack> clip = tracker.next();
        assertEquals(alone.length, clip.size());
        for (int i = 0; i < clip.size(); i++) {
          // the centre mask does not depend on the clip length (no propagation involved)
          float[] centre = clip.get(i).maskAt(0);
          for (int p = 0; p < centre.length; p++) {
            assertEquals(alone[i][p], centre[p], 1e-5f);
          }
        }
        // the propagated masks of one target frame sum to at most 1 per cell (softmax over the
        // instances and background, times an attention map in (0, 1))
        for (int f = 1; f <= 2; f++) {
          float[] sum = new float[clip.get(0).height() * clip.get(0).width()];
          for (ClipTrack c : clip) {
            float[] mk = c.maskAt(f);
            for (int p = 0; p < sum.length; p++) {
              sum[p] += mk[p];
            }
          }
          for (float s : sum) {
            assertTrue(s <= 1 + 1e-5f, "instance masks of frame " + f + " sum to " + s);
          }
        }
      }
    }
  }
}
