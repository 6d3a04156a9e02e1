package org.maskprop.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.knowm.xchart.internal.chartpart.Chart;
import org.maskprop.InputException;
import org.maskprop.tracking.ExperimentInfo;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.Metric;
import org.maskprop.util.AtomicFiles;

/**
 * The report of one tracked experiment, rebuilt from the MLflow file store at any time: the results
 * table (Markdown and HTML), optionally next to a paper table, and charts (training curves of runs
 * with multi-step metrics, the first metric per row, the clip-length curve when runs vary T').
 *
 * <p>Which runs: the children of {@code parentRunId} when given; else every run when
 * {@code allRuns}; else the children of the newest top-level run that has children (a grid or a
 * demo run), or every run if no run has children.
 */
public final class ExperimentReport {
  /** Row params tried in this order when none is given. */
  public static final List<String> ROW_PARAMS =
      List.of("row", "method", "backbone", Charts.CLIP_LENGTH_PARAM, "clipLength", "predictor");
  /** Param of a grid's parent run naming the paper result it reproduces ({@link PaperTables#forResult}). */
  public static final String REPRODUCES_PARAM = "grid.reproduces";
  /** Prefix of per-category AP metrics on child runs ({@code AP.<category name>}). */
  public static final String PER_CATEGORY_PREFIX = "AP.";
  /** At most this many rows in the per-category AP chart. */
  static final int MAX_PER_CATEGORY_ROWS = 12;
  /** At most this many training-curve charts (one per run). */
  static final int MAX_HISTORY_CHARTS = 20;

  /**
   * What to report.
   *
   * @param experiment MLflow experiment name
   * @param rowParam param labelling the rows; null: the first of {@link #ROW_PARAMS} the runs have
   * @param metrics metric keys of the columns
   * @param parentRunId take the children of this run (null: see the class comment)
   * @param allRuns take every run of the experiment
   * @param paperTable a paper table to set our rows beside, or null
   */
  public record Options(String experiment, String rowParam, List<String> metrics, String parentRunId,
      boolean allRuns, PaperTables.PaperTable paperTable) {
    public Options {
      metrics = List.copyOf(metrics);
      if (metrics.isEmpty()) {
        throw new InputException("report: --metrics is empty");
      }
    }

    public static Options of(String experiment) {
      return new Options(experiment, null, ResultTables.DEFAULT_METRICS, null, false, null);
    }
  }

  /** The outcome: the Markdown of the tables (what the CLI prints) and every file written. */
  public record Result(String tablesMarkdown, List<Path> files) {}

  private ExperimentReport() {}

