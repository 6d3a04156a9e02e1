package org.maskprop.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.maskprop.InputException;

/** Frames from image files (YouTube-VIS {@code JPEGImages/<video>/<frame>.jpg}), read on demand. */
final class ImageFolderFrameSource implements FrameSource {
  private final Path root;
  private final List<String> fileNames;
  private final String subject; // "video 4" or null, for messages
  private int width;
  private int height;

  /** {@code width}/{@code height} of -1: taken from the first frame. */
  ImageFolderFrameSource(Path root, List<String> fileNames, int width, int height, String subject) {
    this.root = root;
    this.fileNames = List.copyOf(fileNames);
    this.subject = subject;
    if (width < 0 || height < 0) {
      if (fileNames.isEmpty()) {
        this.width = 0;
        this.height = 0;
      } else {
        BufferedImage first = read(0);
        this.width = first.getWidth();
        this.height = first.getHeight();
      }
    } else {
      this.width = width;
      this.height = height;
    }
  }

  @Override
  public int frameCount() {
    return fileNames.size();
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
    if (index < 0 || index >= fileNames.size()) {
      throw new IndexOutOfBoundsException("frame " + index + " of " + fileNames.size());
    }
    BufferedImage img = read(index);
    if (img.getWidth() != width || img.getHeight() != height) {
      throw error(index, "is " + img.getWidth() + "x" + img.getHeight() + " but the video is "
          + width + "x" + height);
    }
    return img;
  }

  private BufferedImage read(int index) {
    Path p = root.resolve(fileNames.get(index));
    if (!Files.isRegularFile(p)) {
      throw error(index, "does not exist");
    }
    BufferedImage img;
    try {
      img = ImageIO.read(p.toFile());
    } catch (IOException | RuntimeException e) {
      throw error(index, "cannot be decoded (" + String.valueOf(e.getMessage()).replace('\n', ' ') + ")");
    }
    if (img == null) {
      throw error(index, "is not a readable image");
    }
    return toBgr(img);
  }

  private InputException error(int index, String problem) {
    Path p = root.resolve(fileNames.get(index));
    return new InputException(p + ": " + (subject == null ? "" : subject + ", ") + "frame " + index
        + ": frame file " + problem);
  }

  /** The image as TYPE_3BYTE_BGR (ImageIO gives that for colour JPEGs; grey ones are converted). */
  static BufferedImage toBgr(BufferedImage img) {
    if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      return img;
    }
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
    java.awt.Graphics2D g = out.createGraphics();
    g.drawImage(img, 0, 0, null);
    g.dispose();
    return out;
  }

  @Override
  public void close() {
    // nothing held open between frames
  }
}
