package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.data.PairFixtures.ann;
import static org.maskprop.data.PairFixtures.rect;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.config.Presets;
import org.maskprop.config.TrainConfig;

class PairLoaderTest {
  static final int H = 24;
  static final int W = 32;
  static final List<Integer> SCALES = List.of(12, 40);
  static final int MAX_SIZE = 48;
  static NDManager manager;
  @TempDir Path root;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /**
   * Video 1 (moving, 8 frames): ann 1 (category 5) a 6x4 box moving right 2 px per frame, in all
   * frames; ann 2 (category 9) present in frames 0..3 only. Video 2 (static, 5 frames): every frame
   * the same image, ann 3 the same box in every frame.
   */
  YtvisDataset dataset(boolean withStatic, boolean withMoving) {
    YtvisDataset.Video moving = PairFixtures.video(1, H, W, 8);
    YtvisDataset.Video still = PairFixtures.video(2, H, W, 5);
    List<Rle> a1 = new ArrayList<>();
    List<Rle> a2 = new ArrayList<>();
    for (int f = 0; f < 8; f++) {
      a1.add(rect(H, W, 2 + 2 * f, 3, 8 + 2 * f, 7));
      a2.add(f < 4 ? rect(H, W, 20, 10, 30, 22) : null);
    }
    List<Rle> a3 = new ArrayList<>();
    for (int f = 0; f < 5; f++) {
      a3.add(rect(H, W, 5, 2, 19, 20));
    }
    List<YtvisDataset.Video> videos = new ArrayList<>();
    List<YtvisDataset.Annotation> anns = new ArrayList<>();
    if (withMoving) {
      videos.add(moving);
      anns.add(ann(1, moving, 5, 0, a1));
      anns.add(ann(2, moving, 9, 0, a2));
    }
    if (withStatic) {
      videos.add(still);
      anns.add(ann(3, still, 9, 0, a3));
    }
    PairFixtures.writeFrames(root, videos, (v, f) -> PairFixtures.pattern(v, v.id() == 2 ? 0 : f));
    return new YtvisDataset(null, null, null, videos, PairFixtures.categories(9, 5), anns);
  }

  PairLoader loader(YtvisDataset d, long seed, boolean prefetch) {
    return new PairLoader(d, root, new PairSampler(d, 3, seed), new Augmentation(SCALES, MAX_SIZE, 0.5, seed),
        manager, prefetch);
  }

  @Test
  void batchIsTheSampledPairUnderTheSampledTransform() throws Exception {
    YtvisDataset d = dataset(true, true);
    CategoryIndex c = CategoryIndex.of(d);
    PairSampler sampler = new PairSampler(d, 3, 11);
    Augmentation aug = new Augmentation(SCALES, MAX_SIZE, 0.5, 11);
    try (PairLoader loader = loader(d, 11, false)) {
      for (long i = 0; i < 12; i++) {
        try (PairBatch b = loader.load(i)) {
          FramePair p = sampler.sample(i);
          assertEquals(p, b.pair());
          YtvisDataset.Video v = d.videoById(p.videoId());
          FrameTransform t = aug.sample(i, H, W);
          assertEquals(t, b.transform());
          Shape s = new Shape(3, t.outHeight(), t.outWidth());
          assertEquals(s, b.frameT().getShape());
          assertEquals(s, b.frameTPrime().getShape());
          assertEquals(DataType.FLOAT32, b.frameT().getDataType());
          try (FrameSource src = FrameSource.ofImages(root, v)) {
            assertArrayEquals(ImageTensors.normalized(src.frame(p.t()), t), b.frameT().toFloatArray());
            assertArrayEquals(ImageTensors.normalized(src.frame(p.tPrime()), t), b.frameTPrime().toFloatArray());
          }
          for (int k = 0; k < 2; k++) {
            int f = k == 0 ? p.t() : p.tPrime();
            FrameTargets got = k == 0 ? b.targetsT() : b.targetsTPrime();
            FrameInstances want = FrameInstances.of(v, d.annotationsOf(v.id()), f, c).transform(t);
            assertArrayEquals(want.trackIds(), got.trackIds());
            assertEquals(t.outHeight(), got.height());
            assertEquals(t.outWidth(), got.width());
            try (NDManager m = manager.newSubManager()) {
              FrameTargets w = want.toTargets(m);
              assertArrayEquals(w.masks().toByteArray(), got.masks().toByteArray());
              assertArrayEquals(w.boxes().tensor().toFloatArray(), got.boxes().tensor().toFloatArray());
              assertArrayEquals(w.classes().toLongArray(), got.classes().toLongArray());
            }
          }
          assertArrayEquals(p.trackIds(), b.targetsT().trackIds());
          assertEquals(p.tPrime() - p.t(), b.gap());
        }
      }
    }
  }

