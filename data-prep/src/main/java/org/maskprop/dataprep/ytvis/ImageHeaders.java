package org.maskprop.dataprep.ytvis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.maskprop.InputException;

/** Image sizes from file headers, without decoding pixels (cheap enough for every frame). */
public final class ImageHeaders {
  private ImageHeaders() {}

  /** Width and height of an image file. */
  public record Size(int width, int height) {
    @Override
    public String toString() {
      return width + "x" + height + " (WxH)";
    }
  }

  /**
   * Reads the size from the header of a JPEG, PNG or other ImageIO format.
   *
   * @throws InputException if the file is missing or not a readable image
   */
  public static Size read(Path file) {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new InputException(file + ": cannot open image");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new InputException(file + ": not a readable image (JPEG or PNG expected)");
      }
      ImageReader r = readers.next();
      try {
        r.setInput(in, true, true);
        return new Size(r.getWidth(0), r.getHeight(0));
      } finally {
        r.dispose();
      }
    } catch (IOException e) {
      throw new InputException(file + ": cannot read image header: " + e.getMessage(), e);
    }
  }
}
