package org.maskprop.dataprep.custom;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Video;

/**
 * Writes videos of a YouTube-VIS split in the custom layout that {@link CustomConverter} reads
 * (frames, one palette PNG of instance ids per frame, the {@code video,instance,category} CSV): a
 * ready-made example of custom data, and the inverse of the converter.
 *
 * <pre>
 * in/JPEGImages/&lt;video&gt;/&lt;frame&gt;   the frame files, copied
 * in/Annotations/&lt;video&gt;/&lt;stem&gt;.png  8-bit palette PNG, pixel = instance id (1..N in annotation order)
 * in/categories.csv                   video,instance,category (category names)
 * </pre>
 *
 * The video folder is the first path element of the video's {@code file_names}. Where masks of
 * one frame overlap, the later annotation wins (a palette mask holds one id per pixel); crowd
 * annotations are written like the others. At most 255 annotations per video.
 */
public final class CustomExport {
  private CustomExport() {}

  /**
   * Writes {@code videoIds} of {@code dataset} under {@code in}.
   *
   * @param imageRoot the folder the dataset's {@code file_names} resolve against
   * @return the categories CSV
   */
  public static Path write(YtvisDataset dataset, Path imageRoot, List<Integer> videoIds, Path in) {
    StringBuilder csv = new StringBuilder(InstanceCategories.HEADER).append('\n');
    try {
      for (int id : videoIds) {
        Video v = dataset.videoById(id);
        if (v == null) {
          throw new IllegalArgumentException("no video " + id);
        }
        List<Annotation> anns = dataset.annotationsOf(id);
        if (anns.size() > 255) {
          throw new IllegalArgumentException("video " + id + " has " + anns.size() + " annotations; at most 255 fit");
        }
        String folder = Path.of(v.fileNames().get(0)).getName(0).toString();
        for (int k = 0; k < anns.size(); k++) {
          String category = dataset.categoryById(anns.get(k).categoryId()).name();
          csv.append(folder).append(',').append(k + 1).append(',').append(category).append('\n');
        }
        for (int f = 0; f < v.length(); f++) {
          Path frame = imageRoot.resolve(v.fileNames().get(f));
          String name = frame.getFileName().toString();
          Path frameOut = in.resolve(CustomConverter.FRAMES).resolve(folder).resolve(name);
          Files.createDirectories(frameOut.getParent());
          Files.copy(frame, frameOut, StandardCopyOption.REPLACE_EXISTING);
          byte[] ids = new byte[v.height() * v.width()]; // [H * W], row-major
          for (int k = 0; k < anns.size(); k++) {
            Rle r = anns.get(k).segmentations().get(f);
            if (r == null) {
              continue;
            }
            byte[] m = r.decode();
            for (int i = 0; i < m.length; i++) {
              if (m[i] != 0) {
                ids[i] = (byte) (k + 1);
              }
            }
          }
          int dot = name.lastIndexOf('.');
          String stem = dot > 0 ? name.substring(0, dot) : name;
          Path maskOut = in.resolve(CustomConverter.MASKS).resolve(folder).resolve(stem + ".png");
          Files.createDirectories(maskOut.getParent());
          writePalettePng(maskOut, ids, v.width(), v.height());
        }
      }
      Files.createDirectories(in);
      Path file = in.resolve("categories.csv");
      Files.writeString(file, csv);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write custom data under " + in + ": " + e.getMessage(), e);
    }
  }

  /** An 8-bit indexed PNG; the palette is the PASCAL VOC / DAVIS one (index 0 black). */
  static void writePalettePng(Path png, byte[] ids, int width, int height) throws IOException {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      int c = i;
      int rr = 0;
      int gg = 0;
      int bb = 0;
      for (int bit = 7; bit >= 0 && c > 0; bit--, c >>= 3) {
        rr |= (c & 1) << bit;
        gg |= ((c >> 1) & 1) << bit;
        bb |= ((c >> 2) & 1) << bit;
      }
      r[i] = (byte) rr;
      g[i] = (byte) gg;
      b[i] = (byte) bb;
    }
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED,
        new IndexColorModel(8, 256, r, g, b));
    img.getRaster().setDataElements(0, 0, width, height, ids);
    if (!ImageIO.write(img, "png", png.toFile())) {
      throw new IOException("no PNG writer");
    }
  }
}
