package org.maskprop.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.function.IntConsumer;
import org.maskprop.data.FrameSource;

/**
 * A video of any length drawn on the fly (nothing on disk, nothing kept): {@code objects} coloured
 * rectangles bouncing on a grey background, a pure function of (seed, frame index). {@code onFrame}
 * sees each newly reached frame index once (in increasing order), e.g. to sample memory along the
 * video.
 */
public final class GeneratedFrameSource implements FrameSource {
  private final int frames;
  private final int height;
  private final int width;
  private final int objects;
  private final long seed;
  private final IntConsumer onFrame;
  private int reached = -1;

  public GeneratedFrameSource(int frames, int height, int width, int objects, long seed, IntConsumer onFrame) {
    if (frames < 1 || height < 8 || width < 8 || objects < 0) {
      throw new IllegalArgumentException("GeneratedFrameSource: " + frames + " frames of " + height + "x" + width
          + ", " + objects + " objects");
    }
    this.frames = frames;
    this.height = height;
    this.width = width;
    this.objects = objects;
    this.seed = seed;
    this.onFrame = onFrame;
  }

  @Override
  public int frameCount() {
    return frames;
  }

  @Override
  public int width() {
    return width;
  }

  @Override
  public int height() {
    return height;
  }

  @Override
  public double fps() {
    return Double.NaN;
  }

  @Override
  public BufferedImage frame(int index) {
    if (index < 0 || index >= frames) {
      throw new IndexOutOfBoundsException("frame " + index + " of " + frames);
    }
    while (reached < index) {
      reached++;
      onFrame.accept(reached);
    }
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.GRAY);
    g.fillRect(0, 0, width, height);
    java.util.Random r = new java.util.Random(seed);
    for (int k = 0; k < objects; k++) {
      int w = width / 6 + r.nextInt(width / 6);
      int h = height / 6 + r.nextInt(height / 6);
      // bounce: position is a triangle wave of the frame index
      int x = bounce(r.nextInt(width - w) + index * (1 + r.nextInt(3)), width - w);
      int y = bounce(r.nextInt(height - h) + index * (1 + r.nextInt(2)), height - h);
      g.setColor(Color.getHSBColor(r.nextFloat(), 0.8f, 0.9f));
      g.fillRect(x, y, w, h);
    }
    g.dispose();
    return img;
  }

  private static int bounce(int p, int range) {
    if (range <= 0) {
      return 0;
    }
    int period = 2 * range;
    int m = Math.floorMod(p, period);
    return m <= range ? m : period - m;
  }

  @Override
  public void close() {}
}
