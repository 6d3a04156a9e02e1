package org.maskprop.train;

/**
 * The batch of an iteration, a pure function of the iteration (as {@code PairLoader.load}), so a
 * resumed run sees the same batches as an uninterrupted one. The trainer closes each batch after its
 * step. {@code PairLoader::load} is a {@code BatchSource<PairBatch>}.
 *
 * @param <B> the batch type; its arrays live in a manager that {@link AutoCloseable#close} frees
 */
@FunctionalInterface
public interface BatchSource<B extends AutoCloseable> {
  B load(long iteration);
}
