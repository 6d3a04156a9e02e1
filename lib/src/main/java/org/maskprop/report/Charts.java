package org.maskprop.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.maskprop.tracking.Metric;
import org.maskprop.util.AtomicFiles;

/**
 * XChart charts of tracked runs: training curves (metric histories against step), the clip-length
 * curve of Fig. 6 (AP against T') and bar charts (AP per category or per run). Saved as PNG, and as
 * SVG when XChart's optional VectorGraphics2D library is on the class path; {@link #image} gives a
 * {@link BufferedImage} for notebooks. Rendering is headless.
 */
public final class Charts {
  public static final int WIDTH = 800;
  public static final int HEIGHT = 500;
  /** The class XChart's SVG export needs (Maven {@code de.erichseifert.vectorgraphics2d:VectorGraphics2D:0.13}). */
  static final String SVG_LIBRARY_CLASS = "de.erichseifert.vectorgraphics2d.VectorGraphics2D";
  /** The param of a run that holds its clip length T' (Fig. 6). */
  public static final String CLIP_LENGTH_PARAM = "infer.clipLength";

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Charts() {}

  /**
   * Training curves: one line per metric key, value against step, points in step order. NaN and
   * infinite values (a diverged step) are left out of the line.
   */
  public static XYChart metricHistory(String title, Map<String, List<Metric>> histories) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("step").yAxisTitle("value").build();
    chart.getStyler().setMarkerSize(4);
    int series = 0;
    for (Map.Entry<String, List<Metric>> e : histories.entrySet()) {
      List<Metric> pts = new ArrayList<>(e.getValue().stream().filter(m -> Double.isFinite(m.value())).toList());
      pts.sort(Comparator.comparingLong(Metric::step).thenComparingLong(Metric::timestamp));
      if (pts.isEmpty()) {
        continue;
      }
      double[] x = pts.stream().mapToDouble(Metric::step).toArray();
      double[] y = pts.stream().mapToDouble(Metric::value).toArray();
      chart.addSeries(e.getKey(), x, y).setMarker(pts.size() > 50 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
      series++;
    }
    if (series == 0) {
      throw new IllegalArgumentException("chart '" + title + "': no finite metric values to plot");
    }
    return chart;
  }

  /**
   * Fig. 6: a metric (in percent) against the clip length T' of each run (param
   * {@value #CLIP_LENGTH_PARAM}), ascending in T'. Runs without that param or metric are skipped.
   */
  public static XYChart clipLengthCurve(String title, List<ReportRun> runs, String metric) {
    List<double[]> pts = new ArrayList<>();
    for (ReportRun r : runs) {
      String t = r.params().get(CLIP_LENGTH_PARAM);
      Double v = r.metrics().get(metric);
      if (t != null && v != null && Double.isFinite(v) && v >= 0) {
        try {
          pts.add(new double[] {Double.parseDouble(t.strip()), 100.0 * v});
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("run " + r.runId() + ": param " + CLIP_LENGTH_PARAM + "='" + t + "' is not a number");
        }
      }
    }
    if (pts.isEmpty()) {
      throw new IllegalArgumentException("chart '" + title + "': no run has param " + CLIP_LENGTH_PARAM + " and metric " + metric);
    }
    pts.sort(Comparator.comparingDouble(p -> p[0]));
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("clip length T'").yAxisTitle(ResultTables.columnName(metric) + " (%)").build();
    chart.getStyler().setLegendVisible(false);
    chart.addSeries(ResultTables.columnName(metric),
        pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray())
        .setMarker(SeriesMarkers.CIRCLE);
    return chart;
  }

  /** AP per category, in percent (input: category name -> AP as a fraction), in map order. */
  public static CategoryChart perCategoryAp(String title, Map<String, Double> apByCategory) {
    return bars(title, "category", "AP (%)", apByCategory);
  }