  /** Builds the report into {@code out}: table.md, table.html and charts/*.png (and .svg). */
  public static Result write(FileStoreReader reader, Options opt, Path out) {
    List<ExperimentInfo> known = reader.experiments();
    if (known.isEmpty()) {
      throw new InputException(reader.root() + ": no MLflow experiments here (empty or missing file store);"
          + " run `maskprop demo` or `maskprop experiment` first, or pass --mlruns");
    }
    ExperimentInfo exp = reader.experimentByName(opt.experiment()).orElseThrow(() -> new InputException(
        reader.root() + ": no experiment '" + opt.experiment() + "'; known: "
            + String.join(", ", known.stream().map(ExperimentInfo::name).sorted().toList())));
    List<ReportRun> all = ReportRun.readAll(reader, exp.experimentId());
    if (all.isEmpty()) {
      throw new InputException(reader.root() + ": experiment '" + exp.name() + "' has no runs");
    }
    Selection sel = select(all, opt);
    String rowParam = opt.rowParam() != null ? opt.rowParam() : ROW_PARAMS.stream()
        .filter(p -> sel.runs().stream().anyMatch(r -> r.params().containsKey(p)))
        .findFirst().orElseThrow(() -> new InputException("experiment '" + exp.name() + "': none of the params "
            + ROW_PARAMS + " is set in " + sel.what() + "; pass --rows PARAM (params seen: " + paramsSeen(sel.runs()) + ")"));

    for (String m : opt.metrics()) {
      if (sel.runs().stream().noneMatch(r -> r.metrics().containsKey(m))) {
        Set<String> seen = new TreeSet<>();
        sel.runs().forEach(r -> seen.addAll(r.metrics().keySet()));
        throw new InputException("experiment '" + exp.name() + "': no run in " + sel.what() + " has metric " + m
            + " (metrics seen: " + (seen.isEmpty() ? "none" : String.join(", ", seen)) + ")");
      }
    }
    String title = "Experiment " + exp.name() + ": " + sel.what();
    ResultTable table = ResultTables.fromRuns(title, sel.runs(), rowParam, opt.metrics());
    if (table.table().rowCount() == 0) {
      throw new InputException("experiment '" + exp.name() + "': no run in " + sel.what() + " has param "
          + rowParam + " and any of the metrics " + opt.metrics() + " (params seen: " + paramsSeen(sel.runs()) + ")");
    }
    List<ResultTable> tables = new ArrayList<>();
    tables.add(table);
    // A grid's parent run says which paper table it reproduces; an explicit one wins.
    PaperTables.PaperTable paper = opt.paperTable() != null ? opt.paperTable()
        : sel.parent().map(p -> PaperTables.forResult(p.params().get(REPRODUCES_PARAM))).orElse(null);
    if (paper != null) {
      tables.add(ResultTables.paperComparison(table, paper, "ours, experiment " + exp.name()));
    }

    Path chartDir = out.resolve("charts");
    List<Path> files = new ArrayList<>();
    List<String> images = new ArrayList<>();
    Map<String, Chart<?, ?>> charts = charts(reader, sel, rowParam, opt.metrics().get(0), table);
    for (Map.Entry<String, Chart<?, ?>> c : charts.entrySet()) {
      List<Path> written = Charts.save(c.getValue(), chartDir, c.getKey());
      files.addAll(written);
      images.add("charts/" + c.getKey() + ".png");
    }

    StringBuilder tablesMd = new StringBuilder();
    for (ResultTable t : tables) {
      tablesMd.append(t.toMarkdown()).append('\n');
    }
    StringBuilder md = new StringBuilder();
    md.append("# ").append(ResultTable.Escape.markdown("Report: experiment " + exp.name())).append("\n\n")
        .append(ResultTable.Escape.markdown("Rebuilt from the MLflow file store " + reader.root()
            + " (experiment id " + exp.experimentId() + ")."))
        .append("\n\n").append(tablesMd);
    if (!images.isEmpty()) {
      md.append("## Charts\n\n");
      for (String img : images) {
        md.append("![").append(ResultTable.Escape.markdown(img)).append("](").append(img).append(")\n\n");
      }
    }
    Path mdFile = out.resolve("table.md");
    Path htmlFile = out.resolve("table.html");
    AtomicFiles.writeString(mdFile, md.toString());
    AtomicFiles.writeString(htmlFile, ResultTables.htmlPage("Report: experiment " + exp.name(), tables, images));
    List<Path> written = new ArrayList<>(List.of(mdFile, htmlFile));
    written.addAll(files);
    return new Result(tablesMd.toString(), written);
  }

  /** The runs a report covers and a phrase naming them. */
  record Selection(List<ReportRun> runs, String what, Optional<ReportRun> parent) {}

  static Selection select(List<ReportRun> all, Options opt) {
    if (opt.parentRunId() != null) {
      ReportRun parent = all.stream().filter(r -> r.runId().equals(opt.parentRunId())).findFirst()
          .orElseThrow(() -> new InputException("experiment '" + opt.experiment() + "': no run " + opt.parentRunId()));
      List<ReportRun> kids = all.stream().filter(r -> parent.runId().equals(r.parentRunId())).toList();
      if (kids.isEmpty()) {
        throw new InputException("experiment '" + opt.experiment() + "': run " + opt.parentRunId() + " has no child runs");
      }
      return new Selection(kids, "child runs of " + parent.name(), Optional.of(parent));
    }
    if (!opt.allRuns()) {
      Set<String> parents = new LinkedHashSet<>();
      all.forEach(r -> {
        if (r.parentRunId() != null) {
          parents.add(r.parentRunId());
        }
      });
      Optional<ReportRun> newest = all.stream()
          .filter(r -> r.parentRunId() == null && parents.contains(r.runId()))
          .max(Comparator.comparingLong((ReportRun r) -> r.info().startTime()).thenComparing(ReportRun::runId));
      if (newest.isPresent()) {
        ReportRun p = newest.get();
        return new Selection(all.stream().filter(r -> p.runId().equals(r.parentRunId())).toList(),
            "child runs of " + p.name() + " (run " + p.runId() + ")", newest);
      }
    }
    return new Selection(all, "all runs", Optional.empty());
  }

