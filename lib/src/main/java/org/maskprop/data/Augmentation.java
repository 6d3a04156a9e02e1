package org.maskprop.data;

import java.util.List;
import java.util.SplittableRandom;
import org.maskprop.config.DataConfig;
import org.maskprop.config.TrainConfig;

/**
 * Training augmentation of a frame pair (NOTES.md "Training": multi-scale, shorter side in [400,
 * 800] [R?]; horizontal flip): one {@link FrameTransform} per iteration, applied identically to
 * both frames of the pair and to their targets, so that the pair stays geometrically consistent.
 *
 * <p>The shorter side is drawn from {@code scales} ({@code train.scales}) as detectron2's {@code
 * ResizeShortestEdge} does, with the style decided by the list's length: exactly two values mean a
 * uniform integer in {@code [min, max]} ("range"); any other length means one of the values,
 * uniformly ("choice"; a single value is a fixed size). A list of two discrete sizes is written as a
 * range of them, so list them with a third or use a range. The longer side is capped at {@code
 * maxSize} ({@code data.maxSize}). A flip happens with probability {@code flipProbability}.
 *
 * <p>Every draw is a pure function of {@code (seed, iteration)} (DESIGN.md section 9).
 */
public final class Augmentation {
  private final List<Integer> scales;
  private final int maxSize;
  private final double flipProbability;
  private final long seed;

  public Augmentation(List<Integer> scales, int maxSize, double flipProbability, long seed) {
    if (scales == null || scales.isEmpty() || scales.stream().anyMatch(s -> s == null || s <= 0)) {
      throw new IllegalArgumentException("scales must be positive sizes, got " + scales);
    }
    if (maxSize <= 0 || !(flipProbability >= 0 && flipProbability <= 1)) {
      throw new IllegalArgumentException("need maxSize > 0 and flipProbability in [0, 1], got "
          + maxSize + ", " + flipProbability);
    }
    this.scales = List.copyOf(scales);
    this.maxSize = maxSize;
    this.flipProbability = flipProbability;
    this.seed = seed;
  }

  /** From {@code train.scales}, {@code train.flipProbability} and {@code data.maxSize}. */
  public static Augmentation of(TrainConfig train, DataConfig data, long seed) {
    return new Augmentation(train.scales(), data.maxSize(), train.flipProbability(), seed);
  }

  /** The transform of iteration {@code iteration} for frames of {@code height x width}. */
  public FrameTransform sample(long iteration, int height, int width) {
    SplittableRandom rng = Seeds.rng(seed, iteration, Seeds.AUGMENTATION);
    int shorter = shorterSide(rng);
    boolean flip = rng.nextDouble() < flipProbability;
    return FrameTransform.resizeShorter(height, width, shorter, maxSize, flip);
  }

  private int shorterSide(SplittableRandom rng) {
    if (scales.size() == 2) {
      int lo = Math.min(scales.get(0), scales.get(1));
      int hi = Math.max(scales.get(0), scales.get(1));
      return lo + rng.nextInt(hi - lo + 1);
    }
    return scales.get(rng.nextInt(scales.size()));
  }
}