  /**
   * AP per category for several rows (runs): one bar group per category, one series per row
   * (input: row -> category name -> AP as a fraction; categories in first-seen order, a category a
   * row lacks shows as 0).
   */
  public static CategoryChart perCategoryApByRow(String title, Map<String, Map<String, Double>> byRow) {
    if (byRow.isEmpty()) {
      throw new IllegalArgumentException("chart '" + title + "': no rows");
    }
    List<String> categories = new ArrayList<>();
    byRow.values().forEach(m -> m.keySet().forEach(c -> {
      if (!categories.contains(c)) {
        categories.add(c);
      }
    }));
    if (categories.isEmpty()) {
      throw new IllegalArgumentException("chart '" + title + "': no categories");
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("category").yAxisTitle("AP (%)").build();
    chart.getStyler().setLegendVisible(byRow.size() > 1);
    chart.getStyler().setXAxisLabelRotation(categories.size() > 6 ? 45 : 0);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(100.0);
    for (Map.Entry<String, Map<String, Double>> e : byRow.entrySet()) {
      List<Double> ys = categories.stream().map(c -> {
        Double v = e.getValue().get(c);
        return v == null || !(v >= 0) ? 0.0 : 100.0 * v;
      }).toList();
      chart.addSeries(e.getKey(), categories, ys);
    }
    return chart;
  }

  /** One bar per entry, values as fractions shown in percent; negative values (-1: undefined) show as 0. */
  public static CategoryChart bars(String title, String xTitle, String yTitle, Map<String, Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("chart '" + title + "': no values");
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(values.size() > 6 ? 45 : 0);
    List<String> names = new ArrayList<>(values.keySet());
    List<Double> ys = names.stream().map(k -> values.get(k) == null || !(values.get(k) >= 0) ? 0.0 : 100.0 * values.get(k)).toList();
    chart.addSeries(yTitle, names, ys);
    // percentages: a fixed 0..100 axis keeps charts comparable (and all-zero bars drawable)
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(Math.max(100.0, ys.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
    return chart;
  }

  /** The chart drawn into an image (for notebooks: {@code display(Charts.image(chart))}). */
  public static BufferedImage image(Chart<?, ?> chart) {
    return BitmapEncoder.getBufferedImage(chart);
  }

  /** Writes the chart as PNG at {@code file} (atomically). */
  public static void savePng(Chart<?, ?> chart, Path file) {
    BufferedImage img = image(chart);
    AtomicFiles.write(file, out -> {
      if (!ImageIO.write(img, "png", out)) {
        throw new IOException("no PNG writer");
      }
    });
  }

  /** True when XChart can write SVG (its optional VectorGraphics2D dependency is present). */
  public static boolean svgSupported() {
    try {
      Class.forName(SVG_LIBRARY_CLASS, false, Charts.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * Writes the chart as SVG at {@code file} (atomically).
   *
   * @throws UnsupportedOperationException when VectorGraphics2D is not on the class path
   */
  public static void saveSvg(Chart<?, ?> chart, Path file) {
    if (!svgSupported()) {
      throw new UnsupportedOperationException("SVG export needs XChart's optional dependency"
          + " de.erichseifert.vectorgraphics2d:VectorGraphics2D:0.13, which is not on the class path");
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      VectorGraphicsEncoder.saveVectorGraphic(chart, buf, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render SVG for " + file + ": " + e.getMessage(), e);
    }
    AtomicFiles.writeBytes(file, buf.toByteArray());
  }

  /**
   * Writes {@code dir/name.png}, and {@code dir/name.svg} when SVG is supported; returns the files
   * written.
   */
  public static List<Path> save(Chart<?, ?> chart, Path dir, String name) {
    List<Path> out = new ArrayList<>();
    Path png = dir.resolve(name + ".png");
    savePng(chart, png);
    out.add(png);
    if (svgSupported()) {
      Path svg = dir.resolve(name + ".svg");
      saveSvg(chart, svg);
      out.add(svg);
    }
    return out;
  }
}
