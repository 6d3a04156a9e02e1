package org.maskprop.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.model.VideoMaskRcnnTest.SIZE;
import static org.maskprop.model.VideoMaskRcnnTest.config;
import static org.maskprop.model.VideoMaskRcnnTest.pair;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.data.PairBatch;
import org.maskprop.data.Rle;
import org.maskprop.infer.masktrack.MaskTrackMatcher;
import org.maskprop.ops.LossNames;
import org.maskprop.ops.LossTerms;
import org.maskprop.train.Checkpointer;
import org.maskprop.train.OwnedSgd;
import org.maskprop.train.TrainState;
import org.maskprop.train.TrainingHook;

/**
 * The tracking head inside the assembled cpu-tiny model (where {@code track.enabled} is on): joint
 * training, {@link VideoMaskRcnn#embed}, and checkpoints. Fixtures from {@link VideoMaskRcnnTest}.
 */
class VideoMaskRcnnTrackTest {
  /** Three boxes of the fixture frame (the two objects and the whole frame), XYXY. */
  static NDArray boxes(NDManager m) {
    return m.create(new float[] {8, 8, 28, 28, 30, 36, 58, 60, 0, 0, 64, 64}, new Shape(3, 4));
  }

  @Test
  void jointTrainingOnOneRepeatedPairLowersTheTrackingLoss() {
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(config(), m, SIZE, SIZE);
      ParameterStore ps = new ParameterStore(m, false);
      List<Parameter> params = new ArrayList<>();
      for (Pair<String, Parameter> p : model.getParameters()) {
        if (p.getValue().requiresGradient()) {
          params.add(p.getValue());
        }
      }
      int steps = 16;
      float[] track = new float[steps];
      float[] others = new float[steps];
      int arrays = -1;
      for (int step = 0; step < steps; step++) {
        try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, step, 3, 2)) {
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            LossTerms losses = model.forwardTrain(ps, batch);
            for (Map.Entry<String, NDArray> e : losses.asMap().entrySet()) {
              float v = e.getValue().getFloat();
              if (e.getKey().equals(LossNames.TRACK)) {
                track[step] = v;
              } else {
                others[step] += v;
              }
            }
            gc.backward(losses.sum());
          }
          for (Parameter p : params) { // plain SGD, as VideoMaskRcnnTest
            NDArray w = p.getArray();
            try (NDArray g = w.getGradient(); NDArray update = g.mul(0.02f)) {
              w.subi(update);
              g.subi(g);
            }
          }
        }
        int count = m.getManagedArrays().size();
        if (step == 0) {
          arrays = count;
        }
        assertEquals(arrays, count, "arrays left after step " + step);
      }
      String trace = java.util.Arrays.toString(track);
      // both objects are in t and t': targets are slots 1 and 2, and the head learns to tell them apart
      // (measured: 0.79 at step 0, below 1e-3 from step 12 on)
      float first = (track[0] + track[1] + track[2]) / 3;
      float last = (track[steps - 3] + track[steps - 2] + track[steps - 1]) / 3;
      assertTrue(first > 0.3f && last < 0.1f * first, "loss_track did not fall: " + trace);
      // and the other terms still fall with it: joint training does not derail the detector
      float othersFirst = (others[0] + others[1] + others[2]) / 3;
      float othersLast = (others[steps - 3] + others[steps - 2] + others[steps - 1]) / 3;
      assertTrue(othersLast < 0.8f * othersFirst, "other losses " + java.util.Arrays.toString(others));

      // inference: the embeddings alone (no IoU or category cue, one category) tell the objects apart
      try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, 0, 3, 2)) {
        MaskTrackMatcher matcher = new MaskTrackMatcher(0, 0, 0, 2, 1);
        for (int f = 0; f < 2; f++) {
          FrameOutput out = model.detect(ps, f == 0 ? batch.frameT() : batch.frameTPrime());
          NDArray gtBoxes = (f == 0 ? batch.targetsT() : batch.targetsTPrime()).boxes().tensor();
          float[] e = model.embed(ps, out, gtBoxes).toFloatArray(); // [2, D]
          int d = e.length / 2;
          List<MaskTrackMatcher.Candidate> cands = new ArrayList<>();
          for (int i = 1; i >= 0; i--) { // reversed order in t': identity must not come from the order
            int k = f == 0 ? 1 - i : i;
            cands.add(new MaskTrackMatcher.Candidate(new double[] {0, 0, 1, 1}, 0.9, 1,
                java.util.Arrays.copyOfRange(e, k * d, (k + 1) * d), Rle.empty(SIZE, SIZE)));
          }
          int[] ids = matcher.addFrame(f, cands);
          assertArrayEquals(f == 0 ? new int[] {0, 1} : new int[] {1, 0}, ids, "frame " + f);
        }
      }
    }
  }

  @Test
  void embedGivesOneEmbeddingPerBoxOnTheBoxesManager() {
    try (NDManager m = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(config(), m, SIZE, SIZE);
      ParameterStore ps = new ParameterStore(m, false);
      int d = model.trackHead().orElseThrow().embedDim();
      assertEquals(1024 / 8, d); // cpu-tiny: 1024 / widthDivisor
      try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, 0, 3, 2)) {
        FrameOutput t = model.detect(ps, batch.frameT());
        try (NDManager mine = s.newSubManager()) {
          NDArray b = boxes(mine);
          int before = mine.getManagedArrays().size();
          NDArray e = model.embed(ps, t, b);
          assertEquals(new Shape(3, d), e.getShape());
          assertSame(mine, e.getManager());
          assertEquals(before + 1, mine.getManagedArrays().size(), "embed leaves only its result");
          assertEquals(new Shape(0, d), model.embed(ps, t, mine.zeros(new Shape(0, 4))).getShape());
          // the same box gives the same embedding; different boxes differ
          NDArray again = model.embed(ps, t, b.get("1:2"));
          assertArrayEquals(e.get("1:2").toFloatArray(), again.toFloatArray(), 1e-6f);
          assertTrue(e.get(0).sub(e.get(1)).abs().max().getFloat() > 0);
          // the frame's features are still usable afterwards
          assertEquals(new Shape(1, 16, SIZE / 8, SIZE / 8), t.p3().getShape());
          t.p3().sum().getFloat();
        }
      }
      VideoMaskRcnn plain = ModelFactory.build(config("track.enabled=false"), m, SIZE, SIZE);
      assertTrue(plain.trackHead().isEmpty());
      try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, 0, 3, 2)) {
        FrameOutput t = plain.detect(ps, batch.frameT());
        assertThrows(IllegalStateException.class, () -> plain.embed(ps, t, boxes(s)));
      }
    }
  }

  @Test
  void checkpointsCarryTheTrackingHead(@TempDir Path dir) {
    try (NDManager m = NDManager.newBaseManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      VideoMaskRcnn saved = ModelFactory.build(config(), m, SIZE, SIZE);
      VideoMaskRcnn other = ModelFactory.build(config("seed=5"), m, SIZE, SIZE); // other initial weights
      Path file;
      try (OwnedSgd opt = new OwnedSgd(0.9, 0, m)) {
        file = new Checkpointer(dir.resolve("a"), "h", 0, 0).save(state(saved, opt), 0, true);
      }
      try (NDManager s = m.newSubManager(); PairBatch batch = pair(s, 0, 3, 2)) {
        float[] before = model(ps, saved, batch, s);
        float[] otherBefore = model(ps, other, batch, s);
        assertTrue(differ(before, otherBefore), "the two seeds should give different heads");
        load(other, file, Set.of());
        assertArrayEquals(before, model(ps, other, batch, s), 0f);
      }
      // the head's parameters are in the file: a model without the head finds them unexpected
      VideoMaskRcnn plain = ModelFactory.build(config("track.enabled=false"), m, SIZE, SIZE);
      InputException unexpected = assertThrows(InputException.class, () -> load(plain, file, Set.of()));
      assertTrue(unexpected.getMessage().contains("track"), unexpected.getMessage());
      // a checkpoint from before the head loads into a model with it only when its names are allowed
      Path old;
      try (OwnedSgd opt = new OwnedSgd(0.9, 0, m)) {
        old = new Checkpointer(dir.resolve("b"), "h", 0, 0).save(state(plain, opt), 0, true);
      }
      assertThrows(InputException.class, () -> load(other, old, Set.of()));
      load(other, old, Set.of(childPrefix(other, "track")));
    }
  }

  /** The embeddings of the fixture boxes in frame t. */
  static float[] model(ParameterStore ps, VideoMaskRcnn model, PairBatch batch, NDManager s) {
    try (NDManager scope = s.newSubManager()) {
      return model.embed(ps, model.detect(ps, batch.frameT()), boxes(scope)).toFloatArray();
    }
  }

  static boolean differ(float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return true;
      }
    }
    return false;
  }

  static void load(VideoMaskRcnn model, Path file, Set<String> allowedMissing) {
    try (NDManager m = NDManager.newBaseManager(); OwnedSgd opt = new OwnedSgd(0.9, 0, m)) {
      new Checkpointer(file.getParent(), "h", 0, 0).resumeOrLoad(file, false, state(model, opt), allowedMissing);
    }
  }

  static TrainState state(VideoMaskRcnn model, OwnedSgd opt) {
    return new TrainState() {
      @Override
      public Block block() {
        return model;
      }

      @Override
      public OwnedSgd optimizer() {
        return opt;
      }

      @Override
      public List<TrainingHook> hooks() {
        return List.of();
      }
    };
  }

  /** The parameter-name prefix of a child (DJL prefixes its insertion index). */
  static String childPrefix(VideoMaskRcnn model, String name) {
    for (Pair<String, Block> c : model.getChildren()) {
      if (c.getKey().replaceFirst("^\\d+", "").equals(name)) {
        return c.getKey() + "_";
      }
    }
    throw new AssertionError("no child " + name);
  }
}
