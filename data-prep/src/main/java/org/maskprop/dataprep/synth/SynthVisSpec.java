package org.maskprop.dataprep.synth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.maskprop.InputException;

/**
 * What {@link SynthVis#generate} makes: a preset, videos per split, frames per video, frame size and
 * the seed. Invalid values raise {@link InputException} naming the command-line option.
 *
 * @param threads videos generated in parallel (the output does not depend on it)
 */
public record SynthVisSpec(
    SynthPreset preset,
    int trainVideos,
    int validVideos,
    int testVideos,
    int frames,
    int height,
    int width,
    long seed,
    int threads) {

  /** Demo defaults: seconds to generate, big enough to train the CPU presets on. */
  public static final int DEFAULT_VIDEOS = 16;

  public static final int DEFAULT_FRAMES = 12;
  public static final String DEFAULT_SIZE = "96x128";
  public static final long DEFAULT_SEED = 0;
  public static final int DEFAULT_THREADS = 2;

  static final int MIN_SIDE = 16;
  static final int MAX_SIDE = 2048;
  static final int MAX_FRAMES = 1000;
  static final int MAX_VIDEOS = 100_000;

  private static final Pattern SIZE = Pattern.compile("\\s*(\\d{1,6})\\s*[xX]\\s*(\\d{1,6})\\s*");

  public SynthVisSpec {
    if (preset == null) {
      throw new InputException("--preset: missing");
    }
    check("--videos", trainVideos, 1, MAX_VIDEOS);
    check("--valid-videos", validVideos, 1, MAX_VIDEOS);
    check("--test-videos", testVideos, 1, MAX_VIDEOS);
    check("--frames", frames, 1, MAX_FRAMES);
    check("--size (height)", height, MIN_SIDE, MAX_SIDE);
    check("--size (width)", width, MIN_SIDE, MAX_SIDE);
    check("--threads", threads, 1, 256);
  }

  /**
   * The spec as the command line gives it: {@code validVideos}/{@code testVideos} null mean
   * {@link #defaultHeldOut(int) max(2, trainVideos / 4)}; {@code size} is {@code HxW}.
   */
  public static SynthVisSpec of(
      SynthPreset preset,
      int trainVideos,
      Integer validVideos,
      Integer testVideos,
      int frames,
      String size,
      long seed,
      int threads) {
    int[] hw = parseSize(size);
    return new SynthVisSpec(
        preset,
        trainVideos,
        validVideos != null ? validVideos : defaultHeldOut(trainVideos),
        testVideos != null ? testVideos : defaultHeldOut(trainVideos),
        frames,
        hw[0],
        hw[1],
        seed,
        threads);
  }

  /** Videos of {@code valid} and of {@code test} when not given: {@code max(2, train / 4)}. */
  public static int defaultHeldOut(int trainVideos) {
    return Math.max(2, trainVideos / 4);
  }

  /** Parses {@code HxW} (height first, e.g. {@code 96x128}) into {@code {height, width}}. */
  public static int[] parseSize(String size) {
    Matcher m = SIZE.matcher(size == null ? "" : size);
    if (!m.matches()) {
      throw new InputException("--size: expected HEIGHTxWIDTH such as 96x128, got '" + size + "'");
    }
    return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
  }

  /** Videos of a split ({@code train}, {@code valid}, {@code test}). */
  public int videos(String split) {
    return switch (split) {
      case "train" -> trainVideos;
      case "valid" -> validVideos;
      case "test" -> testVideos;
      default -> throw new IllegalArgumentException("no split " + split);
    };
  }

  private static void check(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InputException(
          option + ": must be between " + min + " and " + max + ", got " + value);
    }
  }
}
