package org.maskprop.dataprep.ytvis;

import java.io.StringWriter;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Category;
import org.maskprop.data.YtvisDataset.Video;
import org.maskprop.util.AtomicFiles;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;
import tech.tablesaw.io.csv.CsvWriteOptions;

/**
 * Per-split statistics as one Tablesaw table: a {@code statistic} column and one number column per
 * split. Rows, in order:
 *
 * <ul>
 *   <li>{@code videos}, {@code frames}, frames per video (min, mean, max);
 *   <li>{@code annotations} (instance tracks), {@code crowd annotations}, instances per video
 *       (mean, max), {@code masks} (frames with a non-null segmentation, summed over tracks);
 *   <li>track length = frames with a non-null segmentation (min, median, mean, max);
 *   <li>track area = mean of the non-null, non-zero {@code areas} (0 if none), the area the official
 *       evaluator ranks tracks by: p10, median, p90, and tracks per evaluator area range ({@code
 *       small} <= 128^2, {@code medium} <= 256^2, {@code large} above; the evaluator's ranges share
 *       their bounds, a track counts in the first one it fits);
 *   <li>{@code categories present}, then {@code instances: <category>} for every category of any
 *       split (by id, named as in the first split that has it).
 * </ul>
 *
 * Quantiles interpolate linearly between order statistics (numpy's default). Statistics over an
 * empty set (a split without GT) are missing: {@code -} in text and Markdown, empty in CSV.
 */
public final class DatasetStats {
  /** Upper bounds of the evaluator's small and medium area ranges (YtvisEvaluator.AREA_RNG). */
  static final double SMALL = 128 * 128;
  static final double MEDIUM = 256 * 256;

  private static final String STAT = "statistic";

  private DatasetStats() {}

  /** The statistics of each named split, one column per entry, in map order. */
  public static Table table(Map<String, YtvisDataset> splits) {
    Map<String, double[]> cols = new LinkedHashMap<>();
    List<String> rows = null;
    Map<Integer, String> categoryNames = new LinkedHashMap<>();
    for (YtvisDataset d : splits.values()) {
      for (Category c : d.categories()) {
        categoryNames.putIfAbsent(c.id(), c.name());
      }
    }
    List<Integer> catIds = new ArrayList<>(categoryNames.keySet());
    catIds.sort(null);
    for (Map.Entry<String, YtvisDataset> e : splits.entrySet()) {
      Map<String, Double> stats = stats(e.getValue(), catIds, categoryNames);
      if (rows == null) {
        rows = new ArrayList<>(stats.keySet());
      }
      cols.put(e.getKey(), stats.values().stream().mapToDouble(Double::doubleValue).toArray());
    }
    Table t = Table.create("per-split statistics");
    t.addColumns(StringColumn.create(STAT, rows == null ? List.of() : rows));
    DecimalFormat f = new DecimalFormat("0.##", DecimalFormatSymbols.getInstance(Locale.ROOT));
    for (Map.Entry<String, double[]> c : cols.entrySet()) {
      DoubleColumn col = DoubleColumn.create(c.getKey(), c.getValue());
      col.setPrintFormatter(new NumberColumnFormatter(f, "-"));
      t.addColumns(col);
    }
    return t;
  }

