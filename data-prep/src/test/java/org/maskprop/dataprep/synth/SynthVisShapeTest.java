package org.maskprop.dataprep.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Shape geometry against hand-computed points and areas; the bounce fold; the README table. */
class SynthVisShapeTest {

  @Test
  void pointsInsideAndOutsideEachShape() {
    assertTrue(ShapeClass.CIRCLE.contains(0.7, 0.7)); // r^2 = 0.98
    assertFalse(ShapeClass.CIRCLE.contains(0.72, 0.72)); // r^2 = 1.0368
    assertTrue(ShapeClass.SQUARE.contains(0.69, -0.69));
    assertFalse(ShapeClass.SQUARE.contains(0.71, 0));
    // triangle: apex (0, -1), base at v = 0.5 between u = +-0.866
    assertTrue(ShapeClass.TRIANGLE.contains(0, 0.49));
    assertFalse(ShapeClass.TRIANGLE.contains(0, 0.51));
    assertTrue(ShapeClass.TRIANGLE.contains(0, -0.95));
    assertFalse(ShapeClass.TRIANGLE.contains(0.5, -0.5));
    // star: a tip at the top, a notch (inner radius 0.42) between two tips
    assertTrue(ShapeClass.STAR.contains(0, -0.9));
    double notch = -Math.PI / 2 + Math.PI / 5;
    assertTrue(ShapeClass.STAR.contains(0.38 * Math.cos(notch), 0.38 * Math.sin(notch)));
    assertFalse(ShapeClass.STAR.contains(0.6 * Math.cos(notch), 0.6 * Math.sin(notch)));
    assertTrue(ShapeClass.ELLIPSE.contains(0.95, 0));
    assertFalse(ShapeClass.ELLIPSE.contains(0, 0.55));
    assertTrue(ShapeClass.CROSS.contains(0.9, 0.25));
    assertFalse(ShapeClass.CROSS.contains(0.5, 0.5));
    assertFalse(ShapeClass.RING.contains(0, 0));
    assertTrue(ShapeClass.RING.contains(0, 0.8));
    // hexagon with a vertex at the top: the right edge is at u = cos 30 deg = 0.866
    assertTrue(ShapeClass.HEXAGON.contains(0.85, 0));
    assertFalse(ShapeClass.HEXAGON.contains(0.88, 0));
    for (ShapeClass c : ShapeClass.values()) {
      assertFalse(c.contains(1.01, 0), c + " leaves the unit disc");
      assertFalse(c.contains(0, -1.01), c + " leaves the unit disc");
      assertEquals(c, ShapeClass.ofCategoryId(c.categoryId()));
    }
  }

  @Test
  void rasterAreasMatchTheAnalyticAreasAtAnyAngle() {
    double r = 60;
    double s3 = Math.sqrt(3);
    double[] unitArea = {
      Math.PI, // circle
      1.4 * 1.4, // square, half side 0.7
      3 * s3 / 4, // equilateral triangle in the unit circle
      10 * 0.5 * 0.42 * Math.sin(Math.PI / 5), // star: 10 triangles (1, 0.42, 36 deg)
      Math.PI * 0.5, // ellipse 1 x 0.5
      2 * (0.6 * 1.9) - 0.6 * 0.6, // cross: two 0.6 x 1.9 bars minus their overlap
      Math.PI * (1 - 0.55 * 0.55), // ring
      3 * s3 / 2, // regular hexagon
    };
    for (ShapeClass c : ShapeClass.values()) {
      for (double angle : new double[] {0, 0.3, 1.1}) {
        InstanceTrack track = still(c, r, angle);
        int n = SynthRenderer.rasterize(track, track.pose(0), 200, 200, (p, u, v) -> {});
        double expected = unitArea[c.ordinal()] * r * r;
        assertEquals(expected, n, 0.015 * expected, c + " at angle " + angle);
      }
    }
  }

  @Test
  void foldBouncesOffBothBorders() {
    assertEquals(9, SynthSceneGenerator.fold(11, 0, 10), 1e-12);
    assertEquals(3, SynthSceneGenerator.fold(-3, 0, 10), 1e-12);
    assertEquals(5, SynthSceneGenerator.fold(25, 0, 10), 1e-12);
    assertEquals(4, SynthSceneGenerator.fold(4, 2, 10), 1e-12);
    assertEquals(6, SynthSceneGenerator.fold(14, 2, 10), 1e-12);
  }

  @Test
  void readmeShowsThePresetTableOfTheCode() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertTrue(
        readme.contains(SynthPreset.markdownTable()),
        "data-prep/README.md must contain SynthPreset.markdownTable():\n"
            + SynthPreset.markdownTable());
  }

  /** An instance of radius {@code r} at rest at the centre of a 200 x 200 frame. */
  static InstanceTrack still(ShapeClass c, double r, double angle) {
    double[] x = {100, 100, 100};
    double[] y = {100, 100, 100};
    double[] a = {angle, angle, angle};
    double[] s = {1, 1, 1};
    return new InstanceTrack(c, new float[] {255, 0, 0}, r, x, y, a, s, InstanceTrack.Motion.STAY);
  }
}
