package org.maskprop.report;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.maskprop.tracking.FileStoreReader;
import org.maskprop.tracking.FileStoreTracker;
import org.maskprop.tracking.RunSpec;
import org.maskprop.tracking.RunStatus;

/** Builds small MLflow file stores with known params and metrics for the report tests. */
final class ReportStores {
  private ReportStores() {}

  static Map<String, Double> metrics(double ap, double ap75, double ar1, double ar10) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("AP", ap);
    m.put("AP75", ap75);
    m.put("AR1", ar1);
    m.put("AR10", ar10);
    return m;
  }

  /**
   * Experiment {@code exp}: a parent run (no metrics) with children labelled by param
   * {@code backbone}: r50, r101, x101 (with a stand-in param) and one child without that param.
   */
  static String backboneStore(Path root) {
    try (FileStoreTracker t = new FileStoreTracker(root, Optional.empty())) {
      String parent = t.startRun(RunSpec.of("exp", "grid"));
      t.logParam(parent, "grid", "table4");
      child(t, parent, "r50", Map.of("backbone", "ResNet-50"), metrics(0.40, 0.42851, 0.3, 0.98765));
      child(t, parent, "r101", Map.of("backbone", "ResNet-101", "infer.assignThreshold", "0.5"),
          metrics(0.425, 0.456, 0.12349, -1.0));
      Map<String, Double> partial = new LinkedHashMap<>();
      partial.put("AP", 0.5);
      child(t, parent, "x101", Map.of("backbone", "ResNeXt-101"), partial);
      child(t, parent, "odd", Map.of("method", "other"), metrics(0.1, 0.1, 0.1, 0.1));
      // a training curve on the parent: loss at steps 0..4, and a NaN step
      for (int s = 0; s < 5; s++) {
        t.logMetric(parent, "loss_total", 2.0 / (s + 1), s);
        t.logMetric(parent, "loss_prop", 1.0 / (s + 1), s);
      }
      t.logMetric(parent, "loss_total", Double.NaN, 5);
      t.endRun(parent, RunStatus.FINISHED);
      return parent;
    }
  }

  static String child(FileStoreTracker t, String parent, String name, Map<String, String> params, Map<String, Double> metrics) {
    return child(t, "exp", parent, name, params, metrics);
  }

  static String child(FileStoreTracker t, String experiment, String parent, String name, Map<String, String> params,
      Map<String, Double> metrics) {
    pauseOneMillisecond(); // runs are listed by start time (ms), then id: keep the creation order
    String id = t.startRun(RunSpec.of(experiment, name).childOf(parent));
    t.logParams(id, new java.util.TreeMap<>(params));
    t.logMetrics(id, metrics, 0);
    t.endRun(id, RunStatus.FINISHED);
    return id;
  }

  static void pauseOneMillisecond() {
    long t0 = System.currentTimeMillis();
    while (System.currentTimeMillis() <= t0) {
      Thread.onSpinWait();
    }
  }

  static List<ReportRun> runs(Path root, String experiment) {
    FileStoreReader r = new FileStoreReader(root);
    return ReportRun.readAll(r, r.experimentByName(experiment).orElseThrow().experimentId());
  }
}
