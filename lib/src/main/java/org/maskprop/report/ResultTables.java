package org.maskprop.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maskprop.config.StandIns;
import org.maskprop.report.PaperTables.PaperTable;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Results tables in the paper's layout (DESIGN.md section 7): one row per run labelled by one of its
 * params (method, backbone, clip length, predictor), metric columns mAP (= the {@code AP} metric),
 * AP75, AR1, AR10 as percentages with one decimal, as in Tables 2-4. Built from runs read back
 * from the tracking store, never from memory, so a report can be rebuilt later.
 */
public final class ResultTables {
  /** The paper's columns: mAP, AP75, AR1, AR10 (Table 2). */
  public static final List<String> DEFAULT_METRICS = List.of("AP", "AP75", "AR1", "AR10");

  /** Says how numbers are shown; first caption line of every table. */
  public static final String UNITS_NOTE =
      "Numbers are percentages with one decimal, as in the paper; mAP is the AP metric"
          + " (video AP averaged over IoU 0.50:0.95). n/a: not logged, or -1 from the evaluator.";

  /** Second caption line of a paper comparison. */
  public static final String NOT_COMPARABLE_NOTE =
      "SynthVIS numbers are not comparable to YouTube-VIS: other videos, classes, scale and training"
          + " budget; the rows sit side by side only to show the same layout.";

  private ResultTables() {}

  /** The column header of a metric key: the paper calls AP "mAP"; other keys keep their name. */
  public static String columnName(String metricKey) {
    return "AP".equals(metricKey) ? "mAP" : metricKey;
  }

  /**
   * One row per run that has {@code rowParam} and at least one of {@code metrics}. Rows are in run
   * order, or ascending when every label is a number (clip lengths). Two runs with the same label
   * are both kept, told apart by their run ids. Metric values are multiplied by 100; negative
   * values (the evaluator's -1) become n/a.
   */
  public static ResultTable fromRuns(String title, List<ReportRun> runs, String rowParam, List<String> metrics) {
    if (metrics.isEmpty()) {
      throw new IllegalArgumentException("a results table needs at least one metric");
    }
    List<ReportRun> rows = new ArrayList<>();
    List<String> withoutParam = new ArrayList<>();
    for (ReportRun r : runs) {
      boolean hasMetric = metrics.stream().anyMatch(r.metrics()::containsKey);
      if (!hasMetric) {
        continue; // a parent run, or a run of another kind
      }
      if (r.params().containsKey(rowParam)) {
        rows.add(r);
      } else {
        withoutParam.add(r.name());
      }
    }
    if (rows.stream().allMatch(r -> isNumber(r.params().get(rowParam)))) {
      rows.sort(Comparator.comparingDouble(r -> Double.parseDouble(r.params().get(rowParam).strip())));
    }
    Map<String, Integer> labelCount = new HashMap<>();
    rows.forEach(r -> labelCount.merge(r.params().get(rowParam), 1, Integer::sum));

    StringColumn label = StringColumn.create(rowParam);
    List<DoubleColumn> cols = new ArrayList<>();
    for (String m : metrics) {
      cols.add(DoubleColumn.create(columnName(m)));
    }
    for (ReportRun r : rows) {
      String l = r.params().get(rowParam);
      label.append(labelCount.get(l) > 1 ? l + " (run " + shortId(r.runId()) + ")" : l);
      for (int i = 0; i < metrics.size(); i++) {
        Double v = r.metrics().get(metrics.get(i));
        cols.get(i).append(v == null || v < 0 || v.isNaN() ? Double.NaN : 100.0 * v);
      }
    }
    Table t = Table.create(title).addColumns(label);
    cols.forEach(t::addColumns);

    List<String> caption = new ArrayList<>();
    caption.add(UNITS_NOTE);
    caption.add(standInNote(rows));
    if (!withoutParam.isEmpty()) {
      caption.add("Left out (no param " + rowParam + "): " + String.join(", ", withoutParam) + ".");
    }
    return new ResultTable(title, t, caption);
  }

  /**
   * The caption line naming the stand-in config values ({@link StandIns#KEYS}: [U] and [R?], not
   * the paper's numbers) that these runs recorded as params, with their values.
   */
  public static String standInNote(List<ReportRun> runs) {
    Map<String, Set<String>> found = new LinkedHashMap<>();
    for (String key : StandIns.KEYS.keySet()) {
      for (ReportRun r : runs) {
        String v = r.params().get(key);
        if (v != null) {
          found.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(v);
        }
      }
    }
    if (found.isEmpty()) {
      return "Stand-ins: none of the stand-in config keys (StandIns.KEYS) is among these runs' params.";
    }
    List<String> parts = new ArrayList<>();
    found.forEach((k, vs) -> parts.add(k + "=" + String.join("/", vs) + " " + StandIns.KEYS.get(k).split(" ", 2)[0]));
    return "Stand-in config values (not the paper's): " + String.join(", ", parts) + ".";
  }

