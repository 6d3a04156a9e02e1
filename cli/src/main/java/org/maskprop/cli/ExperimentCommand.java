package org.maskprop.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maskprop.eval.Metrics;
import org.maskprop.experiments.ExperimentGrid;
import org.maskprop.experiments.ExperimentPlan;
import org.maskprop.experiments.ExperimentRunner;
import org.maskprop.experiments.MethodRegistry;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.Tracker;
import org.maskprop.tracking.Trackers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code maskprop experiment FILE}: runs a grid (DESIGN.md section 4) as MLflow parent and child runs. */
@Command(
    name = "experiment",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a grid experiments/<name>.yaml: expands its axes over the base run config, checks that every",
      "method can run, then logs a parent MLflow run (experiment = grid name) with one child run per",
      "(point, method, split) and writes DIR/report/ (table.md, table.html, summary.md, charts), also",
      "logged as an artifact of the parent. Video methods share one trained detector per training config",
      "(DIR/train/<key>, a train-<key> child run with the losses; a finished one is reused on a rerun).",
      "Runs go to ./mlruns (or MLFLOW_TRACKING_URI, or --mlruns)."
    })
final class ExperimentCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Grid file, e.g. experiments/smoke.yaml.")
  Path file;

  @Option(names = "--out", description = "Output folder (default: experiments-out/<grid name>).")
  Path out;

  @Option(names = "--dry-run", description = "Print the expanded points and the runs that would be made; run nothing.")
  boolean dryRun;

  @Option(names = "--mlruns", description = "MLflow file store to log to (default: MLFLOW_TRACKING_URI, else ./mlruns).")
  Path mlruns;

  @Override
  public Integer call() {
    PrintWriter w = spec.commandLine().getOut();
    ExperimentPlan plan = ExperimentPlan.expand(ExperimentGrid.load(file));
    w.print(plan.describe(MethodRegistry.BUILT_IN));
    if (dryRun) {
      w.println("dry run: nothing was run");
      w.flush();
      return 0;
    }
    plan.validate(MethodRegistry.BUILT_IN); // before a run or a data folder exists
    Path dir = out != null ? out : Path.of("experiments-out", plan.grid().name());
    long t0 = System.nanoTime();
    ExperimentRunner.Result r;
    try (Tracker tracker = mlruns != null ? new FileStoreTracker(mlruns) : Trackers.fromEnvironment()) {
      r = new ExperimentRunner(MethodRegistry.BUILT_IN, new SynthVisGridData(false), tracker, w).run(plan, dir);
      w.print(r.tablesMarkdown());
      w.println(tracker.report().summary());
    }
    w.printf("grid %s: %d run(s) in %.1f s; parent run %s; report in %s%n", plan.grid().name(), r.metrics().size(),
        (System.nanoTime() - t0) / 1e9, r.parentRunId(), r.reportDir().toAbsolutePath().normalize());
    for (Map.Entry<String, Metrics> e : r.metrics().entrySet()) {
      w.printf("  %-40s AP %.3f%n", e.getKey(), e.getValue().ap());
    }
    w.flush();
    return 0;
  }
}
