package org.maskprop.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.tracking.Fixtures.FIXTURE_CHILD;
import static org.maskprop.tracking.Fixtures.FIXTURE_EXPERIMENT;
import static org.maskprop.tracking.Fixtures.FIXTURE_PARENT;
import static org.maskprop.tracking.Fixtures.FIXTURE_ROOT_URI;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreTrackerTest {
  @TempDir Path tmp;

  /** Does with our tracker what file-store-2.17.2.how.py did with MLflow's Python client. */
  private static String[] replayFixtureScript(FileStoreTracker t, Path work) throws IOException {
    String exp = t.getOrCreateExperiment("golden-experiment", Map.of("purpose", "layout fixture"));
    String parent = t.startRun(new RunSpec("golden-experiment", "grid-parent", null, Map.of("kind", "grid")));
    String child = t.startRun(RunSpec.of("golden-experiment", "child-0").childOf(parent));
    t.logParam(child, "model.backbone", "resnet18");
    t.logParam(child, "train.lr", "0.01");
    for (int step = 0; step < 5; step++) {
      t.logMetric(child, new Metric("loss_total", 1.0 / (step + 1), 1700000000000L + step * 1000L, step));
    }
    t.logMetric(child, new Metric("AP", 0.5, 1700000010000L, 0));
    t.logMetric(child, new Metric("AR1", 0.4, 1700000010000L, 0));
    t.logParam(child, "seed", "7");
    t.setTag(child, "mlflow.source.git.commit", "abc123");
    Path report = work.resolve("report.md");
    Files.writeString(report, "# report\n");
    t.logArtifact(child, report, "reports");
    t.endRun(child, RunStatus.FINISHED, 1700000020000L);
    t.endRun(parent, RunStatus.FINISHED, 1700000021000L);
    return new String[] {exp, parent, child};
  }

  /** Relative paths of all regular files (git, which carried the fixture, keeps no empty folders). */
  private static Set<String> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return new TreeSet<>(s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).toList());
    }
  }

  private static String swap(String s, Map<String, String> ids) {
    for (Map.Entry<String, String> e : ids.entrySet()) {
      s = s.replace(e.getKey(), e.getValue());
    }
    return s;
  }

  /** meta.yaml text with ids, root, user and times made neutral; everything else must match byte for byte. */
  private static String neutral(String yaml, Map<String, String> ids) {
    return swap(yaml, ids)
        .replaceAll("(?m)^(creation_time|last_update_time|start_time): \\d{13}$", "$1: <ms>")
        .replaceAll("(?m)^user_id: .*$", "user_id: <user>");
  }

  @Test
  void treeHasTheShapeMlflowWritesFileByFile() throws IOException {
    Path root = tmp.resolve("mlruns");
    String[] ids;
    try (FileStoreTracker t = new FileStoreTracker(root, Optional.empty())) {
      ids = replayFixtureScript(t, tmp);
    }
    Path fixture = Fixtures.fileStore();
    Map<String, String> oursToNeutral = new HashMap<>();
    oursToNeutral.put(FileStoreFormat.fileUri(root), "<root>");
    oursToNeutral.put(ids[0], "<exp>");
    oursToNeutral.put(ids[1], "<parent>");
    oursToNeutral.put(ids[2], "<child>");
    Map<String, String> fixtureToNeutral = Map.of(FIXTURE_ROOT_URI, "<root>", FIXTURE_EXPERIMENT, "<exp>",
        FIXTURE_PARENT, "<parent>", FIXTURE_CHILD, "<child>");

    Set<String> theirs = new TreeSet<>();
    files(fixture).forEach(f -> theirs.add(swap(f, fixtureToNeutral)));
    Set<String> ours = new TreeSet<>();
    files(root).forEach(f -> ours.add(swap(f, oursToNeutral)));

    // Every file MLflow wrote, we write; our only extras are the system tags MLflow's fluent API adds
    // (the fixture used the plain client) and our lock file, which MLflow ignores (it lists folders only).
    Set<String> missing = new TreeSet<>(theirs);
    missing.removeAll(ours);
    assertEquals(Set.of(), missing);
    Set<String> extra = new TreeSet<>(ours);
    extra.removeAll(theirs);
    Set<String> allowed = new TreeSet<>(List.of(".maskprop.lock"));
    for (String run : List.of("<parent>", "<child>")) {
      for (String tag : List.of(RunTags.USER, RunTags.SOURCE_NAME, RunTags.SOURCE_TYPE)) {
        allowed.add("<exp>/" + run + "/tags/" + tag);
      }
    }
    assertEquals(allowed, extra);

    int compared = 0;
    for (String f : files(fixture)) {
      Path theirFile = fixture.resolve(f);
      Path ourFile = root.resolve(swap(swap(f, fixtureToNeutral), Map.of("<exp>", ids[0], "<parent>", ids[1],
          "<child>", ids[2])));
      if (f.endsWith("meta.yaml")) {
        assertEquals(neutral(Files.readString(theirFile), fixtureToNeutral),
            neutral(Files.readString(ourFile), oursToNeutral), f);
        assertSameKeysAndTypes(FileStoreReader.readYaml(theirFile), FileStoreReader.readYaml(ourFile), f);
      } else {
        // params, tags (parentRunId holds an id), metric lines, artifact bytes
        assertEquals(swap(Files.readString(theirFile, StandardCharsets.UTF_8), fixtureToNeutral),
            swap(Files.readString(ourFile, StandardCharsets.UTF_8), oursToNeutral), f);
      }
      compared++;
    }
    assertEquals(17, compared);
    // MLflow also makes these folders (lost from the fixture with git): check we make them too.
    for (String dir : List.of(".trash", ids[0] + "/" + ids[1] + "/metrics", ids[0] + "/" + ids[1] + "/params",
        ids[0] + "/" + ids[1] + "/artifacts")) {
      assertTrue(Files.isDirectory(root.resolve(dir)), dir);
    }
  }

  private static void assertSameKeysAndTypes(Map<String, Object> theirs, Map<String, Object> ours, String where) {
    assertEquals(new TreeSet<>(theirs.keySet()), new TreeSet<>(ours.keySet()), where);
    for (String k : theirs.keySet()) {
      Object a = theirs.get(k);
      Object b = ours.get(k);
      String ta = a == null ? "null" : a instanceof Number ? "number" : a.getClass().getSimpleName();
      String tb = b == null ? "null" : b instanceof Number ? "number" : b.getClass().getSimpleName();
      assertEquals(ta, tb, where + " " + k);
    }
  }

  @Test
  void experimentIdsAreEighteenDigitsAndRunIdsUuidHex() throws IOException {
    try (FileStoreTracker t = new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty())) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        String id = t.uniqueIntegerId();
        assertTrue(id.matches("[1-9][0-9]{17}"), id);
        seen.add(id);
      }
      assertEquals(200, seen.size());
      String exp = t.getOrCreateExperiment("e");
      assertEquals(exp, t.getOrCreateExperiment("e"));
      String run = t.startRun(RunSpec.of("e", null));
      assertTrue(run.matches("[0-9a-f]{32}"), run);
      assertTrue(t.reader().run(run).orElseThrow().runName().startsWith("run-"));
    }
  }

  @Test
  void runningRunMetaHasNullEndTimeAndNoDeletedTime() throws IOException {
    Path root = tmp.resolve("mlruns");
    try (FileStoreTracker t = new FileStoreTracker(root, Optional.of("0123456789abcdef0123456789abcdef01234567"))) {
      String run = t.startRun(RunSpec.of("exp", "r"));
      Path dir = t.reader().runDir(run).orElseThrow();
      Map<String, Object> meta = FileStoreReader.rawMeta(dir);
      // MLflow create_run: status RUNNING (1), end_time None written as null; deleted_time, first
      // written as null, is gone after set_tag(mlflow.runName) rewrote meta.yaml
      assertEquals(1, meta.get("status"));
      assertTrue(meta.containsKey("end_time") && meta.get("end_time") == null);
      assertFalse(meta.containsKey("deleted_time"));
      assertTrue(Files.readString(dir.resolve("meta.yaml")).contains("\nend_time: null\n"));
      Map<String, String> tags = t.reader().tags(run);
      assertEquals("0123456789abcdef0123456789abcdef01234567", tags.get(RunTags.GIT_COMMIT));
      assertEquals("LOCAL", tags.get(RunTags.SOURCE_TYPE));
      assertEquals(System.getProperty("user.name"), tags.get(RunTags.USER));
      assertEquals("r", tags.get(RunTags.RUN_NAME));
      t.endRun(run, RunStatus.KILLED, 5L);
      meta = FileStoreReader.rawMeta(dir);
      assertEquals(5, meta.get("status"));
      assertEquals(5, ((Number) meta.get("end_time")).intValue());
      assertFalse(meta.containsKey("deleted_time"));
      assertThrows(TrackingException.class, () -> t.endRun(run, RunStatus.RUNNING));
    }
  }

  @Test
  void paramsAreImmutableLikeMlflow() {
    try (FileStoreTracker t = new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty())) {
      String run = t.startRun(RunSpec.of("exp", "r"));
      t.logParams(run, Map.of("lr", 0.01, "steps", 100));
      t.logParam(run, "lr", "0.01"); // same value: fine, as in MLflow
      TrackingException e = assertThrows(TrackingException.class, () -> t.logParam(run, "lr", "0.02"));
      assertTrue(e.getMessage().contains("'lr'") && e.getMessage().contains("0.01") && e.getMessage().contains("0.02"));
      assertThrows(TrackingException.class, () -> t.logParam(run, "long", "x".repeat(6001)));
      t.logParam(run, "long", "x".repeat(6000));
      assertEquals(Map.of("lr", "0.01", "steps", "100", "long", "x".repeat(6000)), t.reader().params(run));
    }
  }

  @Test
  void metricsKeepNanAndInfinityAsMlflowWritesThem() throws IOException {
    try (FileStoreTracker t = new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty())) {
      String run = t.startRun(RunSpec.of("exp", "r"));
      t.logMetric(run, new Metric("loss/mask", Double.NaN, 10L, 0));
      t.logMetric(run, new Metric("loss/mask", Double.POSITIVE_INFINITY, 11L, 1));
      t.logMetric(run, new Metric("loss/mask", Double.NEGATIVE_INFINITY, 12L, 2));
      t.logMetric(run, new Metric("loss/mask", 1e-5, 13L, 3));
      Path file = t.reader().runDir(run).orElseThrow().resolve("metrics/loss/mask");
      assertEquals("10 nan 0\n11 inf 1\n12 -inf 2\n13 1e-05 3\n", Files.readString(file));
      List<Metric> back = t.reader().metricHistory(run, "loss/mask");
      assertTrue(Double.isNaN(back.get(0).value()));
      assertEquals(Double.NEGATIVE_INFINITY, back.get(2).value());
      assertEquals(1e-5, back.get(3).value());
    }
  }

  @Test
  void runNameTagRenamesTheRunAndArtifactsCopy() throws IOException {
    try (FileStoreTracker t = new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty())) {
      String run = t.startRun(RunSpec.of("exp", "first"));
      t.setTag(run, RunTags.RUN_NAME, "second");
      assertEquals("second", t.reader().run(run).orElseThrow().runName());
      Path src = tmp.resolve("out");
      Files.createDirectories(src.resolve("charts"));
      Files.writeString(src.resolve("table.md"), "| a |\n");
      Files.write(src.resolve("charts/loss.png"), new byte[] {1, 2, 3});
      t.logArtifacts(run, src, "report");
      t.logArtifact(run, src.resolve("table.md"), null);
      Path art = t.reader().artifactDir(run);
      assertEquals("| a |\n", Files.readString(art.resolve("report/table.md")));
      assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(art.resolve("report/charts/loss.png")));
      assertTrue(Files.isRegularFile(art.resolve("table.md")));
      assertThrows(TrackingException.class, () -> t.logArtifact(run, src.resolve("table.md"), "../escape"));
      TrackingException e = assertThrows(TrackingException.class,
          () -> t.startRun(new RunSpec("exp", "a", null, Map.of(RunTags.RUN_NAME, "b"))));
      assertTrue(e.getMessage().contains("disagrees"));
    }
  }

  @Test
  void concurrentWritersKeepLinesWholeAndCreateOneExperiment() throws Exception {
    Path root = tmp.resolve("mlruns");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      // Two trackers on one store (as two grid processes): one experiment for one name.
      FileStoreTracker a = new FileStoreTracker(root, Optional.empty());
      FileStoreTracker b = new FileStoreTracker(root, Optional.empty());
      List<Future<String>> ids = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        FileStoreTracker t = i % 2 == 0 ? a : b;
        ids.add(pool.submit(() -> t.getOrCreateExperiment("grid")));
      }
      Set<String> distinct = new HashSet<>();
      for (Future<String> f : ids) {
        distinct.add(f.get());
      }
      assertEquals(1, distinct.size());
      String run = a.startRun(RunSpec.of("grid", "r"));
      List<Future<?>> writes = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        FileStoreTracker t = w % 2 == 0 ? a : b;
        int writer = w;
        writes.add(pool.submit(() -> {
          for (int s = 0; s < 250; s++) {
            t.logMetric(run, new Metric("loss", writer + s / 1000.0, 1700000000000L + s, s));
          }
        }));
      }
      for (Future<?> f : writes) {
        f.get();
      }
      List<Metric> all = a.reader().metricHistory(run, "loss");
      assertEquals(1000, all.size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void diskFailuresWhileLoggingAreReportedNotThrown() throws IOException {
    try (FileStoreTracker t = new FileStoreTracker(tmp.resolve("mlruns"), Optional.empty())) {
      String run = t.startRun(RunSpec.of("exp", "r"));
      Path dir = t.reader().runDir(run).orElseThrow();
      // a folder where the metric and param files should go: every write to them fails
      Files.createDirectories(dir.resolve("metrics/loss"));
      Files.createDirectories(dir.resolve("params/lr"));
      t.logMetric(run, new Metric("loss", 1.0, 1L, 0));
      t.logParam(run, "lr", "0.1");
      t.logMetric(run, new Metric("acc", 1.0, 1L, 0));
      TrackingReport r = t.report();
      assertEquals(List.of(1L, 1L, 0L), List.of(r.unsentMetrics(), r.unsentParams(), r.unsentTags()));
      assertTrue(r.summary().contains("metric 'loss'"), r.summary());
      assertEquals(1, t.reader().metricHistory(run, "acc").size());
    }
  }

  @Test
  void factoryPicksStoreFromTrackingUri() {
    Path wd = tmp.resolve("wd");
    assertEquals(wd.resolve("mlruns"), Trackers.fileStoreRoot(null, wd));
    assertEquals(wd.resolve("runs-x"), Trackers.fileStoreRoot("runs-x", wd));
    assertEquals(Path.of("/data/ml runs"), Trackers.fileStoreRoot("file:///data/ml%20runs", wd));
    assertEquals(Path.of("/data/m"), Trackers.fileStoreRoot("file:/data/m", wd));
    try (Tracker t = Trackers.fromEnvironment(Map.of(), wd)) {
      assertInstanceOf(FileStoreTracker.class, t);
      assertTrue(Files.isRegularFile(wd.resolve("mlruns/0/meta.yaml")));
    }
    try (Tracker t = Trackers.fromEnvironment(Map.of(Trackers.TRACKING_URI_ENV, "http://127.0.0.1:9"), wd)) {
      assertInstanceOf(MlflowServerTracker.class, t);
    }
    TrackingException e = assertThrows(TrackingException.class,
        () -> Trackers.fromEnvironment(Map.of(Trackers.TRACKING_URI_ENV, "databricks"), wd).close());
    assertTrue(e.getMessage().contains("databricks") || e.getMessage().contains("not supported"));
    assertThrows(TrackingException.class,
        () -> Trackers.fromEnvironment(Map.of(Trackers.TRACKING_URI_ENV, "sqlite:///x.db"), wd));
  }

  @Test
  void gitCommitIsReadFromTheWorkingTree() throws Exception {
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo);
    assertEquals(Optional.empty(), RunTags.gitCommit(repo)); // not a repository
    Process init = new ProcessBuilder("git", "init", "-q").directory(repo.toFile()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(init.waitFor() == 0, "git not available");
    Files.writeString(repo.resolve("f"), "x");
    Process commit = new ProcessBuilder("git", "-c", "user.name=t", "-c", "user.email=t@t", "-c",
        "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "m").directory(repo.toFile()).start();
    assertEquals(0, commit.waitFor());
    Process head = new ProcessBuilder("git", "rev-parse", "HEAD").directory(repo.toFile()).start();
    String expected = new String(head.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(Optional.of(expected), RunTags.gitCommit(repo));
  }
}
