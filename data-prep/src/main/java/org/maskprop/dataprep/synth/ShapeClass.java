package org.maskprop.dataprep.synth;

import java.util.Locale;

/**
 * The object categories of SynthVIS. The category id in the JSON is {@code ordinal() + 1}; the name
 * is the lower-case constant name.
 *
 * <p>Each shape is defined in its own unit frame {@code (u, v)} and lies inside the unit disc, so an
 * instance of radius {@code R} covers at most the disc of radius {@code R} around its centre. Masks
 * are exact point-in-shape tests at pixel centres (no anti-aliasing).
 */
public enum ShapeClass {
  CIRCLE,
  SQUARE,
  TRIANGLE,
  STAR,
  ELLIPSE,
  CROSS,
  RING,
  HEXAGON;

  /** Half side of the square: its corners (0.7, 0.7) stay inside the unit disc. */
  private static final double SQUARE_HALF = 0.7;
  /** Minor semi-axis of the ellipse (major = 1). */
  private static final double ELLIPSE_MINOR = 0.5;
  /** Half width of the cross bars; bar half length 0.95 keeps the corners inside the unit disc. */
  private static final double CROSS_HALF_WIDTH = 0.3;
  private static final double CROSS_HALF_LENGTH = 0.95;
  /** Inner radius of the ring (outer = 1). */
  private static final double RING_INNER = 0.55;
  /** Inner radius of the five-pointed star (outer = 1). */
  private static final double STAR_INNER = 0.42;

  private static final double[] TRIANGLE_XY = regularPolygon(3, 1.0, 1.0);
  private static final double[] HEXAGON_XY = regularPolygon(6, 1.0, 1.0);
  private static final double[] STAR_XY = regularPolygon(10, 1.0, STAR_INNER);

  /** Category id in the YouTube-VIS JSON (1..K). */
  public int categoryId() {
    return ordinal() + 1;
  }

  /** Category name in the YouTube-VIS JSON. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the point {@code (u, v)} of the unit frame lies in the shape. */
  public boolean contains(double u, double v) {
    double r2 = u * u + v * v;
    if (r2 > 1.0) {
      return false;
    }
    return switch (this) {
      case CIRCLE -> true;
      case SQUARE -> Math.abs(u) <= SQUARE_HALF && Math.abs(v) <= SQUARE_HALF;
      case TRIANGLE -> inPolygon(TRIANGLE_XY, u, v);
      case STAR -> inPolygon(STAR_XY, u, v);
      case ELLIPSE -> u * u + v * v / (ELLIPSE_MINOR * ELLIPSE_MINOR) <= 1.0;
      case CROSS ->
          (Math.abs(u) <= CROSS_HALF_WIDTH && Math.abs(v) <= CROSS_HALF_LENGTH)
              || (Math.abs(v) <= CROSS_HALF_WIDTH && Math.abs(u) <= CROSS_HALF_LENGTH);
      case RING -> r2 >= RING_INNER * RING_INNER;
      case HEXAGON -> inPolygon(HEXAGON_XY, u, v);
    };
  }

  /** Looks a class up by its category id. */
  public static ShapeClass ofCategoryId(int id) {
    ShapeClass[] all = values();
    if (id < 1 || id > all.length) {
      throw new IllegalArgumentException("no SynthVIS category with id " + id);
    }
    return all[id - 1];
  }

  /** Vertices {x0, y0, x1, y1, ...}, alternating radii {@code r0, r1}, first vertex pointing up. */
  private static double[] regularPolygon(int n, double r0, double r1) {
    double[] xy = new double[2 * n];
    for (int k = 0; k < n; k++) {
      double a = -Math.PI / 2 + 2 * Math.PI * k / n;
      double r = k % 2 == 0 ? r0 : r1;
      xy[2 * k] = r * Math.cos(a);
      xy[2 * k + 1] = r * Math.sin(a);
    }
    return xy;
  }

  /** Even-odd crossing test; works for the non-convex star. */
  private static boolean inPolygon(double[] xy, double u, double v) {
    boolean inside = false;
    int n = xy.length / 2;
    for (int i = 0, j = n - 1; i < n; j = i++) {
      double xi = xy[2 * i];
      double yi = xy[2 * i + 1];
      double xj = xy[2 * j];
      double yj = xy[2 * j + 1];
      if ((yi > v) != (yj > v) && u < (xj - xi) * (v - yi) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }
}
