package org.maskprop.data;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.maskprop.InputException;

/**
 * Frames decoded from a video file with JavaCV's {@link FFmpegFrameGrabber}. Reading frames in
 * order decodes sequentially; any other index seeks ({@code setVideoFrameNumber}: FFmpeg seeks to
 * the key frame before it and decodes up to the frame).
 */
final class VideoFileFrameSource implements FrameSource {
  private final Path file;
  private final FFmpegFrameGrabber grabber;
  private final int frameCount;
  private int next; // index the grabber will return on the next grabImage(), -1 if unknown

  VideoFileFrameSource(Path file) {
    this.file = file;
    if (!Files.isRegularFile(file)) {
      throw new InputException(file + ": video file does not exist");
    }
    grabber = new FFmpegFrameGrabber(file.toFile());
    grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
    try {
      grabber.start();
    } catch (FrameGrabber.Exception | RuntimeException e) {
      closeQuietly();
      throw new InputException(file + ": cannot open video (" + oneLine(e) + ")", e);
    }
    if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
      closeQuietly();
      throw new InputException(file + ": has no video stream");
    }
    frameCount = grabber.getLengthInVideoFrames();
    next = 0;
  }

  @Override
  public int frameCount() {
    return frameCount;
  }

  @Override
  public int width() {
    return grabber.getImageWidth();
  }

  @Override
  public int height() {
    return grabber.getImageHeight();
  }

  @Override
  public double fps() {
    return grabber.getVideoFrameRate();
  }

  @Override
  public BufferedImage frame(int index) {
    if (index < 0 || index >= frameCount) {
      throw new IndexOutOfBoundsException("frame " + index + " of " + frameCount + " in " + file);
    }
    try {
      if (index != next) {
        grabber.setVideoFrameNumber(index);
      }
      Frame f = grabber.grabImage();
      if (f == null || f.image == null) {
        next = -1;
        throw new InputException(file + ": frame " + index + ": could not be decoded (end of stream)");
      }
      next = index + 1;
      return toImage(f);
    } catch (FrameGrabber.Exception e) {
      next = -1;
      throw new InputException(file + ": frame " + index + ": could not be decoded (" + oneLine(e) + ")", e);
    }
  }

  /**
   * Copies a decoded BGR24 frame row by row into a new image. FFmpeg pads rows (the stride of a
   * 30-pixel-wide frame is 192 bytes, not 90), which JavaCV's Java2DFrameConverter misreads as
   * extra channels; honouring {@code imageStride} works for every width.
   */
  private BufferedImage toImage(Frame f) {
    int w = f.imageWidth;
    int h = f.imageHeight;
    int stride = f.imageStride; // bytes per row for an 8-bit frame
    if (f.imageDepth != Frame.DEPTH_UBYTE || stride < 3 * w) {
      throw new InputException(file + ": unexpected decoded frame layout (depth " + f.imageDepth
          + ", stride " + stride + " for width " + w + ")");
    }
    java.nio.ByteBuffer src = ((java.nio.ByteBuffer) f.image[0]).duplicate();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] dst = ((java.awt.image.DataBufferByte) out.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < h; y++) {
      src.position(y * stride);
      src.get(dst, y * 3 * w, 3 * w);
    }
    return out;
  }

  private static String oneLine(Exception e) {
    return String.valueOf(e.getMessage()).replace('\n', ' ');
  }

  private void closeQuietly() {
    try {
      grabber.release();
    } catch (FrameGrabber.Exception | RuntimeException ignored) {
      // already failing; the first error matters
    }
  }

  @Override
  public void close() {
    try {
      grabber.close();
    } catch (FrameGrabber.Exception e) {
      throw new IllegalStateException("cannot close " + file + ": " + oneLine(e), e);
    }
  }
}
