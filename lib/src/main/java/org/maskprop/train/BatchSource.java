package org.maskprop.train;

import ai.djl.Device;

/**
 * The batch of an index, a pure function of the index (as {@code PairLoader.load}), so a resumed
 * run sees the same batches as an uninterrupted one. With one device the index is the iteration;
 * with {@code R} data-parallel replicas iteration {@code i} loads indices {@code i * R .. i * R + R
 * - 1}, one per replica, on the replica's device. The trainer closes each batch after its step.
 * {@code PairLoader::load} is a {@code BatchSource<PairBatch>}.
 *
 * @param <B> the batch type; its arrays live in a manager that {@link AutoCloseable#close} frees
 */
@FunctionalInterface
public interface BatchSource<B extends AutoCloseable> {
  /** The batch of {@code index} on the engine's default device. */
  B load(long index);

  /**
   * The batch of {@code index} with its arrays on {@code device}. The default serves the CPU and
   * the engine's default device only; a source for several GPUs overrides it.
   */
  default B load(long index, Device device) {
    Device home = ai.djl.engine.Engine.getInstance().defaultDevice();
    if (!device.equals(home) && !device.equals(Device.cpu())) {
      throw new UnsupportedOperationException(
          "this batch source loads on " + home + " only, not on " + device + " (train.devices)");
    }
    return load(index);
  }
}
