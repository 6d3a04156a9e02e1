package org.maskprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.config.TrainConfig;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.Metric;
import org.maskprop.tracking.RunSpec;

/** The loop on a toy conv net: learning, bit-exact resume, checkpoint files, hooks. */
class TrainerTest {
  private static final long SEED = 42;

  static TrainConfig config(int iterations, int period, int keep, double clip) {
    return new TrainConfig(iterations, 0.05, 0.9, 1e-4, 3, 0.1, List.of(iterations * 3 / 4), 0.1, clip, 5,
        List.of(8), 0.5, 1, period, keep, List.of());
  }

  /** Records what hooks see. */
  static final class Recorder implements TrainingHook {
    final List<Float> totals = new ArrayList<>();
    final List<Long> iterations = new ArrayList<>();
    boolean afterTrainCalled;

    @Override
    public void afterStep(TrainContext ctx) {
      totals.add(ctx.totalLoss());
      iterations.add(ctx.iteration());
    }

    @Override
    public void afterTrain(TrainContext ctx) {
      afterTrainCalled = true;
    }
  }

  /** Kills the run after a given iteration (after the checkpoint hook ran). */
  static final class Crash implements TrainingHook {
    final long after;

    Crash(long after) {
      this.after = after;
    }

    @Override
    public void afterStep(TrainContext ctx) {
      if (ctx.iteration() == after) {
        throw new IllegalStateException("simulated kill after iteration " + after);
      }
    }
  }

  private static Trainer<ToyModel.Batch> trainer(NDManager m, ToyModel model, TrainConfig c, Path runDir, String hash,
      List<TrainingHook> extra) {
    Checkpointer ck = new Checkpointer(runDir, hash, SEED, c.keepCheckpoints());
    List<TrainingHook> hooks = new ArrayList<>();
    hooks.add(new DivergenceHook());
    hooks.add(new CheckpointHook(ck, c.checkpointPeriod()));
    hooks.addAll(extra);
    return new Trainer<>(model, ToyModel.source(m), c, SEED, null, ck, hooks, m);
  }

