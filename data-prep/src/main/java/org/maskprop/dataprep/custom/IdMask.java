package org.maskprop.dataprep.custom;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.maskprop.InputException;

/**
 * One frame's instance-id mask (the DAVIS / YouTube-VOS convention): pixel value = instance id,
 * 0 = background. Read from a PNG that is either indexed (a palette: the raw index is the id, the
 * palette colour is ignored; 1, 2, 4 or 8 bits) or single-channel grayscale (8 or 16 bits).
 *
 * @param ids row-major {@code [height * width]} instance ids
 */
public record IdMask(int width, int height, int[] ids) {

  /**
   * Reads {@code png}.
   *
   * @throws InputException if it is missing, unreadable, or has colour channels (an RGB rendering
   *     of a palette mask loses the ids)
   */
  public static IdMask read(Path png) {
    BufferedImage img;
    try {
      if (!Files.isRegularFile(png)) {
        throw new InputException(png + ": mask file not found");
      }
      img = ImageIO.read(png.toFile());
    } catch (IOException e) {
      throw new InputException(png + ": cannot read mask: " + e.getMessage(), e);
    }
    if (img == null) {
      throw new InputException(png + ": not a readable image (an indexed or grayscale PNG expected)");
    }
    boolean indexed = img.getColorModel() instanceof IndexColorModel;
    boolean gray = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && !img.getColorModel().hasAlpha();
    if (img.getRaster().getNumBands() != 1 || !(indexed || gray)) {
      throw new InputException(png + ": mask has " + img.getRaster().getNumBands()
          + " channels (" + (img.getColorModel().hasAlpha() ? "with alpha" : "colour")
          + "); expected an indexed (palette) or single-channel grayscale PNG whose pixel values"
          + " are instance ids");
    }
    int w = img.getWidth();
    int h = img.getHeight();
    // raw samples: palette indices for indexed images, gray levels for grayscale ones
    int[] ids = img.getRaster().getPixels(0, 0, w, h, (int[]) null); // [h * w]
    return new IdMask(w, h, ids);
  }
}
