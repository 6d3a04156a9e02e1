package org.maskprop.dataprep.preview;

import ai.djl.ndarray.NDArray;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTargets;
import org.maskprop.data.ImageTensors;
import org.maskprop.data.PairBatch;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;

/**
 * Pictures of data for notebooks and reports: frames with their GT instance masks coloured, and a
 * row of such frames with captions. Colours follow the track id ({@link #colour}), so an instance
 * keeps its colour across the frames of a video. Masks are drawn as a half-transparent fill with an
 * opaque outline (pixels of the mask with a 4-neighbour outside it).
 */
public final class MaskPreview {
  /** Opacity of the mask fill. */
  public static final double FILL_ALPHA = 0.5;

  private static final int CAPTION_HEIGHT = 16;
  private static final int GAP = 4;

  private MaskPreview() {}

  /** A saturated colour for a track id, distinct for nearby ids (hues spaced by the golden ratio). */
  public static Color colour(int trackId) {
    float hue = (float) ((trackId * 0.618033988749895) % 1.0);
    return Color.getHSBColor(hue, 0.85f, 1.0f);
  }

  /**
   * A copy of {@code frame} (RGB) with each mask drawn in its colour.
   *
   * @param masks row-major {@code [H * W]} 0/1 masks, the frame's size
   * @param colours one per mask
   */
  public static BufferedImage overlay(BufferedImage frame, List<byte[]> masks, List<Color> colours) {
    int w = frame.getWidth();
    int h = frame.getHeight();
    if (masks.size() != colours.size()) {
      throw new IllegalArgumentException(masks.size() + " masks but " + colours.size() + " colours");
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] rgb = frame.getRGB(0, 0, w, h, null, 0, w); // [H * W]
    for (int k = 0; k < masks.size(); k++) {
      byte[] m = masks.get(k);
      if (m.length != w * h) {
        throw new IllegalArgumentException("mask " + k + " has " + m.length + " pixels, frame " + h + "x" + w);
      }
      int c = colours.get(k).getRGB();
      int[] fill = new int[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          if (m[i] == 0) {
            continue;
          }
          boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1
              || m[i - 1] == 0 || m[i + 1] == 0 || m[i - w] == 0 || m[i + w] == 0;
          fill[i] = edge ? c : blend(rgb[i], c, FILL_ALPHA);
        }
      }
      for (int i = 0; i < fill.length; i++) {
        if (m[i] != 0) {
          rgb[i] = fill[i];
        }
      }
    }
    out.setRGB(0, 0, w, h, rgb, 0, w);
    return out;
  }

  /** {@code (1 - alpha) * under + alpha * over}, per channel, rounded. */
  static int blend(int under, int over, double alpha) {
    int out = 0xff000000;
    for (int shift = 0; shift <= 16; shift += 8) {
      int a = (under >> shift) & 0xff;
      int b = (over >> shift) & 0xff;
      out |= ((int) Math.round((1 - alpha) * a + alpha * b)) << shift;
    }
    return out;
  }

  /**
   * Frames of one video with their GT masks, side by side, each captioned {@code t=<frame>} and
   * enlarged {@code scale} times (nearest neighbour, so mask edges stay sharp).
   *
   * @param imageRoot the folder the dataset's {@code file_names} resolve against
   */
  public static BufferedImage videoFrames(
      YtvisDataset dataset, Path imageRoot, int videoId, int[] frames, int scale) {
    YtvisDataset.Video v = dataset.videoById(videoId);
    if (v == null) {
      throw new IllegalArgumentException("no video " + videoId);
    }
    List<BufferedImage> panels = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    try (FrameSource src = FrameSource.ofImages(imageRoot, v)) {
      for (int f : frames) {
        List<byte[]> masks = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        for (YtvisDataset.Annotation a : dataset.annotationsOf(videoId)) {
          Rle r = a.segmentations().get(f);
          if (r != null && r.area() > 0) {
            masks.add(r.decode());
            colours.add(colour(a.id()));
          }
        }
        panels.add(overlay(src.frame(f), masks, colours));
        captions.add("t=" + f + " (" + masks.size() + " inst.)");
      }
    }
    return row(panels, captions, scale);
  }

  /**
   * What a training iteration sees ({@link PairBatch}): frame {@code t} with its instances (the
   * masks that are propagated), frame {@code t'}, and the propagation targets of Eq. 2 (the mask in
   * {@code t'} of each instance of {@code t}, empty where it is absent) on a dark copy of {@code t'}.
   * Colours follow the track ids, so one instance has one colour in all three panels.
   */
  public static BufferedImage pair(PairBatch batch, int scale) {
    BufferedImage t = image(batch.frameT());
    BufferedImage tPrime = image(batch.frameTPrime());
    FrameTargets src = batch.targetsT();
    int[] ids = src.trackIds();
    List<Color> colours = new ArrayList<>();
    for (int id : ids) {
      colours.add(colour(id));
    }
    List<byte[]> targets = masks(batch.propagationTargets()); // [N_t] of [H * W]
    BufferedImage dark = blendAll(tPrime, 0x000000, 0.6);
    return row(
        List.of(overlay(t, masks(src.masks()), colours), tPrime, overlay(dark, targets, colours)),
        List.of("frame t=" + batch.t() + " + GT", "frame t'=" + batch.tPrime(), "targets in t' (Eq. 2)"),
        scale);
  }

  /**
   * Un-normalises a model input {@code [3, H, W]} float32 tensor ({@link ImageTensors}: RGB,
   * ImageNet mean/std) back to an RGB image, clamping to 0..255.
   */
  public static BufferedImage image(NDArray chw) {
    long[] s = chw.getShape().getShape();
    if (s.length != 3 || s[0] != 3) {
      throw new IllegalArgumentException("expected [3, H, W], got " + chw.getShape());
    }
    int h = (int) s[1];
    int w = (int) s[2];
    float[] v = chw.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    int plane = h * w;
    int[] rgb = new int[plane];
    for (int i = 0; i < plane; i++) {
      int px = 0xff000000;
      for (int c = 0; c < 3; c++) {
        float x = (v[c * plane + i] * ImageTensors.STD[c] + ImageTensors.MEAN[c]) * 255f;
        int b = Math.max(0, Math.min(255, Math.round(x)));
        px |= b << (16 - 8 * c);
      }
      rgb[i] = px;
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, w, h, rgb, 0, w);
    return out;
  }

  /** The rows of an {@code [N, H, W]} mask tensor as {@code [H * W]} byte arrays. */
  static List<byte[]> masks(NDArray nhw) {
    long n = nhw.getShape().get(0);
    byte[] all = nhw.toType(ai.djl.ndarray.types.DataType.UINT8, false).toByteArray();
    int plane = n == 0 ? 0 : (int) (all.length / n);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] m = new byte[plane];
      System.arraycopy(all, i * plane, m, 0, plane);
      out.add(m);
    }
    return out;
  }

  /**
   * Images side by side on a white background, each enlarged {@code scale} times (nearest
   * neighbour) with its caption underneath.
   */
  public static BufferedImage row(List<BufferedImage> panels, List<String> captions, int scale) {
    if (panels.isEmpty() || panels.size() != captions.size() || scale < 1) {
      throw new IllegalArgumentException(
          panels.size() + " panels, " + captions.size() + " captions, scale " + scale);
    }
    int width = GAP;
    int height = 0;
    for (BufferedImage p : panels) {
      width += p.getWidth() * scale + GAP;
      height = Math.max(height, p.getHeight() * scale);
    }
    BufferedImage out = new BufferedImage(width, height + CAPTION_HEIGHT + 2 * GAP,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, out.getWidth(), out.getHeight());
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int x = GAP;
      for (int i = 0; i < panels.size(); i++) {
        BufferedImage p = panels.get(i);
        g.drawImage(p, x, GAP, p.getWidth() * scale, p.getHeight() * scale, null);
        g.setColor(Color.BLACK);
        g.drawString(captions.get(i), x, GAP + height + CAPTION_HEIGHT - 3);
        x += p.getWidth() * scale + GAP;
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  private static BufferedImage blendAll(BufferedImage img, int colour, double alpha) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = blend(rgb[i], colour, alpha);
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, w, h, rgb, 0, w);
    return out;
  }
}
