package org.maskprop.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.maskprop.config.DataConfig;
import org.maskprop.config.TrainConfig;

/**
 * Loads the {@link PairBatch} of a training iteration: {@link PairSampler} picks the frame pair,
 * {@link Augmentation} the transform, then both frames and their instances are decoded, resized and
 * flipped on the Java side ({@link ImageTensors}, {@link FrameInstances}) and become tensors in a
 * new sub-manager of {@code parent} that the batch owns.
 *
 * <p>A batch is a pure function of its iteration, so loading is deterministic with or without
 * prefetch. With prefetch, after {@code load(i)} a background thread prepares iteration {@code i +
 * 1} (JPEG and RLE decoding, resizing: everything but the tensor creation, so the engine and the
 * managers are only used on the caller's thread); asking for another iteration discards it.
 */
public final class PairLoader implements AutoCloseable {
  private final YtvisDataset dataset;
  private final Path imageRoot;
  private final PairSampler sampler;
  private final Augmentation augmentation;
  private final CategoryIndex categories;
  private final NDManager parent;
  private final ExecutorService prefetcher; // null without prefetch
  private Future<Prepared> pending;
  private long pendingIteration = -1;

  /** A batch before its tensors exist: Java arrays only. */
  record Prepared(
      long iteration, FramePair pair, FrameTransform transform, float[] frameT, float[] frameTPrime,
      FrameInstances instancesT, FrameInstances instancesTPrime) {}

  /**
   * @param imageRoot the folder that the dataset's {@code file_names} resolve against
   * @param parent manager under which each batch gets its own sub-manager
   */
  public PairLoader(YtvisDataset dataset, Path imageRoot, PairSampler sampler, Augmentation augmentation,
      NDManager parent, boolean prefetch) {
    this.dataset = dataset;
    this.imageRoot = imageRoot;
    this.sampler = sampler;
    this.augmentation = augmentation;
    this.categories = CategoryIndex.of(dataset);
    this.parent = parent;
    this.prefetcher = prefetch ? Executors.newSingleThreadExecutor(r -> {
      Thread th = new Thread(r, "pair-prefetch");
      th.setDaemon(true);
      return th;
    }) : null;
  }

  /**
   * The loader of a training run: pairs with gap up to {@code train.maxFrameGap}, augmentation from
   * {@code train.scales}, {@code train.flipProbability}, {@code data.maxSize}, prefetch on.
   *
   * @throws org.maskprop.InputException if {@code data.numClasses} disagrees with the dataset's
   *     categories, or no frame has an instance
   */
  public static PairLoader of(YtvisDataset dataset, Path imageRoot, DataConfig data, TrainConfig train, long seed,
      NDManager parent) {
    CategoryIndex.of(dataset).requireSize(data.numClasses());
    return new PairLoader(dataset, imageRoot, new PairSampler(dataset, train.maxFrameGap(), seed),
        Augmentation.of(train, data, seed), parent, true);
  }

  /** The class mapping used for the targets. */
  public CategoryIndex categories() {
    return categories;
  }

  public PairSampler sampler() {
    return sampler;
  }

  /** The batch of {@code iteration}; close it after use. */
  public PairBatch load(long iteration) {
    return load(iteration, null);
  }

  /**
   * The batch of {@code iteration} with its arrays on {@code device} (null: the parent manager's),
   * for data-parallel training on several devices.
   */
  public synchronized PairBatch load(long iteration, ai.djl.Device device) {
    Prepared p;
    if (pending != null && pendingIteration == iteration) {
      p = await(pending);
    } else {
      if (pending != null) {
        pending.cancel(false);
      }
      p = prepare(iteration);
    }
    pending = null;
    if (prefetcher != null) {
      long next = iteration + 1;
      pendingIteration = next;
      pending = prefetcher.submit(() -> prepare(next));
    }
    return toBatch(p, device);
  }

  /** Everything but the tensors of one iteration (safe on any thread). */
  Prepared prepare(long iteration) {
    FramePair pair = sampler.sample(iteration);
    YtvisDataset.Video v = dataset.videoById(pair.videoId());
    FrameTransform t = augmentation.sample(iteration, v.height(), v.width());
    BufferedImage a;
    BufferedImage b;
    try (FrameSource src = FrameSource.ofImages(imageRoot, v)) {
      a = src.frame(pair.t());
      b = src.frame(pair.tPrime());
    }
    var anns = dataset.annotationsOf(v.id());
    return new Prepared(iteration, pair, t, ImageTensors.normalized(a, t), ImageTensors.normalized(b, t),
        FrameInstances.of(v, anns, pair.t(), categories).transform(t),
        FrameInstances.of(v, anns, pair.tPrime(), categories).transform(t));
  }

  private PairBatch toBatch(Prepared p, ai.djl.Device device) {
    NDManager m = device == null ? parent.newSubManager() : parent.newSubManager(device);
    try {
      Shape s = new Shape(3, p.transform().outHeight(), p.transform().outWidth());
      return new PairBatch(p.iteration(), p.pair(), p.transform(), m.create(p.frameT(), s),
          m.create(p.frameTPrime(), s), p.instancesT().toTargets(m), p.instancesTPrime().toTargets(m), m);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  private static Prepared await(Future<Prepared> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a prefetched batch", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Stops the prefetch thread; batches already returned stay valid until closed. */
  @Override
  public synchronized void close() {
    if (pending != null) {
      pending.cancel(true);
      pending = null;
    }
    if (prefetcher != null) {
      prefetcher.shutdownNow();
    }
  }
}
