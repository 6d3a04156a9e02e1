package org.maskprop.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maskprop.InputException;
import org.maskprop.report.ExperimentReport;
import org.maskprop.report.PaperTables;
import org.maskprop.report.ResultTables;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.Trackers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskprop report}: tables and charts of a tracked experiment, rebuilt from the MLflow file store. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Tables (Markdown, HTML) and charts (PNG) of an MLflow experiment, read from the file store,",
      "so a report can be rebuilt at any time. Writes DIR/table.md, DIR/table.html, DIR/charts/",
      "(training curves, the first metric per row, Fig. 6's clip-length curve when T' varies, AP per",
      "category); prints the Markdown tables. Numbers are percentages with one decimal, as in the paper."
    })
final class ReportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--experiment", required = true, description = "MLflow experiment name (as logged by experiment/demo).")
  String experiment;

  @Option(names = "--mlruns", description = "MLflow file store (default: MLFLOW_TRACKING_URI if it is a file store, else ./mlruns).")
  Path mlruns;

  @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "report-out")
  Path out;

  @Option(names = "--rows", description = "Param labelling the rows (default: the first of row (grid runs), method,"
      + " backbone, infer.clipLength, clipLength, predictor that the runs have).")
  String rows;

  @Option(names = "--metrics", split = ",", description = "Metric columns (default: AP,AP75,AR1,AR10; AP shows as mAP).")
  List<String> metrics;

  @Option(names = "--parent", description = "Report the child runs of this run id (default: the newest run with children).")
  String parent;

  @Option(names = "--all-runs", description = "Report every run of the experiment.")
  boolean allRuns;

  @Option(names = "--paper", description = "Also set our rows beside the paper's table 2, 3 or 4 (default: the"
      + " table the grid reproduces, from its parent run's grid.reproduces param).")
  Integer paper;

  @Override
  public Integer call() {
    Path root = mlruns != null ? mlruns : defaultStore();
    PaperTables.PaperTable paperTable = paper == null ? null : switch (paper) {
      case 2 -> PaperTables.TABLE_2;
      case 3 -> PaperTables.TABLE_3;
      case 4 -> PaperTables.TABLE_4;
      default -> throw new InputException("--paper " + paper + ": the paper's results tables are 2, 3 and 4");
    };
    ExperimentReport.Options opt = new ExperimentReport.Options(experiment, rows,
        metrics == null ? ResultTables.DEFAULT_METRICS : metrics, parent, allRuns, paperTable);
    ExperimentReport.Result r = ExperimentReport.write(new FileStoreReader(root), opt, out);
    java.io.PrintWriter w = spec.commandLine().getOut();
    w.print(r.tablesMarkdown());
    w.println("wrote " + r.files().size() + " files to " + out.toAbsolutePath().normalize());
    w.flush();
    return 0;
  }

  private static Path defaultStore() {
    String uri = System.getenv(Trackers.TRACKING_URI_ENV);
    if (uri != null && uri.trim().toLowerCase(Locale.ROOT).matches("https?://.*")) {
      throw new InputException(Trackers.TRACKING_URI_ENV + "=" + uri + " is an MLflow server; report reads a"
          + " file store: pass --mlruns DIR");
    }
    return Trackers.fileStoreRoot(uri, Path.of("").toAbsolutePath());
  }
}
