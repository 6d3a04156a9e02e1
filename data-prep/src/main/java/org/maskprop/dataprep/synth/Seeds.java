package org.maskprop.dataprep.synth;

/** Seed derivation: independent, well-mixed seeds from (seed, split, video, ...) tuples. */
final class Seeds {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Seeds() {}

  /** SplitMix64's finalizer applied along the parts: nearby inputs give unrelated outputs. */
  static long mix(long... parts) {
    long h = 0x5851F42D4C957F2DL;
    for (long part : parts) {
      h = finalizer(h + GOLDEN + part);
    }
    return h;
  }

  private static long finalizer(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
