package org.maskprop.data;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.maskprop.InputException;

/**
 * A {@link FrameSource} that never fails on a corrupt frame: a frame that cannot be read (an
 * undecodable JPEG, a missing frame file, a video frame FFmpeg cannot decode) is reported once and
 * replaced by the previous good frame (the next good one when no frame before it decoded), and its
 * index is remembered so that the caller can write {@code null} there in every track afterwards.
 * Methods thus see a video of the original length in which a corrupt frame looks like a repeated
 * one (no motion), which disturbs tracking least.
 *
 * <p>Only when no frame of the video decodes does {@link #frame} throw: the video is unreadable.
 * Replacement images are copies, so the caller still owns every image it gets.
 */
public final class TolerantFrameSource implements FrameSource {
  private final FrameSource source;
  private final String subject; // "video 4" / the file, for the all-corrupt message
  private final Consumer<String> report;
  private final SortedSet<Integer> bad = new TreeSet<>();
  private final List<String> problems = new ArrayList<>();
  private BufferedImage lastGood;
  private int lastGoodIndex = -1;

  /**
   * @param subject names the video in the message when no frame decodes
   * @param report receives one line per corrupt frame (the reader's message: file, video, frame)
   */
  public TolerantFrameSource(FrameSource source, String subject, Consumer<String> report) {
    this.source = source;
    this.subject = subject;
    this.report = report;
  }

  /** Indices of the frames that could not be read so far (all of them once every frame was read). */
  public SortedSet<Integer> badFrames() {
    return java.util.Collections.unmodifiableSortedSet(bad);
  }

  /** One message per corrupt frame, in the order they were met. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  @Override
  public int frameCount() {
    return source.frameCount();
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
    return source.fps();
  }

  @Override
  public BufferedImage frame(int index) {
    BufferedImage img = tryRead(index);
    if (img != null) {
      return img;
    }
    if (lastGood != null && lastGoodIndex < index) {
      return copy(lastGood);
    }
    // no good frame before this one: the next good one stands in
    for (int j = index + 1; j < source.frameCount(); j++) {
      BufferedImage next = tryRead(j);
      if (next != null) {
        return copy(next);
      }
    }
    if (lastGood != null) { // frames were read out of order; any good frame will do
      return copy(lastGood);
    }
    throw new InputException(subject + ": none of its " + source.frameCount() + " frames could be read"
        + (problems.isEmpty() ? "" : " (first: " + problems.get(0) + ")"));
  }

  /** The frame, or null (reported and remembered) when it cannot be read. */
  private BufferedImage tryRead(int index) {
    if (bad.contains(index)) {
      return null;
    }
    try {
      BufferedImage img = source.frame(index);
      if (index >= lastGoodIndex) {
        lastGood = img;
        lastGoodIndex = index;
        return copy(img); // the caller may draw on its image; ours must stay as read
      }
      return img;
    } catch (InputException e) {
      bad.add(index);
      problems.add(e.getMessage());
      report.accept(e.getMessage());
      return null;
    }
  }

  private static BufferedImage copy(BufferedImage img) {
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), img.getType());
    img.copyData(out.getRaster());
    return out;
  }

  @Override
  public void close() {
    source.close();
  }
}
