package org.maskprop.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.RunSpec;

class ExperimentReportTest {
  @TempDir Path dir;

  /** Two demo-like parents, "old" then "new", each with children labelled by param predictor. */
  private String[] twoParents() {
    try (FileStoreTracker t = new FileStoreTracker(dir.resolve("mlruns"), Optional.empty())) {
      String old = t.startRun(RunSpec.of("demo", "old"));
      ReportStores.child(t, "demo", old, "a", Map.of("predictor", "copy"), ReportStores.metrics(0.1, 0, 0, 0));
      ReportStores.pauseOneMillisecond(); // the newest parent is found by start time
      String neu = t.startRun(RunSpec.of("demo", "new"));
      ReportStores.child(t, "demo", neu, "b", Map.of("predictor", "copy"), ReportStores.metrics(0.2, 0, 0, 0));
      ReportStores.child(t, "demo", neu, "c", Map.of("predictor", "gt"), ReportStores.metrics(1.0, 1, 1, 1));
      return new String[] {old, neu};
    }
  }

  private ExperimentReport.Options opts(String parent, boolean all) {
    return new ExperimentReport.Options("demo", null, List.of("AP"), parent, all, null);
  }

  @Test
  void gridRunsAreRowedByRowWithTheirPaperTableAndPerCategoryBars() throws Exception {
    try (FileStoreTracker t = new FileStoreTracker(dir.resolve("mlruns"), Optional.empty())) {
      String parent = t.startRun(RunSpec.of("table3", "table3"));
      t.logParam(parent, ExperimentReport.REPRODUCES_PARAM, "table3");
      // a training child: losses only, no row and no AP (left out of the table)
      ReportStores.pauseOneMillisecond();
      String train = t.startRun(RunSpec.of("table3", "train-abc").childOf(parent));
      t.logParam(train, "backbone.arch", "R18");
      t.logMetric(train, "total_loss", 2.0, 1);
      t.logMetric(train, "total_loss", 1.0, 2);
      t.endRun(train, org.maskprop.tracking.RunStatus.FINISHED);
      for (String[] m : new String[][] {{"maskprop", "0.4"}, {"flow-propagation", "0.3"}}) {
        Map<String, Double> metrics = new java.util.LinkedHashMap<>(
            ReportStores.metrics(Double.parseDouble(m[1]), 0.5, 0.1, 0.2));
        metrics.put("AP.square", 0.6);
        metrics.put("AP.circle", 0.2);
        ReportStores.child(t, "table3", parent, "p0-" + m[0] + "-valid", Map.of("row", m[0], "method", m[0]), metrics);
      }
    }
    FileStoreReader reader = new FileStoreReader(dir.resolve("mlruns"));
    ExperimentReport.Result r = ExperimentReport.write(reader, ExperimentReport.Options.of("table3"), dir.resolve("out"));
    String md = r.tablesMarkdown();
    assertTrue(md.contains("| row |") && md.contains("| maskprop | 40.0 |") && md.contains("| flow-propagation | 30.0 |"), md);
    assertTrue(md.contains("FlowNet2 propagation | 31.4 | 33.6"), "Table 3 beside ours: " + md);
    assertTrue(Files.isRegularFile(dir.resolve("out/charts/per-category-AP.png")), r.files().toString());
    assertTrue(r.files().stream().anyMatch(f -> f.getFileName().toString().startsWith("history-train-abc")),
        r.files().toString());
    // an explicit paper table still wins, and a grid that reproduces no table gets none
    ExperimentReport.Result t4 = ExperimentReport.write(reader, new ExperimentReport.Options("table3", null,
        ResultTables.DEFAULT_METRICS, null, false, PaperTables.TABLE_4), dir.resolve("o2"));
    assertTrue(t4.tablesMarkdown().contains("ResNet-50") && !t4.tablesMarkdown().contains("FlowNet2"), t4.tablesMarkdown());
    assertEquals(null, PaperTables.forResult("fig6"));
    assertEquals(PaperTables.TABLE_2, PaperTables.forResult("table2"));
  }

  @Test
  void defaultIsTheNewestParentsChildren() throws Exception {
    String[] p = twoParents();
    FileStoreReader reader = new FileStoreReader(dir.resolve("mlruns"));
    ExperimentReport.Result r = ExperimentReport.write(reader, opts(null, false), dir.resolve("out"));
    assertTrue(r.tablesMarkdown().contains("| copy | 20.0 |\n| gt | 100.0 |\n"), r.tablesMarkdown());
    assertTrue(r.tablesMarkdown().contains("child runs of new (run " + p[1] + ")"), r.tablesMarkdown());
    assertEquals(List.of(dir.resolve("out/table.md"), dir.resolve("out/table.html"),
        dir.resolve("out/charts/AP-by-predictor.png")), r.files().subList(0, 3));
    for (Path f : r.files()) {
      assertTrue(Files.size(f) > 0, f.toString());
    }

    String old = ExperimentReport.write(reader, opts(p[0], false), dir.resolve("o2")).tablesMarkdown();
    assertTrue(old.contains("| copy | 10.0 |\n\n"), old);

    String all = ExperimentReport.write(reader, opts(null, true), dir.resolve("o3")).tablesMarkdown();
    assertTrue(all.contains("| copy (run ") && all.contains("| gt | 100.0 |"), all);
    assertEquals(3, all.lines().filter(l -> l.matches("\\| (copy|gt).*")).count(), all);

    InputException e = assertThrows(InputException.class,
        () -> ExperimentReport.write(reader, opts("0".repeat(32), false), dir.resolve("o4")));
    assertTrue(e.getMessage().contains("no run"), e.getMessage());
  }
}
