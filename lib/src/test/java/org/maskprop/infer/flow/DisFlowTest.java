package org.maskprop.infer.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DIS through JavaCV on a smooth random texture translated by a known whole-pixel shift: the
 * median flow must recover the shift. Sizes are the cpu-synthetic model input (96 x 128) and a
 * larger one.
 */
class DisFlowTest {

  /**
   * A smooth texture {@code [h * w]} bytes: random values on a coarse lattice every {@code cell}
   * pixels, bilinearly interpolated (gradients everywhere, no periodicity).
   */
  static float[] texture(int h, int w, int cell, long seed) {
    Random r = new Random(seed);
    int gh = h / cell + 2;
    int gw = w / cell + 2;
    float[] g = new float[gh * gw];
    for (int i = 0; i < g.length; i++) {
      g[i] = 30 + 200 * r.nextFloat();
    }
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float fy = (float) y / cell;
        float fx = (float) x / cell;
        int y0 = (int) fy;
        int x0 = (int) fx;
        float ly = fy - y0;
        float lx = fx - x0;
        out[y * w + x] = (1 - ly) * ((1 - lx) * g[y0 * gw + x0] + lx * g[y0 * gw + x0 + 1])
            + ly * ((1 - lx) * g[(y0 + 1) * gw + x0] + lx * g[(y0 + 1) * gw + x0 + 1]);
      }
    }
    return out;
  }

  /** The {@code h x w} window of {@code big} ({@code bigW} wide) whose top-left is {@code (oy, ox)}. */
  static byte[] crop(float[] big, int bigW, int oy, int ox, int h, int w) {
    byte[] out = new byte[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out[y * w + x] = (byte) Math.round(big[(y + oy) * bigW + x + ox]);
      }
    }
    return out;
  }

  static double median(float[] flow, int component, int h, int w, int margin) {
    double[] v = new double[(h - 2 * margin) * (w - 2 * margin)];
    int n = 0;
    for (int y = margin; y < h - margin; y++) {
      for (int x = margin; x < w - margin; x++) {
        v[n++] = flow[2 * (y * w + x) + component];
      }
    }
    Arrays.sort(v);
    return v[n / 2];
  }

  @ParameterizedTest
  @CsvSource({"MEDIUM, 0", "MEDIUM, -1", "FAST, -1"}) // FlowPropagator's setting, then the presets
  void recoversATranslation(DisFlow.Preset preset, int finestScale) {
    for (int[] size : new int[][] {{96, 128}, {240, 320}}) {
      int h = size[0];
      int w = size[1];
      int dx = 3;
      int dy = -2;
      int pad = 8;
      float[] big = texture(h + 2 * pad, w + 2 * pad, 12, 7);
      // to(y, x) = from(y - dy, x - dx): the content moves by (dx, dy), so from(y, x) = to(y + dy, x + dx)
      byte[] from = crop(big, w + 2 * pad, pad, pad, h, w);
      byte[] to = crop(big, w + 2 * pad, pad - dy, pad - dx, h, w);
      try (DisFlow dis = new DisFlow(preset, finestScale)) {
        float[] flow = dis.compute(from, to, h, w);
        assertEquals(2 * h * w, flow.length);
        assertEquals(dx, median(flow, 0, h, w, 8), 0.5, preset + " dx at " + h + "x" + w);
        assertEquals(dy, median(flow, 1, h, w, 8), 0.5, preset + " dy at " + h + "x" + w);
      }
    }
  }

  @Test
  void finestScaleOverridesThePresets() {
    try (DisFlow preset = new DisFlow(DisFlow.Preset.MEDIUM); DisFlow full = new DisFlow(DisFlow.Preset.MEDIUM, 0)) {
      assertEquals(1, preset.finestScale()); // OpenCV's MEDIUM stops at half resolution
      assertEquals(0, full.finestScale());
    }
  }

  @Test
  void identicalFramesGiveZeroFlow() {
    byte[] a = crop(texture(96, 128, 12, 3), 128, 0, 0, 96, 128);
    try (DisFlow dis = new DisFlow(DisFlow.Preset.MEDIUM, 0)) {
      float[] flow = dis.compute(a, a.clone(), 96, 128);
      float max = 0;
      for (float v : flow) {
        max = Math.max(max, Math.abs(v));
      }
      assertEquals(0, max, 1e-3);
    }
  }

  @Test
  void rejectsFramesOfTheWrongSize() {
    try (DisFlow dis = new DisFlow(DisFlow.Preset.FAST)) {
      assertThrows(IllegalArgumentException.class, () -> dis.compute(new byte[12], new byte[12], 4, 4));
    }
  }

  @Test
  void releasesEveryNativeMatOverALongRun() {
    byte[] a = crop(texture(96, 128, 12, 5), 128, 0, 0, 96, 128);
    byte[] b = crop(texture(96, 128, 12, 6), 128, 0, 0, 96, 128);
    try (DisFlow warm = new DisFlow(DisFlow.Preset.MEDIUM)) {
      warm.compute(a, b, 96, 128); // loads the natives and their static pointers
    }
    long before = Pointer.totalCount();
    try (DisFlow dis = new DisFlow(DisFlow.Preset.MEDIUM, 0)) {
      for (int i = 0; i < 300; i++) {
        dis.compute(a, b, 96, 128);
      }
    }
    assertEquals(before, Pointer.totalCount(), "JavaCPP pointers alive after 300 flows and close()");
  }
}
