package org.maskprop.data;

import java.awt.image.BufferedImage;
import org.maskprop.InputException;

/**
 * A video resampled to {@code fps} frames per second by taking, for each output time, the source
 * frame nearest in time (no blending: every output frame is a real decoded frame).
 *
 * <p>The rule, with the source at a constant rate {@code r} (the container's average frame rate;
 * source frame {@code i} shows at {@code i / r} seconds) and {@code N} source frames: output frame
 * {@code k} shows at {@code k / fps} seconds, for every {@code k >= 0} with {@code k / fps < N / r}
 * (so {@code ceil(N * fps / r)} frames, at least one), and is source frame {@code round(k * r / fps)}
 * (ties to the later frame), clamped to {@code N - 1}. Example: 30 fps to 6 fps keeps frames 0, 5,
 * 10, ..., as YouTube-VIS keeps every 5th frame. Above the source rate frames repeat.
 */
public final class ResampledFrameSource implements FrameSource {
  /** Gaps up to this many frames are decoded through instead of seeking (a seek decodes a whole GOP). */
  static final int MAX_READ_THROUGH = 16;

  private final FrameSource source;
  private final double fps;
  private final double ratio; // source frames per output frame, r / fps
  private final int count;
  private int lastSource = -1; // source index read last

  /**
   * @throws InputException when {@code fps} is not positive or the source's frame rate is unknown
   */
  public ResampledFrameSource(FrameSource source, double fps, String subject) {
    if (!(fps > 0) || Double.isInfinite(fps)) {
      throw new InputException(subject + ": --fps must be a positive number, got " + fps);
    }
    double rate = source.fps();
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new InputException(subject + ": frame rate unknown (" + rate + "), cannot resample to " + fps + " fps");
    }
    this.source = source;
    this.fps = fps;
    this.ratio = rate / fps;
    int n = source.frameCount();
    this.count = n == 0 ? 0 : Math.max(1, (int) Math.ceil(n / ratio - 1e-9));
  }

  /** The source frame shown as output frame {@code k}. */
  public int sourceIndex(int k) {
    return (int) Math.min(source.frameCount() - 1L, Math.round(k * ratio));
  }

  @Override
  public int frameCount() {
    return count;
  }

  @Override
  public int width() {
    return source.width();
  }

  @Override
  public int height() {
    return source.height();
  }

  @Override
  public double fps() {
    return fps;
  }

  @Override
  public BufferedImage frame(int index) {
    if (index < 0 || index >= count) {
      throw new IndexOutOfBoundsException("frame " + index + " of " + count);
    }
    int s = sourceIndex(index);
    if (s > lastSource + 1 && s - lastSource <= MAX_READ_THROUGH && lastSource >= 0) {
      // read forward through the skipped frames: sequential decoding beats a key-frame seek
      for (int j = lastSource + 1; j < s; j++) {
        try {
          source.frame(j);
        } catch (InputException ignored) {
          // a skipped frame is not part of the output; only the frames kept are reported
        }
      }
    }
    lastSource = s;
    try {
      return source.frame(s);
    } catch (InputException e) {
      throw new InputException(e.getMessage() + " (frame " + index + " at " + fps + " fps)", e);
    }
  }

  @Override
  public void close() {
    source.close();
  }
}