  @Test
  void bothFramesOfAPairGetTheSameTransform() {
    YtvisDataset d = dataset(true, false); // the static video only: t and t' look the same
    Set<String> sizes = new HashSet<>();
    int flips = 0;
    try (PairLoader loader = loader(d, 3, false)) {
      for (long i = 0; i < 16; i++) {
        try (PairBatch b = loader.load(i)) {
          assertTrue(b.gap() != 0);
          assertArrayEquals(b.frameT().toFloatArray(), b.frameTPrime().toFloatArray());
          assertArrayEquals(b.targetsT().masks().toByteArray(), b.targetsTPrime().masks().toByteArray());
          assertArrayEquals(b.targetsT().boxes().tensor().toFloatArray(),
              b.targetsTPrime().boxes().tensor().toFloatArray());
          sizes.add(b.transform().outHeight() + "x" + b.transform().outWidth());
          flips += b.transform().flip() ? 1 : 0;
          // the box (5, 2, 19, 20) of the 24x32 frame, mapped as the transform says
          FrameTransform t = b.transform();
          float sx = (float) t.outWidth() / W;
          float sy = (float) t.outHeight() / H;
          float x1 = t.flip() ? t.outWidth() - 19 * sx : 5 * sx;
          float x2 = t.flip() ? t.outWidth() - 5 * sx : 19 * sx;
          float[] box = b.targetsT().boxes().tensor().toFloatArray();
          assertArrayEquals(new float[] {x1, 2 * sy, x2, 20 * sy}, box, 1e-4f);
        }
      }
    }
    assertTrue(sizes.size() > 3, "scales vary: " + sizes);
    assertTrue(flips > 0 && flips < 16, "flips: " + flips);
  }

  @Test
  void propagationTargetsAreTheMasksInTPrimeOrEmpty() {
    YtvisDataset d = dataset(false, true);
    int absentSeen = 0;
    try (PairLoader loader = loader(d, 5, false)) {
      for (long i = 0; i < 40; i++) {
        try (PairBatch b = loader.load(i)) {
          NDArray prop = b.propagationTargets();
          FrameTargets tt = b.targetsT();
          FrameTargets tp = b.targetsTPrime();
          assertEquals(new Shape(tt.size(), tt.height(), tt.width()), prop.getShape());
          int[] match = b.matchInTPrime();
          int plane = tt.height() * tt.width();
          byte[] got = prop.toByteArray();
          byte[] masksTp = tp.masks().toByteArray();
          for (int k = 0; k < tt.size(); k++) {
            int id = tt.trackIds()[k];
            boolean present = contains(b.pair().presentInTPrime(), id);
            assertEquals(present, match[k] >= 0);
            for (int q = 0; q < plane; q++) {
              byte want = present ? masksTp[match[k] * plane + q] : 0;
              assertEquals(want, got[k * plane + q]);
            }
            absentSeen += present ? 0 : 1;
          }
        }
      }
    }
    assertTrue(absentSeen > 0, "some instance of t is absent from t'");
  }

  static boolean contains(int[] a, int x) {
    for (int v : a) {
      if (v == x) {
        return true;
      }
    }
    return false;
  }

  @Test
  void prefetchGivesTheSameBatchesAsDirectLoading() {
    YtvisDataset d = dataset(true, true);
    long[] order = {0, 1, 2, 3, 7, 8, 2, 9};
    try (PairLoader direct = loader(d, 21, false); PairLoader ahead = loader(d, 21, true)) {
      for (long i : order) {
        try (PairBatch a = direct.load(i); PairBatch b = ahead.load(i)) {
          assertEquals(a.pair(), b.pair());
          assertEquals(a.transform(), b.transform());
          assertArrayEquals(a.frameT().toFloatArray(), b.frameT().toFloatArray());
          assertArrayEquals(a.frameTPrime().toFloatArray(), b.frameTPrime().toFloatArray());
          assertArrayEquals(a.targetsTPrime().masks().toByteArray(), b.targetsTPrime().masks().toByteArray());
        }
      }
    }
  }

  @Test
  void twoHundredBatchesLeaveNoArraysBehind() {
    YtvisDataset d = dataset(true, true);
    try (NDManager parent = manager.newSubManager()) {
      BaseNDManager base = (BaseNDManager) parent;
      int before = base.getManagedArrays().size();
      try (PairLoader loader = new PairLoader(d, root, new PairSampler(d, 3, 8),
          new Augmentation(SCALES, MAX_SIZE, 0.5, 8), parent, true)) {
        for (long i = 0; i < 200; i++) {
          NDArray frame;
          NDArray prop;
          try (PairBatch b = loader.load(i)) {
            frame = b.frameT();
            prop = b.propagationTargets();
            assertTrue(base.getManagedArrays().size() > before);
          }
          assertTrue(frame.isReleased() && prop.isReleased(), "closing the batch frees its arrays");
          assertEquals(before, base.getManagedArrays().size(), "iteration " + i);
        }
      }
      assertEquals(before, base.getManagedArrays().size());
    }
  }

  @Test
  void missingFrameIsAnInputErrorWithAndWithoutPrefetch() throws Exception {
    YtvisDataset d = dataset(false, true);
    Files.delete(root.resolve(d.videos().get(0).fileNames().get(0)));
    Files.delete(root.resolve(d.videos().get(0).fileNames().get(1)));
    for (boolean prefetch : new boolean[] {false, true}) {
      try (PairLoader loader = loader(d, 1, prefetch)) {
        boolean failed = false;
        for (long i = 0; i < 20 && !failed; i++) {
          try (PairBatch b = loader.load(i)) {
            assertTrue(b.t() > 1 && b.tPrime() > 1);
          } catch (InputException e) {
            assertTrue(e.getMessage().contains("video 1"), e.getMessage());
            failed = true;
          }
        }
        assertTrue(failed);
      }
    }
  }

  @Test
  void configuredLoaderChecksTheClassCount() {
    YtvisDataset d = dataset(false, true); // 2 categories
    var preset = Presets.get("cpu-tiny"); // numClasses 8
    TrainConfig train = preset.train();
    InputException e = assertThrows(InputException.class,
        () -> PairLoader.of(d, root, preset.data(), train, 0, manager));
    assertEquals("dataset: 2 categories but config data.numClasses is 8", e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }
}
