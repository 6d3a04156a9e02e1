package org.maskprop.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * One training batch: a frame pair of one video, augmented by one {@link FrameTransform}, with the
 * targets of both frames. All arrays live in {@code manager}, a sub-manager that belongs to the
 * batch: {@link #close} frees them (do it after the step, in try-with-resources).
 *
 * @param frameT frame {@code t}, {@code [3, H, W]} float32 normalised ({@link ImageTensors})
 * @param frameTPrime frame {@code t'}, {@code [3, H, W]}, same transform
 * @param targetsT instances of {@code t} (detector losses, propagation sources)
 * @param targetsTPrime instances of {@code t'} (detector losses on {@code t'} where configured)
 */
public record PairBatch(
    long iteration,
    FramePair pair,
    FrameTransform transform,
    NDArray frameT,
    NDArray frameTPrime,
    FrameTargets targetsT,
    FrameTargets targetsTPrime,
    NDManager manager) implements AutoCloseable {

  public int videoId() {
    return pair.videoId();
  }

  public int t() {
    return pair.t();
  }

  public int tPrime() {
    return pair.tPrime();
  }

  /** {@code t' - t} in annotated frames. */
  public int gap() {
    return pair.gap();
  }

  /**
   * For each instance of {@code t} (in {@code targetsT} order): its position in {@code
   * targetsTPrime}, or -1 when it is absent from {@code t'}.
   */
  public int[] matchInTPrime() {
    int[] ids = targetsT.trackIds();
    int[] m = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      m[i] = targetsTPrime.indexOf(ids[i]);
    }
    return m;
  }

  /**
   * Propagation targets {@code M^{GT,i}_{t'}} of Eq. 2: {@code [N_t, H, W]} uint8, the mask in
   * {@code t'} of each instance of {@code t}, all zeros where it is absent. On the batch's manager.
   */
  public NDArray propagationTargets() {
    int[] match = matchInTPrime();
    int m = targetsTPrime.size();
    long[] index = new long[match.length];
    for (int i = 0; i < match.length; i++) {
      index[i] = match[i] < 0 ? m : match[i]; // row m is the appended empty mask
    }
    try (NDManager scratch = manager.newSubManager()) {
      NDArray masks = targetsTPrime.masks(); // [M, H, W]
      NDArray withEmpty = masks.concat(scratch.zeros(new Shape(1, targetsTPrime.height(), targetsTPrime.width()),
          masks.getDataType()), 0); // [M + 1, H, W]
      withEmpty.attach(scratch);
      NDArray out = withEmpty.get(new NDIndex("{}", scratch.create(index))); // [N_t, H, W]
      out.attach(manager);
      return out;
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