  /** One split's statistics in row order. */
  static Map<String, Double> stats(
      YtvisDataset d, List<Integer> catIds, Map<Integer, String> categoryNames) {
    Map<String, Double> s = new LinkedHashMap<>();
    double[] videoFrames = d.videos().stream().mapToDouble(Video::length).toArray();
    s.put("videos", (double) d.videos().size());
    s.put("frames", Arrays.stream(videoFrames).sum());
    s.put("frames per video: min", min(videoFrames));
    s.put("frames per video: mean", mean(videoFrames));
    s.put("frames per video: max", max(videoFrames));

    int n = d.annotations().size();
    double[] perVideo = d.videos().stream().mapToDouble(v -> d.annotationsOf(v.id()).size()).toArray();
    double[] length = new double[n];
    double[] area = new double[n];
    int crowd = 0;
    int[] ranges = new int[3];
    Map<Integer, Integer> perCategory = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      Annotation a = d.annotations().get(i);
      crowd += a.iscrowd();
      length[i] = a.segmentations().stream().filter(r -> r != null).count();
      double[] nonZero = a.areas().stream().filter(x -> x != null && x != 0.0)
          .mapToDouble(Double::doubleValue).toArray();
      area[i] = nonZero.length == 0 ? 0 : mean(nonZero);
      ranges[area[i] <= SMALL ? 0 : area[i] <= MEDIUM ? 1 : 2]++;
      perCategory.merge(a.categoryId(), 1, Integer::sum);
    }
    s.put("annotations", (double) n);
    s.put("crowd annotations", (double) crowd);
    s.put("instances per video: mean", mean(perVideo));
    s.put("instances per video: max", max(perVideo));
    s.put("masks", Arrays.stream(length).sum());
    Arrays.sort(length);
    s.put("track length: min", min(length));
    s.put("track length: median", quantile(length, 0.5));
    s.put("track length: mean", mean(length));
    s.put("track length: max", max(length));
    Arrays.sort(area);
    s.put("track area: p10", quantile(area, 0.1));
    s.put("track area: median", quantile(area, 0.5));
    s.put("track area: p90", quantile(area, 0.9));
    s.put("tracks small (area <= 128^2)", (double) ranges[0]);
    s.put("tracks medium (area <= 256^2)", (double) ranges[1]);
    s.put("tracks large (area > 256^2)", (double) ranges[2]);
    s.put("categories present", (double) perCategory.size());
    for (int id : catIds) {
      s.put("instances: " + categoryNames.get(id), (double) perCategory.getOrDefault(id, 0));
    }
    return s;
  }

  /** Linear interpolation between order statistics of sorted {@code x}; NaN when empty. */
  static double quantile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  private static double mean(double[] x) {
    return x.length == 0 ? Double.NaN : Arrays.stream(x).sum() / x.length;
  }

  private static double min(double[] x) {
    return x.length == 0 ? Double.NaN : Arrays.stream(x).min().getAsDouble();
  }

  private static double max(double[] x) {
    return x.length == 0 ? Double.NaN : Arrays.stream(x).max().getAsDouble();
  }

  // ---------------------------------------------------------------- rendering

  /** Tablesaw's text rendering of every row. */
  public static String toText(Table t) {
    return t.printAll();
  }

  /** A GitHub Markdown table (numbers as in the text rendering). */
  public static String toMarkdown(Table t) {
    StringBuilder sb = new StringBuilder();
    sb.append('|');
    for (String name : t.columnNames()) {
      sb.append(' ').append(name).append(" |");
    }
    sb.append("\n|---|");
    sb.append("---:|".repeat(t.columnCount() - 1)).append('\n');
    for (int r = 0; r < t.rowCount(); r++) {
      sb.append('|');
      for (int c = 0; c < t.columnCount(); c++) {
        sb.append(' ').append(t.column(c).getString(r)).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** CSV with unformatted numbers (full precision); missing values are empty. */
  public static String toCsv(Table t) {
    StringWriter w = new StringWriter();
    t.write().csv(CsvWriteOptions.builder(w).lineEnd("\n").build());
    return w.toString();
  }

  /** Writes {@code file} atomically as Markdown ({@code .md}) or CSV ({@code .csv}). */
  public static void write(Table t, Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".md")) {
      AtomicFiles.writeString(file, "# " + t.name() + "\n\n" + toMarkdown(t));
    } else if (name.endsWith(".csv")) {
      AtomicFiles.writeString(file, toCsv(t));
    } else {
      throw new InputException("--out " + file + ": expected a .md or .csv file name");
    }
  }
}
