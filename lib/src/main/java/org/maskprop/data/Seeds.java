package org.maskprop.data;

import java.util.SplittableRandom;

/**
 * Random streams that are pure functions of {@code (seed, iteration, stream)} (DESIGN.md section 9:
 * a resumed run must not depend on RNG state). Each consumer has its own stream constant so that,
 * for example, the frame pair and the augmentation of one iteration are independent draws.
 */
final class Seeds {
  static final long PAIR_SAMPLER = 1;
  static final long EPOCH_ORDER = 2;
  static final long AUGMENTATION = 3;

  private Seeds() {}

  /** A fresh generator for one (seed, index, stream) triple. */
  static SplittableRandom rng(long seed, long index, long stream) {
    long h = mix64(seed + 0x9E3779B97F4A7C15L * (stream + 1));
    h = mix64(h ^ mix64(index + 0xD1B54A32D192ED03L));
    return new SplittableRandom(h);
  }

  /** SplitMix64's finaliser: a bijection on longs that scrambles all bits. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