  private static Map<String, byte[]> weights(ToyModel model) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : model.block().getParameters()) {
      out.put(p.getKey(), p.getValue().getArray().toByteArray());
    }
    return out;
  }

  private static void assertSameBits(Map<String, byte[]> a, Map<String, byte[]> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) {
      assertArrayEquals(a.get(k), b.get(k), k);
    }
  }

  @Test
  void lossGoesDown() {
    try (NDManager m = NDManager.newBaseManager()) {
      ToyModel model = new ToyModel(m, 1, 4, 1f);
      Recorder rec = new Recorder();
      TrainConfig c = config(40, 0, 0, 10.0);
      try (Trainer<ToyModel.Batch> t =
          new Trainer<>(model, ToyModel.source(m), c, SEED, null, new Checkpointer(Path.of("unused"), "h", SEED, 0),
              List.of(rec), m)) {
        t.train();
      }
      assertEquals(40, rec.totals.size());
      double first = (rec.totals.get(0) + rec.totals.get(1) + rec.totals.get(2)) / 3;
      double last = (rec.totals.get(37) + rec.totals.get(38) + rec.totals.get(39)) / 3;
      assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
      assertTrue(rec.afterTrainCalled);
    }
  }

  @Test
  void resumeReproducesAnUninterruptedRunBitForBit(@TempDir Path dir) {
    TrainConfig c = config(10, 5, 3, 0.5); // clipping active: its state must be reproduced too
    try (NDManager m = NDManager.newBaseManager()) {
      ToyModel straight = new ToyModel(m, 1, 4, 1f);
      Recorder recA = new Recorder();
      try (Trainer<ToyModel.Batch> t = trainer(m, straight, c, dir.resolve("a"), "hash1", List.of(recA))) {
        t.train();
      }

      ToyModel killed = new ToyModel(m, 1, 4, 1f);
      Path runB = dir.resolve("b");
      try (Trainer<ToyModel.Batch> t = trainer(m, killed, c, runB, "hash1", List.of(new Crash(4)))) {
        assertThrows(IllegalStateException.class, t::train);
      }
      assertEquals("model_0000004.ckpt",
          read(runB.resolve(Checkpointer.POINTER)).trim());

      ToyModel resumed = new ToyModel(m, 99, 4, 1f); // other init: the checkpoint must overwrite it
      Recorder recB = new Recorder();
      try (Trainer<ToyModel.Batch> t = trainer(m, resumed, c, runB, "hash1", List.of(recB))) {
        Checkpointer.Resumed r = t.resumeOrLoad(runB, true);
        assertEquals(5, r.startIteration());
        t.train();
      }
      assertEquals(List.of(5L, 6L, 7L, 8L, 9L), recB.iterations);
      assertEquals(recA.totals.subList(5, 10), recB.totals);
      assertSameBits(weights(straight), weights(resumed));
      assertEquals("model_final.ckpt", read(runB.resolve(Checkpointer.POINTER)).trim());
    }
  }

  @Test
  void keepsNewestCheckpointsPlusFinalAndNoTempFiles(@TempDir Path dir) throws IOException {
    TrainConfig c = config(10, 2, 2, 0);
    try (NDManager m = NDManager.newBaseManager()) {
      try (Trainer<ToyModel.Batch> t = trainer(m, new ToyModel(m, 1, 4, 1f), c, dir, "h", List.of())) {
        t.train();
      }
    }
    // periodic after iterations 1, 3, 5, 7; 9 is the last: final
    assertEquals(List.of("last_checkpoint", "model_0000005.ckpt", "model_0000007.ckpt", "model_final.ckpt"),
        list(dir));
    assertEquals("model_final.ckpt", read(dir.resolve(Checkpointer.POINTER)));
  }

  @Test
  void resumeUnderAnotherConfigHashIsRefused(@TempDir Path dir) {
    TrainConfig c = config(4, 2, 0, 0);
    try (NDManager m = NDManager.newBaseManager()) {
      try (Trainer<ToyModel.Batch> t = trainer(m, new ToyModel(m, 1, 4, 1f), c, dir, "aaa111", List.of())) {
        t.train();
      }
      try (Trainer<ToyModel.Batch> t = trainer(m, new ToyModel(m, 1, 4, 1f), c, dir, "bbb222", List.of())) {
        InputException e = assertThrows(InputException.class, () -> t.resumeOrLoad(dir, true));
        assertTrue(e.getMessage().contains("aaa111") && e.getMessage().contains("bbb222")
            && e.getMessage().contains("model_final.ckpt"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
      }
    }
  }

  @Test
  void checkpointBeforeTheFirstStepLoads(@TempDir Path dir) {
    try (NDManager m = NDManager.newBaseManager()) {
      TrainConfig c = config(4, 2, 0, 0);
      ToyModel a = new ToyModel(m, 1, 4, 1f);
      Checkpointer ck = new Checkpointer(dir, "h", SEED, 3);
      try (Trainer<ToyModel.Batch> t = new Trainer<>(a, ToyModel.source(m), c, SEED, null, ck, List.of(), m)) {
        ck.save(t, 0, true); // no optimizer step yet: no momentum buffers
      }
      ToyModel b = new ToyModel(m, 2, 4, 1f); // other initial weights
      try (Trainer<ToyModel.Batch> t = trainer(m, b, c, dir, "h", List.of())) {
        t.resumeOrLoad(dir, false);
      }
      assertSameBits(weights(a), weights(b));
    }
  }

  @Test
  void resumeWithoutCheckpointStartsFresh(@TempDir Path dir) {
    try (NDManager m = NDManager.newBaseManager();
        Trainer<ToyModel.Batch> t = trainer(m, new ToyModel(m, 1, 4, 1f), config(4, 2, 0, 0), dir, "h", List.of())) {
      assertEquals(0, t.resumeOrLoad(dir, true).startIteration());
    }
  }

  @Test
  void loadOnlyCopiesWeightsAndReportsMismatches(@TempDir Path dir) {
    TrainConfig c = config(3, 0, 0, 0);
    try (NDManager m = NDManager.newBaseManager()) {
      ToyModel trained = new ToyModel(m, 1, 4, 1f);
      try (Trainer<ToyModel.Batch> t = trainer(m, trained, c, dir, "h", List.of())) {
        t.train();
      }
      Path fin = dir.resolve(Checkpointer.FINAL);

      ToyModel fresh = new ToyModel(m, 7, 4, 1f);
      try (Trainer<ToyModel.Batch> t = trainer(m, fresh, c, dir.resolve("other"), "different", List.of())) {
        Checkpointer.Resumed r = t.resumeOrLoad(fin, false); // the config hash does not matter for weights
        assertEquals(0, r.startIteration());
        assertTrue(r.report().orElseThrow().isClean());
        assertTrue(t.optimizer().buffers().isEmpty(), "load-only must not restore the optimizer");
      }
      assertSameBits(weights(trained), weights(fresh));

      ToyModel wider = new ToyModel(m, 7, 6, 1f); // 6 hidden channels: both convs change shape
      try (Trainer<ToyModel.Batch> t = trainer(m, wider, c, dir.resolve("other2"), "h", List.of())) {
        InputException e = assertThrows(InputException.class, () -> t.resumeOrLoad(fin, false));
        assertTrue(e.getMessage().contains("wrong shape [01Conv2d_weight: file (4, 1, 3, 3)"), e.getMessage());
      }
      LoadReport report;
      try (NDManager tmp = NDManager.newBaseManager()) {
        ai.djl.ndarray.NDList arrays = new ai.djl.ndarray.NDList();
        NDArray extra = tmp.zeros(new ai.djl.ndarray.types.Shape(2));
        extra.setName("99Extra_weight");
        arrays.add(extra);
        report = Checkpointer.loadWeights(fin, arrays, fresh.block());
      }
      assertEquals(List.of("99Extra_weight"), report.unexpected());
      assertEquals(4, report.missing().size());
      assertThrows(InputException.class, () -> report.requireClean(Set.of()));
      assertThrows(InputException.class, () -> report.requireClean(Set.of("01"))); // unexpected stays an error
    }
  }

  @Test
  void divergenceStopsTrainingAndAfterTrainStillRuns(@TempDir Path dir) {
    try (NDManager m = NDManager.newBaseManager()) {
      Recorder rec = new Recorder();
      try (Trainer<ToyModel.Batch> t =
          trainer(m, new ToyModel(m, 1, 4, Float.NaN), config(5, 0, 0, 0), dir, "h", List.of(rec))) {
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, t::train);
        assertTrue(e.getMessage().contains("iteration 0") && e.getMessage().contains("loss_mse"), e.getMessage());
      }
      assertTrue(rec.afterTrainCalled);
      assertTrue(rec.iterations.isEmpty(), "divergence is checked before the later hooks");
      assertFalse(Files.exists(dir.resolve(Checkpointer.POINTER)), "a diverged step is never checkpointed");
    }
  }

  @Test
  void trackingHookLogsEveryStep(@TempDir Path dir) {
    Path store = dir.resolve("mlruns");
    String runId;
    try (FileStoreTracker tracker = new FileStoreTracker(store, java.util.Optional.empty());
        NDManager m = NDManager.newBaseManager()) {
      runId = tracker.startRun(RunSpec.of("train-test", "toy"));
      TrainConfig c = config(3, 0, 0, 0);
      Checkpointer ck = new Checkpointer(dir.resolve("run"), "h", SEED, 0);
      List<TrainingHook> hooks = Hooks.standard(c, ck, tracker, runId);
      assertEquals(List.of("DivergenceHook", "CheckpointHook", "ProgressHook", "TrackingHook"),
          hooks.stream().map(TrainingHook::name).toList());
      try (Trainer<ToyModel.Batch> t = new Trainer<>(new ToyModel(m, 1, 4, 1f), ToyModel.source(m), c, SEED, null,
          ck, hooks, m)) {
        t.train();
      }
    }
    FileStoreReader reader = new FileStoreReader(store);
    List<Metric> mse = reader.metricHistory(runId, "loss_mse");
    assertEquals(List.of(1L, 2L, 3L), mse.stream().map(Metric::step).toList());
    List<Metric> lr = reader.metricHistory(runId, "lr");
    assertEquals(0.05 * 0.1, lr.get(0).value(), 1e-12); // warm-up factor at iteration 0
    for (String k : List.of("loss_l1", "total_loss", "grad_norm", "step_time")) {
      assertEquals(3, reader.metricHistory(runId, k).size(), k);
    }
    Metric total = reader.metricHistory(runId, "total_loss").get(0);
    assertNotEquals(0.0, total.value());
  }

  @Test
  void trackingFailureNeverAbortsTraining(@TempDir Path dir) {
    org.maskprop.tracking.Tracker broken = (org.maskprop.tracking.Tracker) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {org.maskprop.tracking.Tracker.class}, (p, method, args) -> {
          if (method.isDefault()) {
            return java.lang.reflect.InvocationHandler.invokeDefault(p, method, args);
          }
          throw new org.maskprop.tracking.TrackingException("store gone");
        });
    TrackingHook hook = new TrackingHook(broken, "r");
    try (NDManager m = NDManager.newBaseManager();
        Trainer<ToyModel.Batch> t = trainer(m, new ToyModel(m, 1, 4, 1f), config(2, 0, 0, 0), dir, "h", List.of(hook))) {
      t.train();
    }
    assertEquals(2, hook.failures());
  }

  @Test
  void nativeArraysStayFlatAcrossSteps(@TempDir Path dir) {
    try (NDManager m = NDManager.newBaseManager()) {
      List<Integer> counts = new ArrayList<>();
      TrainingHook counter = new TrainingHook() {
        @Override
        public void afterStep(TrainContext ctx) {
          counts.add(((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size());
        }
      };
      try (Trainer<ToyModel.Batch> t =
          trainer(m, new ToyModel(m, 1, 4, 1f), config(8, 0, 0, 0.5), dir, "h", List.of(counter))) {
        t.train();
      }
      // step 0 creates the momentum buffers; afterwards every step frees what it made
      assertEquals(counts.get(1), counts.get(7), "arrays per step: " + counts);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
