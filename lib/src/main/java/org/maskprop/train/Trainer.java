package org.maskprop.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maskprop.config.TrainConfig;
import org.maskprop.ops.LossTerms;

/**
 * The iteration-based training loop (STYLE.md {@code train}, detectron2's {@code SimpleTrainer}).
 * Our losses are computed inside the model, which DJL's {@code EasyTrain} does not fit, so the loop
 * is ours; DJL supplies the parameter store and the gradient collector.
 *
 * <p>Per iteration {@code i}: the engine RNG is re-seeded from {@code (seed, i)} (DJL cannot save it,
 * DESIGN.md section 9), the batch of {@code i} is loaded, the forward and backward run in a
 * gradient collector inside a step sub-manager, the total loss and each term are copied out as
 * floats, gradients are clipped by global norm, {@link OwnedSgd} updates at {@link LrSchedule}'s
 * rate, and the gradients are zeroed (the engine accumulates them). Everything the next step
 * depends on is a function of {@code i}, the weights and the momentum buffers, which a checkpoint
 * holds: a resumed run reproduces an uninterrupted one bit for bit on CPU at a fixed thread count.
 *
 * <p>Data parallel ({@code train.devices}, {@link Replicas}): with {@code R} devices each iteration
 * loads {@code R} batches (indices {@code i * R + r}), runs replica {@code r}'s forward and backward
 * on its device's copy of the weights, in turn in one gradient collector (DJL's PyTorch engine
 * allows one collector at a time), averages the gradients onto the weights' device, clips and
 * updates there once, and copies the new weights to the other replicas. The reported losses are
 * the means over replicas. One device (the default on a CPU host) is the loop above unchanged.
 *
 * @param <B> the batch type
 */
public final class Trainer<B extends AutoCloseable> implements TrainState, AutoCloseable {
  private final TrainableModel<B> model;
  private final BatchSource<B> batches;
  private final long maxIteration;
  private final long seed;
  private final double gradClipNorm;
  private final LrSchedule schedule;
  private final Map<String, Double> lossWeights; // null: plain sum
  private final Checkpointer checkpointer;
  private final List<TrainingHook> hooks;
  private final NDManager manager;
  private final OwnedSgd optimizer;
  private final Replicas replicas;
  private long startIteration;

  /**
   * @param manager parent of the optimizer state and the step scopes (e.g. the model's manager)
   * @param lossWeights per-term weights, or null to sum the terms as the model returns them
   * @param checkpointer the run's checkpoints (used by {@link #resumeOrLoad})
   * @param hooks in the order they run ({@link Hooks#standard})
   */
  public Trainer(TrainableModel<B> model, BatchSource<B> batches, TrainConfig config, long seed,
      Map<String, Double> lossWeights, Checkpointer checkpointer, List<TrainingHook> hooks, NDManager manager) {
    this.model = model;
    this.batches = batches;
    this.maxIteration = config.iterations();
    this.seed = seed;
    this.gradClipNorm = config.gradClipNorm();
    this.schedule = LrSchedule.of(config);
    this.lossWeights = lossWeights == null ? null : Map.copyOf(lossWeights);
    this.checkpointer = checkpointer;
    this.hooks = List.copyOf(hooks);
    long names = this.hooks.stream().map(TrainingHook::name).distinct().count();
    if (names != this.hooks.size()) {
      throw new IllegalArgumentException("Trainer: two hooks share a name (their checkpoint state would clash)");
    }
    this.manager = manager.newSubManager();
    this.optimizer = new OwnedSgd(config.momentum(), config.weightDecay(), this.manager);
    this.replicas = new Replicas(model.block(), Replicas.devices(config.devices()), this.manager);
  }

  /**
   * Resume ({@code resume}: everything from the run folder's {@code last_checkpoint} or the given
   * file; the loop continues at its iteration + 1) or load weights only (start at 0; missing names
   * must start with one of {@code allowedMissing}). See {@link Checkpointer#resumeOrLoad}.
   */
  public Checkpointer.Resumed resumeOrLoad(Path runDirOrCheckpoint, boolean resume, Set<String> allowedMissing) {
    Checkpointer.Resumed r = checkpointer.resumeOrLoad(runDirOrCheckpoint, resume, this, allowedMissing);
    replicas.syncWeights(model.block()); // the weights were loaded in place; replicas hold copies
    startIteration = r.startIteration();
    return r;
  }

  public Checkpointer.Resumed resumeOrLoad(Path runDirOrCheckpoint, boolean resume) {
    return resumeOrLoad(runDirOrCheckpoint, resume, Set.of());
  }

