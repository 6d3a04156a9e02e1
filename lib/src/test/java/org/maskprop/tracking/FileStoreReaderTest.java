package org.maskprop.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.tracking.Fixtures.FIXTURE_CHILD;
import static org.maskprop.tracking.Fixtures.FIXTURE_EXPERIMENT;
import static org.maskprop.tracking.Fixtures.FIXTURE_PARENT;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reads the tree MLflow 2.17.2 wrote itself; every expected value is visible in the fixture files. */
class FileStoreReaderTest {
  private final FileStoreReader reader = new FileStoreReader(Fixtures.fileStore());

  @Test
  void experimentsNewestFirstWithTags() {
    List<ExperimentInfo> exps = reader.experiments();
    assertEquals(List.of(FIXTURE_EXPERIMENT, "0"), exps.stream().map(ExperimentInfo::experimentId).toList());
    ExperimentInfo golden = exps.get(0);
    assertEquals("golden-experiment", golden.name());
    assertEquals(Map.of("purpose", "layout fixture"), golden.tags());
    assertEquals(1795610725252L, golden.creationTime());
    assertEquals("file:///home/researcher/project/mlruns/" + FIXTURE_EXPERIMENT, golden.artifactLocation());
    assertEquals("Default", reader.experimentByName("Default").orElseThrow().name());
    assertEquals(Map.of(), exps.get(1).tags());
  }

  @Test
  void runsAndTheirMeta() {
    List<RunInfo> runs = reader.runs(FIXTURE_EXPERIMENT);
    assertEquals(List.of(FIXTURE_PARENT, FIXTURE_CHILD), runs.stream().map(RunInfo::runId).toList());
    RunInfo child = reader.run(FIXTURE_CHILD).orElseThrow();
    assertEquals("child-0", child.runName());
    assertEquals(RunStatus.FINISHED, child.status());
    assertEquals(1795610725256L, child.startTime());
    assertEquals(1700000020000L, child.endTime());
    assertEquals("unknown", child.userId());
    assertEquals("active", child.lifecycleStage());
    assertEquals(List.of(FIXTURE_CHILD),
        reader.childRuns(FIXTURE_PARENT).stream().map(RunInfo::runId).toList());
    assertEquals(Path.of("/home/researcher/project/mlruns", FIXTURE_EXPERIMENT, FIXTURE_CHILD, "artifacts"),
        reader.artifactDir(FIXTURE_CHILD));
  }

  @Test
  void paramsTagsAndMetrics() {
    assertEquals(Map.of("model.backbone", "resnet18", "train.lr", "0.01", "seed", "7"), reader.params(FIXTURE_CHILD));
    assertEquals(Map.of("mlflow.runName", "child-0", "mlflow.parentRunId", FIXTURE_PARENT,
        "mlflow.source.git.commit", "abc123"), reader.tags(FIXTURE_CHILD));
    assertEquals(Map.of("mlflow.runName", "grid-parent", "kind", "grid"), reader.tags(FIXTURE_PARENT));
    List<Metric> loss = reader.metricHistory(FIXTURE_CHILD, "loss_total");
    assertEquals(5, loss.size());
    for (int step = 0; step < 5; step++) {
      assertEquals(new Metric("loss_total", 1.0 / (step + 1), 1700000000000L + step * 1000L, step), loss.get(step));
    }
    Map<String, Metric> latest = reader.latestMetrics(FIXTURE_CHILD);
    assertEquals(List.of("AP", "AR1", "loss_total"), List.copyOf(latest.keySet()));
    assertEquals(0.2, latest.get("loss_total").value());
    assertEquals(new Metric("AP", 0.5, 1700000010000L, 0), latest.get("AP"));
    assertTrue(reader.metricHistory(FIXTURE_PARENT, "loss_total").isEmpty());
    assertTrue(reader.params(FIXTURE_PARENT).isEmpty());
    assertEquals(1700000021000L, reader.run(FIXTURE_PARENT).orElseThrow().endTime());
  }
}
