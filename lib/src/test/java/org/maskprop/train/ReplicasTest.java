package org.maskprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;
import org.maskprop.config.TrainConfig;
import org.maskprop.ops.LossTerms;

/**
 * Data-parallel training ({@link Replicas} in {@link Trainer}) with two replicas on the CPU: one
 * batch each per step must train exactly as one replica whose batch is both batches together (the
 * mean loss over a batch of 2N samples has the mean of the two N-sample gradients as its gradient),
 * with momentum, weight decay and clipping in play.
 */
class ReplicasTest {
  private static final int N = 3; // samples per replica batch
  private static final int IN = 5;

  /** A deterministic 2-layer MLP with an MSE loss averaged over the batch. */
  private static final class Mlp implements TrainableModel<Mlp.Batch> {
    record Batch(NDArray x, NDArray y, NDManager manager) implements AutoCloseable {
      @Override
      public void close() {
        manager.close();
      }
    }

    final SequentialBlock block = new SequentialBlock()
        .add(Linear.builder().setUnits(4).build())
        .add(Activation.tanhBlock())
        .add(Linear.builder().setUnits(2).build());

    Mlp(NDManager m) {
      Engine.getInstance().setRandomSeed(3);
      block.initialize(m, DataType.FLOAT32, new Shape(N, IN));
    }

    @Override
    public Block block() {
      return block;
    }

    @Override
    public LossTerms forwardTrain(ParameterStore ps, Batch b) {
      NDArray out = block.forward(ps, new NDList(b.x()), true).singletonOrThrow();
      return LossTerms.of("loss_mse", out.sub(b.y()).square().mean());
    }
  }

  /** Sample block k: N rows of seeded inputs and targets. */
  private static float[][] sample(long k) {
    Random r = new Random(100 + k);
    float[] x = new float[N * IN];
    float[] y = new float[N * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) r.nextGaussian();
    }
    return new float[][] {x, y};
  }

  /** Batch of index k holds sample blocks k * blocks .. k * blocks + blocks - 1, concatenated. */
  private static BatchSource<Mlp.Batch> source(NDManager parent, int blocks) {
    return k -> {
      NDManager m = parent.newSubManager();
      float[] x = new float[blocks * N * IN];
      float[] y = new float[blocks * N * 2];
      for (int b = 0; b < blocks; b++) {
        float[][] s = sample(k * blocks + b);
        System.arraycopy(s[0], 0, x, b * N * IN, N * IN);
        System.arraycopy(s[1], 0, y, b * N * 2, N * 2);
      }
      return new Mlp.Batch(m.create(x, new Shape(blocks * N, IN)), m.create(y, new Shape(blocks * N, 2)), m);
    };
  }

  private static TrainConfig config(List<String> devices) {
    return new TrainConfig(4, 0.1, 0.9, 1e-3, 0, 1.0, List.of(), 0.1, 0.5, 0, List.of(8), 0, 1, 1000, 1, devices);
  }

  private record Outcome(Map<String, float[]> weights, List<Float> losses) {}

  private static Outcome train(List<String> devices, int blocksPerBatch) {
    try (NDManager m = NDManager.newBaseManager()) {
      Mlp model = new Mlp(m);
      List<Float> losses = new ArrayList<>();
      TrainingHook rec = new TrainingHook() {
        @Override
        public void afterStep(TrainContext ctx) {
          losses.add(ctx.totalLoss());
        }
      };
      try (Trainer<Mlp.Batch> t = new Trainer<>(model, source(m, blocksPerBatch), config(devices), 7, null,
          new Checkpointer(Path.of("unused"), "h", 7, 0), List.of(rec), m)) {
        assertEquals(devices.isEmpty() ? 1 : devices.size(), t.devices().size());
        t.train();
      }
      Map<String, float[]> w = new LinkedHashMap<>();
      for (Pair<String, Parameter> p : model.block().getParameters()) {
        w.put(p.getKey(), p.getValue().getArray().toFloatArray());
      }
      return new Outcome(w, losses);
    }
  }

  private static double maxAbsDiff(Map<String, float[]> a, Map<String, float[]> b) {
    assertEquals(a.keySet(), b.keySet());
    double d = 0;
    for (String k : a.keySet()) {
      float[] x = a.get(k);
      float[] y = b.get(k);
      assertEquals(x.length, y.length, k);
      for (int i = 0; i < x.length; i++) {
        d = Math.max(d, Math.abs(x[i] - y[i]));
      }
    }
    return d;
  }

  @Test
  void twoReplicasOfOneBatchTrainAsOneReplicaOfBothBatches() {
    Outcome parallel = train(List.of("cpu", "cpu"), 1); // replica r of step i: sample block 2i + r
    Outcome joint = train(List.of("cpu"), 2); // step i: blocks 2i and 2i + 1 in one batch
    Outcome half = train(List.of("cpu"), 1); // step i: block i only (what a broken average would near)

    assertEquals(4, parallel.losses().size());
    for (int i = 0; i < 4; i++) {
      assertEquals(joint.losses().get(i), parallel.losses().get(i), 1e-5, "mean loss of step " + i);
    }
    double same = maxAbsDiff(parallel.weights(), joint.weights());
    double other = maxAbsDiff(half.weights(), joint.weights());
    assertTrue(same < 1e-5, "2 replicas vs joint batch: max |dw| " + same);
    assertTrue(other > 1e-3, "a single replica on half the data must differ: max |dw| " + other);
  }

  @Test
  void oneReplicaIsTheDefaultOnAHostWithoutGpus() {
    if (Engine.getInstance().getGpuCount() == 0) {
      assertEquals(List.of(Device.cpu()), Replicas.devices(List.of()));
    }
    assertEquals(List.of(Device.cpu(), Device.cpu()), Replicas.devices(List.of("cpu", "cpu")));
    InputException e = assertThrows(InputException.class, () -> Replicas.devices(List.of("tpu7")));
    assertTrue(e.getMessage().contains("train.devices") && e.getMessage().contains("tpu7"), e.getMessage());
  }
}
