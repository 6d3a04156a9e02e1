package org.maskprop.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.Metric;
import org.maskprop.tracking.RunSpec;

class ChartsTest {
  @TempDir Path dir;

  @Test
  void trainingCurvesFromAMetricHistorySaveAsPng() throws Exception {
    Path store = dir.resolve("mlruns");
    String parent = ReportStores.backboneStore(store);
    FileStoreReader reader = new FileStoreReader(store);
    Map<String, List<Metric>> h = new LinkedHashMap<>();
    h.put("loss_total", reader.metricHistory(parent, "loss_total"));
    h.put("loss_prop", reader.metricHistory(parent, "loss_prop"));
    XYChart chart = Charts.metricHistory("losses", h);
    // the NaN at step 5 is left out of the line
    assertArrayEquals(new double[] {0, 1, 2, 3, 4}, chart.getSeries("loss_total").getXData());
    assertArrayEquals(new double[] {2.0, 1.0, 2.0 / 3, 0.5, 0.4}, chart.getSeries("loss_total").getYData(), 1e-12);

    List<Path> files = Charts.save(chart, dir.resolve("charts"), "losses");
    Path png = dir.resolve("charts/losses.png");
    assertEquals(png, files.get(0));
    BufferedImage img = ImageIO.read(png.toFile());
    assertNotNull(img, "PNG decodes");
    assertEquals(Charts.WIDTH, img.getWidth());
    assertEquals(Charts.HEIGHT, img.getHeight());
    BufferedImage direct = Charts.image(chart);
    assertEquals(Charts.WIDTH, direct.getWidth());
    assertEquals(Charts.HEIGHT, direct.getHeight());
  }

  @Test
  void svgIsWrittenAsXmlBesideThePng() throws Exception {
    assertTrue(Charts.svgSupported(), "VectorGraphics2D is a dependency of lib");
    CategoryChart chart = Charts.perCategoryAp("AP per category", Map.of("circle", 0.5, "square", 0.25));
    Path svg = dir.resolve("bars.svg");
    Charts.saveSvg(chart, svg);
    var factory = DocumentBuilderFactory.newInstance();
    // The SVG's DOCTYPE names the W3C DTD; parse without fetching it (no network here).
    factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    var root = factory.newDocumentBuilder().parse(svg.toFile()).getDocumentElement();
    assertEquals("svg", root.getTagName());
    assertTrue(root.getElementsByTagName("*").getLength() > 10, "chart elements");
    assertEquals(2, Charts.save(chart, dir, "bars2").size(), "PNG and SVG");
  }

  @Test
  void barsAreInPercentInMapOrder() {
    Map<String, Double> ap = new LinkedHashMap<>();
    ap.put("square", 0.25);
    ap.put("circle", 0.5);
    ap.put("star", -1.0);
    CategoryChart chart = Charts.perCategoryAp("AP", ap);
    var s = chart.getSeriesCollection().iterator().next();
    assertEquals(List.of("square", "circle", "star"), List.copyOf(s.getXData()));
    assertArrayEquals(new double[] {25.0, 50.0, 0.0}, s.getYData(), 1e-12);
  }

  @Test
  void perCategoryApByRowHasOneSeriesPerRowOverTheUnionOfCategories() {
    Map<String, Map<String, Double>> byRow = new LinkedHashMap<>();
    byRow.put("maskprop", new LinkedHashMap<>(Map.of("square", 0.5)));
    byRow.get("maskprop").put("circle", 0.25);
    byRow.put("iou-linking", Map.of("star", 0.1));
    CategoryChart chart = Charts.perCategoryApByRow("AP per category", byRow);
    var series = List.copyOf(chart.getSeriesCollection());
    assertEquals(List.of("maskprop", "iou-linking"), series.stream().map(x -> x.getName()).toList());
    assertEquals(List.of("square", "circle", "star"), List.copyOf(series.get(0).getXData()));
    assertArrayEquals(new double[] {50.0, 25.0, 0.0}, series.get(0).getYData(), 1e-12);
    assertArrayEquals(new double[] {0.0, 0.0, 10.0}, series.get(1).getYData(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Charts.perCategoryApByRow("x", Map.of()));
  }

  @Test
  void clipLengthCurveIsSortedByClipLength() {
    try (FileStoreTracker t = new FileStoreTracker(dir, Optional.empty())) {
      String p = t.startRun(RunSpec.of("exp", "fig6"));
      ReportStores.child(t, p, "T13", Map.of("infer.clipLength", "13"), ReportStores.metrics(0.46, 0, 0, 0));
      ReportStores.child(t, p, "T1", Map.of("infer.clipLength", "1"), ReportStores.metrics(0.30, 0, 0, 0));
      ReportStores.child(t, p, "T7", Map.of("infer.clipLength", "7"), ReportStores.metrics(0.41, 0, 0, 0));
    }
    XYChart c = Charts.clipLengthCurve("Fig. 6", ReportStores.runs(dir, "exp"), "AP");
    var s = c.getSeriesCollection().iterator().next();
    assertArrayEquals(new double[] {1, 7, 13}, s.getXData());
    assertArrayEquals(new double[] {30, 41, 46}, s.getYData(), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> Charts.clipLengthCurve("x", ReportStores.runs(dir, "exp"), "AR100"));
  }
}