  private static Map<String, Chart<?, ?>> charts(FileStoreReader reader, Selection sel, String rowParam, String metric,
      ResultTable table) {
    Map<String, Chart<?, ?>> charts = new LinkedHashMap<>();
    // training curves: every metric of a run logged at more than one step
    List<ReportRun> withCurves = new ArrayList<>();
    sel.parent().ifPresent(withCurves::add);
    withCurves.addAll(sel.runs());
    int n = 0;
    for (ReportRun r : withCurves) {
      Map<String, List<Metric>> curves = new LinkedHashMap<>();
      for (String key : r.metrics().keySet()) {
        List<Metric> h = reader.metricHistory(r.runId(), key);
        if (h.stream().map(Metric::step).distinct().count() > 1 && h.stream().anyMatch(m -> Double.isFinite(m.value()))) {
          curves.put(key, h);
        }
      }
      if (!curves.isEmpty() && n < MAX_HISTORY_CHARTS) {
        charts.put("history-" + fileName(r.name()) + "-" + r.runId().substring(0, Math.min(8, r.runId().length())),
            Charts.metricHistory("Metric history: " + r.name(), curves));
        n++;
      }
    }
    // the first metric per row, as bars
    Map<String, Double> bars = new LinkedHashMap<>();
    String col = ResultTables.columnName(metric);
    for (int i = 0; i < table.table().rowCount(); i++) {
      double v = table.table().doubleColumn(col).getDouble(i);
      bars.put(table.table().column(0).getString(i), Double.isNaN(v) ? -1.0 : v / 100.0);
    }
    charts.put(fileName(metric + "-by-" + rowParam),
        Charts.bars(col + " by " + rowParam, rowParam, col + " (%)", bars));
    // Fig. 6 when runs vary the clip length
    Set<String> lengths = new TreeSet<>();
    sel.runs().forEach(r -> {
      if (r.params().containsKey(Charts.CLIP_LENGTH_PARAM) && r.metrics().containsKey(metric)) {
        lengths.add(r.params().get(Charts.CLIP_LENGTH_PARAM));
      }
    });
    if (lengths.size() > 1) {
      charts.put("clip-length", Charts.clipLengthCurve(col + " against clip length T' (Fig. 6)", sel.runs(), metric));
    }
    // AP per category, one series per row, when the runs logged it
    Map<String, Map<String, Double>> byRow = new LinkedHashMap<>();
    int rows = 0;
    for (ReportRun r : sel.runs()) {
      Map<String, Double> cats = new LinkedHashMap<>();
      r.metrics().forEach((k, v) -> {
        if (k.startsWith(PER_CATEGORY_PREFIX)) {
          cats.put(k.substring(PER_CATEGORY_PREFIX.length()), v);
        }
      });
      String label = r.params().get(rowParam);
      if (cats.isEmpty() || label == null) {
        continue;
      }
      if (++rows > MAX_PER_CATEGORY_ROWS) {
        break;
      }
      byRow.put(byRow.containsKey(label) ? label + " (" + r.name() + ")" : label, cats);
    }
    if (!byRow.isEmpty()) {
      String more = rows > MAX_PER_CATEGORY_ROWS ? " (first " + MAX_PER_CATEGORY_ROWS + " rows)" : "";
      charts.put("per-category-AP", Charts.perCategoryApByRow("AP per category by " + rowParam + more, byRow));
    }
    return charts;
  }

  private static String paramsSeen(List<ReportRun> runs) {
    Set<String> keys = new TreeSet<>();
    runs.forEach(r -> keys.addAll(r.params().keySet()));
    return keys.isEmpty() ? "none" : String.join(", ", keys);
  }

  static String fileName(String s) {
    String f = s.replaceAll("[^A-Za-z0-9._-]+", "_");
    return f.isEmpty() ? "_" : f;
  }
}
