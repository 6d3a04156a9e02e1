package org.maskprop.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's published numbers (Tables 2, 3 and 4 of MaskProp, CVPR 2020, YouTube-VIS 2019 val,
 * from the official server), as restored in {@code paper/NOTES.md}. All are tagged [P]: printed in
 * the paper's text. Values are percentages, as printed.
 */
public final class PaperTables {
  /** NOTES.md's tag for numbers present in the paper's text. */
  public static final String SOURCE_TAG = "[P]";

  private PaperTables() {}

  /** One published table: its number, its row label (what varies) and rows of metric -> percent. */
  public record PaperTable(String name, String title, String rowLabel, List<String> metrics, List<Row> rows) {
    public PaperTable {
      metrics = List.copyOf(metrics);
      rows = List.copyOf(rows);
    }
  }

  /** One row: a method or backbone and its numbers keyed by our metric names (AP, AP75, AR1, AR10). */
  public record Row(String label, Map<String, Double> values) {
    public Row {
      values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
  }

  private static final List<String> FOUR = List.of("AP", "AP75", "AR1", "AR10");
  private static final List<String> TWO = List.of("AP", "AP75");

  /** Table 2: comparison with the state of the art (mAP, AP75, AR1, AR10). */
  public static final PaperTable TABLE_2 = new PaperTable("Table 2",
      "Video instance segmentation on YouTube-VIS 2019 val", "method", FOUR, List.of(
          row4("DeepSORT", 26.1, 26.1, 27.8, 31.3),
          row4("FEELVOS", 26.9, 29.7, 29.9, 33.4),
          row4("OSMN", 27.5, 29.1, 28.6, 33.1),
          row4("MaskTrack R-CNN", 30.3, 32.6, 31.0, 35.5),
          row4("MaskTrack R-CNN* (MaskProp's backbone/detector)", 36.9, 40.2, 34.3, 42.9),
          row4("EnsembleVIS (+Instagram, OpenImages)", 44.8, 48.9, 42.7, 51.7),
          row4("MaskProp", 46.6, 51.2, 44.0, 52.6),
          row4("MaskProp + OpenImages", 50.0, 55.9, 44.6, 54.5)));

  /** Table 3: the propagation mechanism (mAP, AP75). */
  public static final PaperTable TABLE_3 = new PaperTable("Table 3",
      "Propagation mechanism, YouTube-VIS 2019 val", "method", TWO, List.of(
          row2("FlowNet2 propagation", 31.4, 33.6),
          row2("MaskTrack R-CNN*", 36.9, 40.2),
          row2("MaskProp", 46.6, 51.2)));

  /** Table 4: the backbone providing the frame-level masks (mAP, AP75). */
  public static final PaperTable TABLE_4 = new PaperTable("Table 4",
      "Backbone providing the frame-level masks, YouTube-VIS 2019 val", "backbone", TWO, List.of(
          row2("ResNet-50", 40.0, 42.9),
          row2("ResNet-101", 42.5, 45.6),
          row2("ResNeXt-101-64x4d", 44.3, 48.3),
          row2("STSN-ResNeXt-101-64x4d", 46.6, 51.2)));

  public static List<PaperTable> all() {
    return List.of(TABLE_2, TABLE_3, TABLE_4);
  }

  /**
   * The table a grid's result stands beside, by the grid's {@code reproduces} label (param {@code
   * grid.reproduces} of a grid's parent run): {@code table2}, {@code table3}, {@code table4}; null for
   * any other (the paper prints no table for Fig. 6, the ablations or our own grids).
   */
  public static PaperTable forResult(String reproduces) {
    if (reproduces == null) {
      return null;
    }
    return switch (reproduces) {
      case "table2" -> TABLE_2;
      case "table3" -> TABLE_3;
      case "table4" -> TABLE_4;
      default -> null;
    };
  }

  private static Row row4(String label, double ap, double ap75, double ar1, double ar10) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("AP", ap);
    m.put("AP75", ap75);
    m.put("AR1", ar1);
    m.put("AR10", ar10);
    return new Row(label, m);
  }

  private static Row row2(String label, double ap, double ap75) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("AP", ap);
    m.put("AP75", ap75);
    return new Row(label, m);
  }
}