  /** Runs iterations {@code startIteration .. maxIteration - 1}. */
  public void train() {
    TrainContext ctx = new TrainContext(startIteration, maxIteration, startIteration, Map.of(), Float.NaN,
        schedule.lr(startIteration), Float.NaN, 0, this);
    Throwable failure = null;
    try {
      for (TrainingHook h : hooks) {
        h.beforeTrain(ctx);
      }
      for (long it = startIteration; it < maxIteration; it++) {
        double lr = schedule.lr(it);
        ctx = new TrainContext(it, maxIteration, startIteration, ctx.losses(), ctx.totalLoss(), lr, ctx.gradNorm(),
            ctx.stepSeconds(), this);
        for (TrainingHook h : hooks) {
          h.beforeStep(ctx);
        }
        long t0 = System.nanoTime();
        StepResult r = runStep(it, lr);
        ctx = new TrainContext(it, maxIteration, startIteration, r.losses, r.total, lr, r.gradNorm,
            (System.nanoTime() - t0) / 1e9, this);
        for (TrainingHook h : hooks) {
          h.afterStep(ctx);
        }
      }
    } catch (Throwable t) {
      failure = t;
      throw t;
    } finally {
      for (TrainingHook h : hooks) {
        try {
          h.afterTrain(ctx);
        } catch (RuntimeException e) {
          if (failure == null) {
            throw e;
          }
          failure.addSuppressed(e); // the training failure matters more
        }
      }
    }
  }

  private record StepResult(Map<String, Float> losses, float total, float gradNorm) {}

  private StepResult runStep(long iteration, double lr) {
    int n = replicas.size();
    List<B> loaded = new ArrayList<>(n);
    try (NDManager step = manager.newSubManager()) {
      Map<String, Float> values = new LinkedHashMap<>();
      float totalValue = 0;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        for (int r = 0; r < n; r++) {
          // replica 0 keeps the single-device seed and batch index, so one device runs as before
          Engine.getInstance().setRandomSeed(r == 0 ? stepSeed(seed, iteration) : stepSeed(seed + r, iteration));
          B batch = batches.load(iteration * n + r, replicas.device(r));
          loaded.add(batch);
          LossTerms terms = model.forwardTrain(replicas.store(r), batch);
          Losses.Total total = lossWeights == null ? Losses.total(terms) : Losses.total(terms, lossWeights);
          totalValue += total.total().getFloat() / n; // the mean over replicas, as the averaged gradient
          total.values().forEach((k, v) -> values.merge(k, v / n, Float::sum));
          gc.backward(total.total());
        }
      }
      List<String> names = new ArrayList<>();
      List<NDArray> weights = new ArrayList<>();
      List<NDArray> grads = new ArrayList<>();
      for (Pair<String, Parameter> p : model.block().getParameters()) {
        if (!p.getValue().requiresGradient()) {
          continue; // frozen weights and BatchNorm statistics
        }
        names.add(p.getKey());
        weights.add(p.getValue().getArray());
        grads.add(replicas.meanGradient(p.getValue(), step));
      }
      float gradNorm = GradientClipping.clipByGlobalNorm(grads, gradClipNorm);
      for (int k = 0; k < names.size(); k++) {
        optimizer.update(names.get(k), weights.get(k), grads.get(k), lr);
      }
      replicas.zeroGradientsAndSync(model.block(), step);
      return new StepResult(values, totalValue, gradNorm);
    } finally {
      closeAll(loaded, iteration);
    }
  }

  private static void closeAll(List<? extends AutoCloseable> batches, long iteration) {
    RuntimeException failure = null;
    for (AutoCloseable b : batches) {
      try {
        b.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing a batch of iteration " + iteration + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The engine seed of one iteration: a SplitMix64 mix of (seed, iteration), folded to an int. */
  static int stepSeed(long seed, long iteration) {
    long h = mix64(seed + 0x9E3779B97F4A7C15L);
    h = mix64(h ^ mix64(iteration + 0xD1B54A32D192ED03L));
    return (int) (h ^ (h >>> 32));
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public long startIteration() {
    return startIteration;
  }

  public long maxIteration() {
    return maxIteration;
  }

  public LrSchedule schedule() {
    return schedule;
  }

  @Override
  public Block block() {
    return model.block();
  }

  @Override
  public OwnedSgd optimizer() {
    return optimizer;
  }

  @Override
  public List<TrainingHook> hooks() {
    return hooks;
  }

  /** The devices of the data-parallel replicas ({@code train.devices} resolved), one batch each per step. */
  public List<ai.djl.Device> devices() {
    return replicas.devices();
  }

  /** Frees the optimizer state, the replicas and the trainer's scope (not the model). */
  @Override
  public void close() {
    optimizer.close();
    replicas.close();
    manager.close();
  }
}
