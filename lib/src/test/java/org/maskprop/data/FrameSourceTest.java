package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;

class FrameSourceTest {
  @TempDir Path dir;

  static final int W = 64;
  static final int H = 48;
  static final int N = 24;

  /** Grey level of frame k: steps of 9 survive MPEG-4 compression of a flat frame easily. */
  static int grey(int k) {
    return 10 + 9 * k;
  }

  static BufferedImage solid(int w, int h, Color c) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setColor(c);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }

  /** An MPEG-4 file of N flat grey frames at 10 fps with a key frame every 5 frames. */
  Path writeVideo() throws Exception {
    Path p = dir.resolve("grey.mp4");
    try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(p.toFile(), W, H);
        Java2DFrameConverter conv = new Java2DFrameConverter()) {
      rec.setFormat("mp4");
      rec.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
      rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
      rec.setFrameRate(10);
      rec.setGopSize(5);
      rec.setVideoBitrate(400_000);
      rec.start();
      for (int k = 0; k < N; k++) {
        int v = grey(k);
        rec.record(conv.convert(solid(W, H, new Color(v, v, v))));
      }
      rec.stop();
    }
    return p;
  }

  /** The frame index whose grey level is nearest to the image's mean green. */
  static int identify(BufferedImage img) {
    long sum = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        sum += (img.getRGB(x, y) >> 8) & 0xff;
      }
    }
    double mean = (double) sum / (img.getWidth() * img.getHeight());
    return (int) Math.round((mean - 10) / 9.0);
  }

  @Test
  void videoFileSequentialAndSeeking() throws Exception {
    Path video = writeVideo();
    try (FrameSource src = FrameSource.ofVideoFile(video)) {
      assertEquals(N, src.frameCount());
      assertEquals(W, src.width());
      assertEquals(H, src.height());
      assertEquals(10.0, src.fps(), 1e-6);
      // direct seeks, including backwards and into the middle of a GOP
      for (int k : new int[] {17, 3, 3, 23, 0, 12, 11, 6, 5, 9, 22}) {
        BufferedImage img = src.frame(k);
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, img.getType());
        assertEquals(k, identify(img), "frame " + k);
      }
      BufferedImage a = src.frame(0);
      for (int k = 1; k < N; k++) {
        assertEquals(k, identify(src.frame(k)), "sequential frame " + k);
      }
      // images handed out are not overwritten by later reads
      assertEquals(0, identify(a));
      assertThrows(IndexOutOfBoundsException.class, () -> src.frame(N));
      assertThrows(IndexOutOfBoundsException.class, () -> src.frame(-1));
    }
  }

  /** Narrow frames have padded rows in FFmpeg; left half red, right half blue shows the layout. */
  @Test
  void narrowVideosDecodeWithTheirRowPadding() throws Exception {
    for (int w : new int[] {30, 32, 34}) {
      Path p = dir.resolve("narrow" + w + ".mp4");
      BufferedImage img = solid(w, 16, Color.RED);
      Graphics2D g = img.createGraphics();
      g.setColor(Color.BLUE);
      g.fillRect(w / 2, 0, w - w / 2, 16);
      g.dispose();
      try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(p.toFile(), w, 16);
          Java2DFrameConverter conv = new Java2DFrameConverter()) {
        rec.setFormat("mp4");
        rec.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
        rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        rec.setFrameRate(10);
        rec.setVideoBitrate(400_000);
        rec.start();
        for (int k = 0; k < 3; k++) {
          rec.record(conv.convert(img));
        }
        rec.stop();
      }
      try (FrameSource src = FrameSource.ofVideoFile(p)) {
        BufferedImage f = src.frame(1);
        assertEquals(w, f.getWidth());
        int left = f.getRGB(2, 8);
        int right = f.getRGB(w - 3, 8);
        assertTrue(((left >> 16) & 0xff) > 180 && (left & 0xff) < 80, "width " + w + " left " + Integer.toHexString(left));
        assertTrue((right & 0xff) > 180 && ((right >> 16) & 0xff) < 80, "width " + w + " right " + Integer.toHexString(right));
      }
    }
  }

  @Test
  void videoFileErrors() throws Exception {
    Path missing = dir.resolve("missing.mp4");
    InputException e = assertThrows(InputException.class, () -> FrameSource.ofVideoFile(missing));
    assertTrue(e.getMessage().startsWith(missing + ": "), e.getMessage());
    Path junk = dir.resolve("junk.mp4");
    Files.writeString(junk, "not a video at all");
    e = assertThrows(InputException.class, () -> FrameSource.ofVideoFile(junk));
    assertTrue(e.getMessage().startsWith(junk + ": "), e.getMessage());
  }

  Path writeFrames(String video, int n) throws Exception {
    Path root = dir.resolve("JPEGImages");
    Files.createDirectories(root.resolve(video));
    for (int k = 0; k < n; k++) {
      ImageIO.write(solid(W, H, new Color(40 * k, 100, 200)), "png",
          root.resolve(video + "/" + k + ".png").toFile());
    }
    return root;
  }

  @Test
  void imageFolderByIndex() throws Exception {
    Path root = writeFrames("v", 3);
    YtvisDataset.Video v = new YtvisDataset.Video(7, W, H, 3, List.of("v/0.png", "v/1.png", "v/2.png"));
    try (FrameSource src = FrameSource.ofImages(root, v)) {
      assertEquals(3, src.frameCount());
      assertTrue(Double.isNaN(src.fps()));
      for (int k : new int[] {2, 0, 1}) {
        BufferedImage img = src.frame(k);
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, img.getType());
        assertEquals(new Color(40 * k, 100, 200).getRGB(), img.getRGB(5, 7));
      }
    }
    // YouTube-VIS frames are JPEGs: lossy, so compare with a tolerance
    ImageIO.write(solid(W, H, new Color(30, 160, 220)), "jpg", root.resolve("v/j.jpg").toFile());
    try (FrameSource src = FrameSource.ofImages(root, List.of("v/j.jpg"))) {
      Color c = new Color(src.frame(0).getRGB(10, 10));
      assertTrue(Math.abs(c.getRed() - 30) + Math.abs(c.getGreen() - 160) + Math.abs(c.getBlue() - 220) < 12, c.toString());
    }
    // a grey image comes back as 3-channel BGR
    BufferedImage grey = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
    ImageIO.write(grey, "png", root.resolve("v/g.png").toFile());
    try (FrameSource src = FrameSource.ofImages(root, List.of("v/g.png"))) {
      assertEquals(W, src.width());
      assertEquals(BufferedImage.TYPE_3BYTE_BGR, src.frame(0).getType());
    }
  }

  @Test
  void imageFolderMissingCorruptAndWrongSize() throws Exception {
    Path root = writeFrames("v", 2);
    Files.writeString(root.resolve("v/bad.jpg"), "garbage");
    ImageIO.write(solid(W + 1, H, Color.RED), "png", root.resolve("v/big.png").toFile());
    YtvisDataset.Video v = new YtvisDataset.Video(
        7, W, H, 4, List.of("v/0.png", "v/gone.png", "v/bad.jpg", "v/big.png"));
    try (FrameSource src = FrameSource.ofImages(root, v)) {
      InputException e = assertThrows(InputException.class, () -> src.frame(1));
      assertEquals(root.resolve("v/gone.png") + ": video 7, frame 1: frame file does not exist", e.getMessage());
      e = assertThrows(InputException.class, () -> src.frame(2));
      assertTrue(e.getMessage().startsWith(root.resolve("v/bad.jpg") + ": video 7, frame 2: frame file "), e.getMessage());
      e = assertThrows(InputException.class, () -> src.frame(3));
      assertTrue(e.getMessage().contains("frame 3: frame file is 65x48 but the video is 64x48"), e.getMessage());
    }
  }
}
