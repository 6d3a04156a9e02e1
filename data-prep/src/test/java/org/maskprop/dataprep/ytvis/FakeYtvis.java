package org.maskprop.dataprep.ytvis;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Category;
import org.maskprop.data.YtvisDataset.Video;

/** Small fake YouTube-VIS downloads (2019 and 2021 layouts) with tiny JPEG frames. */
final class FakeYtvis {
  static final int W = 8;
  static final int H = 6;
  static final List<Category> CATEGORIES = List.of(
      new Category(1, "person", "object"), new Category(2, "giraffe", "animal"),
      new Category(3, "duck", "animal"));

  private FakeYtvis() {}

  /** A row-major mask with the rectangle {@code [x, x+w) x [y, y+h)} set. */
  static Rle rect(int x, int y, int w, int h) {
    byte[] m = new byte[H * W];
    for (int yy = y; yy < y + h; yy++) {
      for (int xx = x; xx < x + w; xx++) {
        m[yy * W + xx] = 1;
      }
    }
    return Rle.encode(m, H, W);
  }

  /** Video {@code i} (1-based) has {@code 2 + i % 3} frames. */
  static int length(int i) {
    return 2 + i % 3;
  }

  /**
   * {@code n} videos named {@code v<i>}; video i has {@code 1 + i % 2} instances of category
   * {@code 1 + (i + k) % 3}; instance k is a 2x2 square moving right, absent in frame 0 when k = 1.
   * With {@code gt} false: no annotations (an official valid/test split).
   */
  static YtvisDataset dataset(int n, boolean gt) {
    List<Video> videos = new ArrayList<>();
    List<Annotation> anns = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      List<String> names = new ArrayList<>();
      for (int f = 0; f < length(i); f++) {
        names.add(String.format("v%d/%05d.jpg", i, f));
      }
      videos.add(new Video(i, W, H, names.size(), names));
      if (!gt) {
        continue;
      }
      for (int k = 0; k < 1 + i % 2; k++) {
        List<Rle> segs = new ArrayList<>();
        List<Double> areas = new ArrayList<>();
        List<double[]> boxes = new ArrayList<>();
        for (int f = 0; f < names.size(); f++) {
          Rle r = k == 1 && f == 0 ? null : rect(f % 6, 1 + 2 * k, 2, 2);
          segs.add(r);
          areas.add(r == null ? null : (double) r.area());
          boxes.add(r == null ? null : r.toBbox());
        }
        anns.add(new Annotation(anns.size() + 1, i, 1 + (i + k) % 3, 0, H, W, segs, areas, boxes));
      }
    }
    return new YtvisDataset(null, null, null, videos, CATEGORIES, anns);
  }

  /** Writes one tiny JPEG per frame under {@code imageRoot}. */
  static void writeFrames(YtvisDataset d, Path imageRoot) throws IOException {
    for (Video v : d.videos()) {
      for (String name : v.fileNames()) {
        writeJpeg(imageRoot.resolve(name), v.width(), v.height());
      }
    }
  }

  static void writeJpeg(Path p, int w, int h) throws IOException {
    Files.createDirectories(p.getParent());
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    img.setRGB(0, 0, 0xff8040);
    ImageIO.write(img, "jpg", p.toFile());
  }

  /** A download in {@code version}'s layout: train with GT, plus a GT-free valid if asked. */
  static Path tree(Path root, YtvisVersion version, int trainVideos, int validVideos)
      throws IOException {
    YtvisDataset train = dataset(trainVideos, true);
    Files.createDirectories(version.json(root, "train").getParent());
    train.write(version.json(root, "train"));
    writeFrames(train, version.imageRoot(root, "train"));
    if (validVideos > 0) {
      YtvisDataset valid = dataset(validVideos, false);
      Files.createDirectories(version.json(root, "valid").getParent());
      valid.write(version.json(root, "valid"));
      writeFrames(valid, version.imageRoot(root, "valid"));
    }
    return root;
  }
}
