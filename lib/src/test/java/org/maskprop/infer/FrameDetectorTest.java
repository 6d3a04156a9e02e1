package org.maskprop.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.config.InferConfig;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.data.YtvisResults;
import org.maskprop.model.VideoMaskRcnn;

/**
 * Per-frame detection and the tracking-by-detection methods with an untrained cpu-tiny model on
 * {@link VideoPredictorTest}'s 7-frame 64 x 64 video (score threshold 0 and mask threshold 0.05, so
 * that the random detector's instances survive). The model is random, so values are not checked
 * against a reference: the tests check what the design fixes (sizes, the box mapping, the
 * embedder seam, per-frame output, results the strict results reader accepts, flat memory).
 */
class FrameDetectorTest {
  static final int SIZE = VideoPredictorTest.SIZE;
  static final int FRAMES = VideoPredictorTest.FRAMES;
  static final InferConfig INFER = VideoPredictorTest.INFER;

  static NDManager manager;
  static VideoMaskRcnn model;
  static ParameterStore ps;

  @TempDir Path root;

  @BeforeAll
  static void buildModel() {
    manager = NDManager.newBaseManager();
    model = VideoPredictorTest.model(manager);
    ps = new ParameterStore(manager, false);
  }

  @AfterAll
  static void closeModel() {
    manager.close();
  }

  FrameSource video() throws IOException {
    VideoPredictorTest fixture = new VideoPredictorTest();
    fixture.root = root;
    return fixture.video();
  }

  static int numClasses() {
    return MaskPropConfig.fromPreset("cpu-tiny", VideoPredictorTest.TINY).data().numClasses();
  }

  @Test
  void detectionsAreAtTheVideoSizeWithBoxesMappedBackAndMemoryStaysFlat() throws IOException {
    // the 64 x 64 video goes in at 48 x 48 (scale 3/4): masks come back at 64 x 64, and a fake
    // embedder that returns the model-input boxes shows that box = embedding / (3/4)
    FrameTransform t = new FrameTransform(SIZE, SIZE, 48, 48, false);
    Embedder boxesAsEmbedding = (mdl, store, frame, boxes) -> boxes.duplicate();
    int appearanceLength = MaskPropConfig.fromPreset("cpu-tiny", VideoPredictorTest.TINY).backbone().fpnChannels()
        * FrameDetector.APPEARANCE_RESOLUTION * FrameDetector.APPEARANCE_RESOLUTION;
    try (FrameSource frames = video()) {
      int before = manager.getManagedArrays().size();
      int total = 0;
      try (FrameDetector detector = new FrameDetector(model, ps, manager, t, INFER, c -> 100 + c, boxesAsEmbedding)) {
        int held = manager.getManagedArrays().size();
        for (int f = 0; f < FRAMES; f++) {
          List<DetectedInstance> dets = detector.detect(frames.frame(f));
          assertEquals(held, manager.getManagedArrays().size(), "frame " + f + " leaves no arrays behind");
          total += dets.size();
          for (DetectedInstance d : dets) {
            Rle mask = d.detection().mask();
            assertEquals(SIZE, mask.height());
            assertEquals(SIZE, mask.width());
            assertTrue(mask.area() > 0, "empty masks are dropped");
            int c = d.detection().categoryId() - 100;
            assertTrue(c >= 1 && c <= numClasses(), "category " + d.detection().categoryId());
            assertTrue(d.detection().score() > 0 && d.detection().score() <= 1);
            assertEquals(appearanceLength, d.appearance().length);
            assertEquals(4, d.embedding().length);
            for (int i = 0; i < 4; i++) {
              assertEquals(d.embedding()[i] * 4 / 3f, d.box()[i], 1e-4f, "box coordinate " + i);
            }
          }
        }
        assertEquals(FRAMES, detector.detectCalls());
      }
      assertTrue(total > 0, "threshold 0 keeps the untrained detector's boxes");
      assertEquals(before, manager.getManagedArrays().size(), "closing the detector frees its manager");
    }
  }

