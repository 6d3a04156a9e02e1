package org.maskprop.data;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.maskprop.InputException;

/**
 * A {@link FrameSource} of {@code n} 2 x 1 frames whose first pixel's blue byte is the frame index,
 * with chosen frames failing to decode; it records every index read, in order.
 */
final class FakeFrames implements FrameSource {
  final int n;
  final double fps;
  final Set<Integer> corrupt;
  final List<Integer> reads = new ArrayList<>();
  boolean closed;

  FakeFrames(int n, double fps, Set<Integer> corrupt) {
    this.n = n;
    this.fps = fps;
    this.corrupt = corrupt;
  }

  /** The index a frame of this source carries. */
  static int indexOf(BufferedImage img) {
    return img.getRGB(0, 0) & 0xFF;
  }

  @Override
  public int frameCount() {
    return n;
  }

  @Override
  public int width() {
    return 2;
  }

  @Override
  public int height() {
    return 1;
  }

  @Override
  public double fps() {
    return fps;
  }

  @Override
  public BufferedImage frame(int index) {
    if (index < 0 || index >= n) {
      throw new IndexOutOfBoundsException("frame " + index);
    }
    reads.add(index);
    if (corrupt.contains(index)) {
      throw new InputException("fake.mp4: frame " + index + ": could not be decoded");
    }
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
    img.setRGB(0, 0, index);
    return img;
  }

  @Override
  public void close() {
    closed = true;
  }
}