  /** A published table alone, with its source tag in the caption. */
  public static ResultTable paper(PaperTable paper) {
    StringColumn label = StringColumn.create(paper.rowLabel());
    List<DoubleColumn> cols = new ArrayList<>();
    for (String m : paper.metrics()) {
      cols.add(DoubleColumn.create(columnName(m)));
    }
    for (PaperTables.Row row : paper.rows()) {
      label.append(row.label());
      for (int i = 0; i < paper.metrics().size(); i++) {
        cols.get(i).append(row.values().get(paper.metrics().get(i)));
      }
    }
    Table t = Table.create(paper.name()).addColumns(label);
    cols.forEach(t::addColumns);
    return new ResultTable(paper.name() + " " + PaperTables.SOURCE_TAG + ": " + paper.title(), t,
        List.of(UNITS_NOTE, PaperTables.SOURCE_TAG + ": printed in the paper (paper/NOTES.md)."));
  }

  /**
   * Our rows under the paper's, in the paper's columns (a column we lack shows n/a). The caption
   * says that the two are not comparable and where the paper's numbers come from.
   *
   * @param ours a table from {@link #fromRuns}: first column the row label, then metric columns
   * @param ourSource what our rows are (e.g. "ours, SynthVIS occlusion valid")
   */
  public static ResultTable paperComparison(ResultTable ours, PaperTable paper, String ourSource) {
    String paperSource = "paper " + PaperTables.SOURCE_TAG + ", YouTube-VIS 2019 val";
    StringColumn source = StringColumn.create("source");
    StringColumn label = StringColumn.create(paper.rowLabel());
    List<DoubleColumn> cols = new ArrayList<>();
    for (String m : paper.metrics()) {
      cols.add(DoubleColumn.create(columnName(m)));
    }
    for (PaperTables.Row row : paper.rows()) {
      source.append(paperSource);
      label.append(row.label());
      for (int i = 0; i < paper.metrics().size(); i++) {
        cols.get(i).append(row.values().get(paper.metrics().get(i)));
      }
    }
    Table o = ours.table();
    for (int r = 0; r < o.rowCount(); r++) {
      source.append(ourSource);
      label.append(o.column(0).getString(r));
      for (int i = 0; i < paper.metrics().size(); i++) {
        String name = columnName(paper.metrics().get(i));
        cols.get(i).append(o.columnNames().contains(name) ? o.doubleColumn(name).getDouble(r) : Double.NaN);
      }
    }
    Table t = Table.create(paper.name() + " comparison").addColumns(source, label);
    cols.forEach(t::addColumns);
    List<String> caption = new ArrayList<>();
    caption.add(UNITS_NOTE);
    caption.add(NOT_COMPARABLE_NOTE);
    caption.add(PaperTables.SOURCE_TAG + ": printed in the paper (" + paper.name() + ", paper/NOTES.md).");
    caption.addAll(ours.caption().stream().filter(l -> !l.equals(UNITS_NOTE)).toList());
    return new ResultTable(paper.name() + " layout: " + paper.title() + ", next to ours", t, caption);
  }

  /** A standalone HTML page with the tables and images (paths relative to the page). */
  public static String htmlPage(String title, List<ResultTable> tables, List<String> images) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(ResultTable.Escape.html(title)).append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}")
        .append("caption{font-weight:bold;text-align:left;padding:.3em 0}")
        .append("th,td{border-bottom:1px solid #ccc;padding:.25em .6em}.num{text-align:right}")
        .append(".notes{font-size:90%;color:#444}img{max-width:100%}\n</style>\n</head>\n<body>\n<h1>")
        .append(ResultTable.Escape.html(title)).append("</h1>\n");
    for (ResultTable t : tables) {
      sb.append(t.toHtml());
    }
    for (String img : images) {
      sb.append("<p><img src=\"").append(ResultTable.Escape.html(img)).append("\" alt=\"")
          .append(ResultTable.Escape.html(img)).append("\"></p>\n");
    }
    sb.append("</body>\n</html>\n");
    return sb.toString();
  }

  private static boolean isNumber(String s) {
    if (s == null) {
      return false;
    }
    try {
      Double.parseDouble(s.strip());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String shortId(String runId) {
    return runId.length() > 8 ? runId.substring(0, 8) : runId;
  }
}