  @Test
  void withoutAnEmbedderThereIsNoEmbeddingAndThreshold1KeepsNothing() throws IOException {
    try (FrameSource frames = video();
        FrameDetector none = new FrameDetector(model, ps, manager, FrameTransform.identity(SIZE, SIZE),
            new InferConfig(5, 1.0, 0.5, 0.05, 300), c -> c, null);
        FrameDetector all = new FrameDetector(model, ps, manager, FrameTransform.identity(SIZE, SIZE),
            INFER, c -> c, null)) {
      assertEquals(List.of(), none.detect(frames.frame(0)));
      List<DetectedInstance> dets = all.detect(frames.frame(0));
      assertFalse(dets.isEmpty());
      for (DetectedInstance d : dets) {
        assertNull(d.embedding());
        // identity transform: the box is the detector's box, inside the frame
        assertTrue(d.box()[0] >= 0 && d.box()[2] <= SIZE && d.box()[0] <= d.box()[2]);
      }
    }
  }

  @Test
  void everyRegisteredBaselineRunsEndToEndAndTheStrictReaderAcceptsItsResults() throws IOException {
    assertTrue(VideoMethods.names().containsAll(List.of("maskprop", "iou-linking", "deepsort")),
        "registered: " + VideoMethods.names());
    List<String> baselines = List.of("iou-linking", "deepsort");
    YtvisDataset gt = groundTruth();
    try (FrameSource frames = video()) {
      int before = manager.getManagedArrays().size();
      for (String name : baselines) {
        VideoMethod method = VideoMethods.byName(name);
        assertEquals(name, method.name());
        List<YtvisResult> results = method.predict(ps, model, frames, 1, INFER,
            FrameTransform.identity(SIZE, SIZE), c -> c, false);
        if (name.equals("iou-linking")) {
          assertFalse(results.isEmpty(), "every untrained detection starts at least a track");
        }
        checkResults(results, gt, name);
      }
      // the masktrack seam: a fake embedder (the boxes) reaches the linker with every detection
      List<Integer> embeddingLengths = new ArrayList<>();
      DetectionLinker.Factory recording = (videoId, numFrames, config) -> {
        DetectionLinker iou = TrackingByDetection.iouLinker(videoId, numFrames, config);
        return new DetectionLinker() {
          @Override
          public void add(int frame, List<DetectedInstance> detections) {
            detections.forEach(d -> embeddingLengths.add(d.embedding().length));
            iou.add(frame, detections);
          }

          @Override
          public List<YtvisResult> finish() {
            return iou.finish();
          }
        };
      };
      VideoMethod maskTrack = TrackingByDetection.maskTrack((mdl, store, frame, boxes) -> boxes.duplicate(), recording);
      assertEquals("masktrack", maskTrack.name());
      List<YtvisResult> results = maskTrack.predict(ps, model, frames, 1, INFER,
          FrameTransform.identity(SIZE, SIZE), c -> c, false);
      assertFalse(embeddingLengths.isEmpty());
      assertTrue(embeddingLengths.stream().allMatch(n -> n == 4));
      checkResults(results, gt, "masktrack");
      assertEquals(before, manager.getManagedArrays().size(), "the methods leave no native arrays behind");
    }
  }

  /** Video 1 of 64 x 64 and FRAMES frames, categories 1..K of the detector. */
  static YtvisDataset groundTruth() {
    List<String> names = IntStream.range(0, FRAMES).mapToObj(f -> "v/" + f + ".png").toList();
    List<YtvisDataset.Category> categories = IntStream.rangeClosed(1, numClasses())
        .mapToObj(c -> new YtvisDataset.Category(c, "class" + c, "shape")).toList();
    return new YtvisDataset(null, null, null, List.of(new YtvisDataset.Video(1, SIZE, SIZE, FRAMES, names)),
        categories, List.of());
  }

  /** One slot per frame at the video size, and a round trip through the strict results reader. */
  void checkResults(List<YtvisResult> results, YtvisDataset gt, String method) {
    for (YtvisResult r : results) {
      assertEquals(FRAMES, r.segmentations().size(), method);
      assertTrue(r.segmentations().stream().anyMatch(s -> s != null), method + ": a result with no mask");
      for (Rle s : r.segmentations()) {
        if (s != null) {
          assertArrayEquals(new int[] {SIZE, SIZE}, new int[] {s.height(), s.width()}, method);
        }
      }
    }
    if (!results.isEmpty()) {
      Path file = root.resolve(method + ".json");
      YtvisResults.write(file, results);
      assertEquals(results.size(), YtvisResults.read(file, gt, false).size(), method);
    }
  }
}
