package org.maskprop.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowServerTrackerTest {
  private static final String API = "/api/2.0/mlflow/";
  @TempDir Path tmp;

  /** Time that moves only when the test (or a back-off sleep) moves it. */
  static final class FakeTime implements MlflowServerTracker.TimeSource {
    final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    @Override
    public long millis() {
      return now.get();
    }

    @Override
    public void sleep(long ms) {
      now.addAndGet(ms);
    }

    void advance(long ms) {
      now.addAndGet(ms);
    }
  }

  private final FakeTime time = new FakeTime();

  /** Back-off 10, 20, 40, 80 ms (fake time); closing tries for 500 ms of fake time; no background thread. */
  private MlflowServerTracker tracker(String uri) {
    MlflowServerTracker.Settings s = MlflowServerTracker.Settings.of(uri)
        .withFlushInterval(Duration.ZERO)
        .withRetry(new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(80), 2.0, Duration.ofMillis(500)));
    return new MlflowServerTracker(s, time, Optional.of("abc123"));
  }

  private static List<MlflowServerDouble.Request> calls(MlflowServerDouble d, String pathPart) {
    return d.requests().stream().filter(r -> r.path().contains(pathPart)).toList();
  }

  private static RestTranscript.Exchange transcript(String method, String path) throws Exception {
    return RestTranscript.read(Fixtures.restTranscript()).stream()
        .filter(x -> x.method().equals(method) && x.path().equals(path)).findFirst().orElseThrow();
  }

  @Test
  void sendsTheRestCallsMlflowExpects() throws Exception {
    try (MlflowServerDouble d = MlflowServerDouble.start()) {
      MlflowServerTracker t = tracker(d.uri());
      String parent = t.startRun(RunSpec.of("exp", "parent"));
      long childStart = time.millis();
      String child = t.startRun(RunSpec.of("exp", "child").childOf(parent));
      // what the transcript's client sent in its log-batch
      t.logMetric(child, new Metric("acc", 0.9, 1700000003000L, 3));
      t.logMetric(child, new Metric("loss", 0.1, 1700000003000L, 3));
      t.logParam(child, "batch", "32");
      t.setTag(child, "mlflow.note.content", "hello");
      Path hello = tmp.resolve("hello.txt");
      Files.writeString(hello, "hello artifact\n");
      t.logArtifact(child, hello, "dir");
      t.endRun(child, RunStatus.FINISHED, 1700000009000L);
      assertTrue(t.flush());

      // The server answered at start: the ids are the server's.
      assertEquals(List.of(parent, child), d.runIds());
      assertEquals(Optional.of(child), t.serverRunId(child));
      List<String> lines = d.requests().stream().map(r -> r.method() + " " + r.path()).toList();
      assertEquals(List.of(
          "POST " + API + "experiments/search",
          "POST " + API + "experiments/create",
          "POST " + API + "runs/create",
          "POST " + API + "runs/create",
          "POST " + API + "runs/log-batch",
          "PUT /api/2.0/mlflow-artifacts/artifacts/1/" + child + "/artifacts/dir/hello.txt",
          "POST " + API + "runs/update"), lines);
      List<MlflowServerDouble.Request> reqs = d.requests();

      assertEquals(RestTranscript.canon(MlflowServerDouble.JSON.readTree(
              "{\"filter\":\"name = 'exp'\",\"max_results\":1,\"view_type\":\"ACTIVE_ONLY\"}")),
          RestTranscript.canon(reqs.get(0).json()));
      assertEquals(MlflowServerDouble.JSON.readTree("{\"name\":\"exp\"}"), reqs.get(1).json());
      String user = System.getProperty("user.name");
      String expectedChild = "{\"experiment_id\":\"1\",\"user_id\":\"" + user + "\",\"run_name\":\"child\","
          + "\"start_time\":" + childStart + ",\"tags\":["
          + "{\"key\":\"mlflow.user\",\"value\":\"" + user + "\"},"
          + "{\"key\":\"mlflow.source.name\",\"value\":\"" + RunTags.sourceName() + "\"},"
          + "{\"key\":\"mlflow.source.type\",\"value\":\"LOCAL\"},"
          + "{\"key\":\"mlflow.source.git.commit\",\"value\":\"abc123\"},"
          + "{\"key\":\"mlflow.runName\",\"value\":\"child\"},"
          + "{\"key\":\"mlflow.parentRunId\",\"value\":\"" + parent + "\"}]}";
      assertEquals(RestTranscript.canon(MlflowServerDouble.JSON.readTree(expectedChild)),
          RestTranscript.canon(reqs.get(3).json()));

      // log-batch: the transcript's body with our run id
      ObjectNode batch = (ObjectNode) MlflowServerDouble.JSON.readTree(
          transcript("POST", API + "runs/log-batch").body());
      batch.put("run_id", child);
      assertEquals(RestTranscript.canon(batch), RestTranscript.canon(reqs.get(4).json()));

      assertArrayEquals("hello artifact\n".getBytes(StandardCharsets.UTF_8), reqs.get(5).bytes());

      // runs/update: the transcript's body, plus run_uuid (the deprecated alias the Java client also sets)
      ObjectNode update = (ObjectNode) MlflowServerDouble.JSON.readTree(transcript("POST", API + "runs/update").body());
      update.put("run_id", child);
      ObjectNode ours = (ObjectNode) reqs.get(6).json();
      assertEquals(child, ours.remove("run_uuid").asText());
      assertEquals(RestTranscript.canon(update), RestTranscript.canon(ours));

      assertEquals("FINISHED", d.status(child));
      assertEquals(parent, d.tags(child).get(RunTags.PARENT_RUN_ID));
      assertEquals(Map.of("batch", "32"), d.params(child));
      t.close();
      assertTrue(t.report().isComplete(), t.report().summary());
    }
  }

  @Test
  void bigBatchesAreSplitWithinMlflowLimits() throws Exception {
    try (MlflowServerDouble d = MlflowServerDouble.start()) {
      MlflowServerTracker t = tracker(d.uri());
      String run = t.startRun(RunSpec.of("exp", "r"));
      for (int i = 0; i < 2500; i++) {
        t.logMetric(run, new Metric("loss", i, 1700000000000L + i, i));
      }
      for (int i = 0; i < 150; i++) {
        t.logParam(run, "p" + i, Integer.toString(i));
      }
      for (int i = 0; i < 120; i++) {
        t.setTag(run, "t" + i, "v");
      }
      assertTrue(t.flush());
      List<MlflowServerDouble.Request> batches = calls(d, "log-batch");
      int metrics = 0;
      int params = 0;
      int tags = 0;
      for (MlflowServerDouble.Request b : batches) {
        JsonNode j = b.json();
        int m = j.path("metrics").size();
        int p = j.path("params").size();
        int g = j.path("tags").size();
        assertTrue(m <= 1000 && p <= 100 && g <= 100 && m + p + g <= 1000, b.toString().substring(0, 80));
        metrics += m;
        params += p;
        tags += g;
      }
      // 1000 + 1000 + (500 metrics, 100 params) + (50 params, 100 tags) + 20 tags
      assertEquals(5, batches.size());
      assertEquals(List.of(2500, 150, 120), List.of(metrics, params, tags));
      List<JsonNode> history = d.history(run, "loss");
      assertEquals(2500, history.size());
      for (int i = 0; i < 2500; i++) {
        assertEquals(i, history.get(i).get("step").asLong());
      }
      assertEquals(150, d.params(run).size());
      t.close();
    }
  }

  @Test
  void serverErrorsAreRetriedWithExponentialBackoff() throws Exception {
    try (MlflowServerDouble d = MlflowServerDouble.start()) {
      MlflowServerTracker t = tracker(d.uri());
      String run = t.startRun(RunSpec.of("exp", "r"));
      t.logMetric(run, new Metric("loss", 1.0, 1700000000000L, 0));
      t.logMetric(run, new Metric("loss", 0.5, 1700000001000L, 1));
      // The Java client itself repeats an error answer 3 times; 6 failures = two failed sends.
      d.failNext(6, 503);
      assertFalse(t.flush());
      assertEquals(3, calls(d, "log-batch").size());
      assertFalse(t.flush()); // within the 10 ms back-off: nothing sent
      assertEquals(3, calls(d, "log-batch").size());
      time.advance(10);
      assertFalse(t.flush()); // second failure: back-off doubles to 20 ms
      assertEquals(6, calls(d, "log-batch").size());
      time.advance(19);
      assertFalse(t.flush());
      assertEquals(6, calls(d, "log-batch").size());
      TrackingReport pending = t.report();
      assertEquals(2, pending.unsentMetrics());
      assertTrue(pending.summary().contains("HTTP 503"), pending.summary());
      time.advance(1);
      assertTrue(t.flush());
      assertEquals(7, calls(d, "log-batch").size());
      assertEquals(2, d.history(run, "loss").size()); // each value arrived once
      t.close();
      assertTrue(t.report().isComplete(), t.report().summary());
    }
  }

  @Test
  void runsKeepGoingWhenTheServerIsNotListeningYet() throws Exception {
    int port = MlflowServerDouble.freePort();
    MlflowServerTracker t = tracker("http://127.0.0.1:" + port);
    String parent = assertDoesNotThrow(() -> t.startRun(RunSpec.of("exp", "grid")));
    assertTrue(parent.startsWith("pending-"), parent);
    time.advance(1000);
    String child = t.startRun(RunSpec.of("exp", "child-0").childOf(parent));
    t.logParam(child, "lr", "0.01");
    t.logMetric(child, new Metric("loss", 0.25, 1700000000000L, 0));
    t.logMetric(child, new Metric("loss", Double.NaN, 1700000000001L, 1));
    t.setTag(child, "kind", "grid");
    Path f = tmp.resolve("table.md");
    Files.writeString(f, "| AP |\n");
    t.logArtifact(child, f, "report");
    t.endRun(child, RunStatus.FINISHED, 1700000009000L);
    t.endRun(parent, RunStatus.FINISHED, 1700000010000L);
    assertFalse(t.flush());
    TrackingReport down = t.report();
    assertEquals(List.of(2L, 1L, 1L, 1L, 4L), List.of(down.unsentMetrics(), down.unsentParams(), down.unsentTags(),
        down.unsentArtifacts(), down.unsentRunUpdates()));
    assertTrue(down.summary().contains("unreachable"), down.summary());
    assertEquals(Optional.empty(), t.serverRunId(child));

    try (MlflowServerDouble d = MlflowServerDouble.start(port)) {
      time.advance(10_000);
      assertTrue(t.flush());
      String serverParent = t.serverRunId(parent).orElseThrow();
      String serverChild = t.serverRunId(child).orElseThrow();
      assertEquals(List.of(serverParent, serverChild), d.runIds());
      assertEquals(serverParent, d.tags(serverChild).get(RunTags.PARENT_RUN_ID));
      assertEquals("child-0", d.tags(serverChild).get(RunTags.RUN_NAME));
      assertEquals(Map.of("lr", "0.01"), d.params(serverChild));
      List<JsonNode> loss = d.history(serverChild, "loss");
      assertEquals(2, loss.size());
      assertTrue(Double.isNaN(loss.get(1).get("value").asDouble()));
      assertEquals("FINISHED", d.status(serverParent));
      assertEquals("FINISHED", d.status(serverChild));
      assertEquals("| AP |\n", new String(d.artifact("1/" + serverChild + "/artifacts/report/table.md"),
          StandardCharsets.UTF_8));
      // a provisional id keeps working after the run exists
      t.logMetric(child, new Metric("AP", 0.4, 1700000011000L, 0));
      assertTrue(t.flush());
      assertEquals(1, d.history(serverChild, "AP").size());
      t.close();
      assertTrue(t.report().isComplete(), t.report().summary());
    }
  }

  @Test
  void closingWithTheServerDownReportsWhatWasNotSent() throws Exception {
    MlflowServerTracker t = tracker("http://127.0.0.1:" + MlflowServerDouble.freePort());
    String run = t.startRun(RunSpec.of("exp", "r"));
    for (int i = 0; i < 1500; i++) {
      t.logMetric(run, new Metric("loss", i, 1700000000000L + i, i));
    }
    t.logParams(run, Map.of("a", 1, "b", 2));
    t.setTag(run, "k", "v");
    t.endRun(run, RunStatus.FAILED);
    long before = time.millis();
    assertDoesNotThrow(t::close);
    assertTrue(time.millis() - before >= 400, "closing kept trying for the drain time");
    TrackingReport r = t.report();
    assertEquals(List.of(1500L, 2L, 1L, 0L, 2L), List.of(r.unsentMetrics(), r.unsentParams(), r.unsentTags(),
        r.unsentArtifacts(), r.unsentRunUpdates()));
    assertFalse(r.isComplete());
    assertTrue(r.summary().startsWith("tracking: not recorded: 1500 metric values"), r.summary());
    // after close nothing throws and nothing is silently lost from the count
    assertDoesNotThrow(() -> t.logMetric(run, new Metric("loss", 1, 1, 1)));
    assertEquals(1501L, t.report().unsentMetrics());
  }

  @Test
  void refusedRequestsAreDroppedReportedAndTheRestGoesOn() throws Exception {
    try (MlflowServerDouble d = MlflowServerDouble.start()) {
      d.refuseLogBatchWithParam("bad");
      MlflowServerTracker t = tracker(d.uri());
      String run = t.startRun(RunSpec.of("exp", "r"));
      t.logParam(run, "bad", "1");
      t.logMetric(run, new Metric("loss", 1.0, 1700000000000L, 0));
      assertTrue(t.flush());
      t.endRun(run, RunStatus.FINISHED);
      t.logMetric(run, new Metric("loss", 0.5, 1700000001000L, 1));
      assertTrue(t.flush());
      assertEquals(1, d.history(run, "loss").size());
      assertEquals("FINISHED", d.status(run));
      TrackingReport r = t.report();
      assertEquals(List.of(1L, 1L), List.of(r.unsentMetrics(), r.unsentParams()));
      assertTrue(r.summary().contains("INVALID_PARAMETER_VALUE"), r.summary());
      t.close();
    }
  }

  @Test
  void artifactStoresOutsideTheProxyAreReportedAsNotSupported() throws Exception {
    try (MlflowServerDouble d = MlflowServerDouble.start()) {
      d.artifactRoot("s3://bucket/mlartifacts");
      MlflowServerTracker t = tracker(d.uri());
      String run = t.startRun(RunSpec.of("exp", "r"));
      Path f = tmp.resolve("a.txt");
      Files.writeString(f, "x");
      t.logArtifact(run, f, null);
      assertTrue(t.flush());
      assertTrue(calls(d, "mlflow-artifacts").isEmpty());
      TrackingReport r = t.report();
      assertEquals(1, r.unsentArtifacts());
      assertTrue(r.summary().contains(MlflowServerTracker.NOT_SUPPORTED_ARTIFACTS), r.summary());
      assertTrue(r.summary().contains("s3://bucket/mlartifacts/1/" + run + "/artifacts"), r.summary());
      t.close();
    }
  }

  @Test
  void mlflowRejectionsThrowBeforeAnythingIsQueued() throws Exception {
    try (MlflowServerDouble d = MlflowServerDouble.start()) {
      MlflowServerTracker t = tracker(d.uri());
      String run = t.startRun(RunSpec.of("exp", "r"));
      t.logParam(run, "lr", "0.01");
      t.logParam(run, "lr", "0.01");
      TrackingException e = assertThrows(TrackingException.class, () -> t.logParam(run, "lr", "0.02"));
      assertTrue(e.getMessage().contains("immutable"), e.getMessage());
      assertThrows(TrackingException.class, () -> t.logParam(run, "p", "x".repeat(6001)));
      assertThrows(TrackingException.class, () -> t.logMetric(run, new Metric("a:b", 1, 1, 1)));
      assertThrows(TrackingException.class, () -> t.logMetric("nope", new Metric("a", 1, 1, 1)));
      assertThrows(TrackingException.class, () -> t.endRun(run, RunStatus.SCHEDULED));
      assertTrue(t.flush());
      assertEquals(Map.of("lr", "0.01"), d.params(run));
      t.close();
    }
  }

  @Test
  void getOrCreateExperimentFindsOrCreatesOnce() throws Exception {
    try (MlflowServerDouble d = MlflowServerDouble.start()) {
      MlflowServerTracker t = tracker(d.uri());
      assertEquals("0", t.getOrCreateExperiment("Default"));
      String id = t.getOrCreateExperiment("it's");
      assertEquals(id, t.getOrCreateExperiment("it's"));
      assertEquals(1, calls(d, "experiments/create").size());
      assertEquals("name = \"it's\"", calls(d, "experiments/search").get(1).json().path("filter").asText());
      t.close();
    }
    MlflowServerTracker down = tracker("http://127.0.0.1:" + MlflowServerDouble.freePort());
    TrackingException e = assertThrows(TrackingException.class, () -> down.getOrCreateExperiment("x"));
    assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
    down.close();
  }

  @Test
  void backgroundThreadSendsWithoutExplicitFlush() throws Exception {
    try (MlflowServerDouble d = MlflowServerDouble.start()) {
      MlflowServerTracker t = new MlflowServerTracker(MlflowServerTracker.Settings.of(d.uri())
          .withFlushInterval(Duration.ofMillis(20)));
      String run = t.startRun(RunSpec.of("exp", "r"));
      assertEquals(List.of(run), d.runIds()); // created by the background thread while startRun waited
      t.logMetric(run, "loss", 0.5, 0);
      List<JsonNode> seen = new ArrayList<>();
      for (int i = 0; i < 500 && seen.isEmpty(); i++) {
        Thread.sleep(10); // waits for the daemon thread, at most 5 s; no timing is asserted
        seen = d.history(run, "loss");
      }
      assertEquals(1, seen.size());
      t.close();
      assertTrue(t.report().isComplete());
    }
  }

  @Test
  void aServerThatNeverAnswersCannotHoldTraining() throws Exception {
    // accepts connections and never answers: without timeouts in the Java client, a send hangs
    List<java.net.Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
    try (java.net.ServerSocket hung = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(hung.accept());
          }
        } catch (java.io.IOException closed) {
          // test over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      MlflowServerTracker t = new MlflowServerTracker(MlflowServerTracker.Settings.of("http://127.0.0.1:" + hung.getLocalPort())
          .withFlushInterval(Duration.ofMillis(50))
          .withStartWait(Duration.ofMillis(200))
          .withRetry(new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(80), 2.0, Duration.ofMillis(300))));
      String run = t.startRun(RunSpec.of("exp", "r")); // returns after startWait, not never
      assertTrue(run.startsWith("pending-"), run);
      t.logMetric(run, "loss", 0.5, 0);
      t.endRun(run, RunStatus.FINISHED);
      t.close(); // returns after the drain time, not never
      TrackingReport r = t.report();
      assertEquals(List.of(1L, 2L), List.of(r.unsentMetrics(), r.unsentRunUpdates()));
      assertTrue(r.summary().contains("had not returned"), r.summary());
    } finally {
      for (java.net.Socket s : held) {
        s.close(); // frees the blocked sender thread
      }
    }
  }

  @Test
  void artifactUrlsFollowTheProxyLayout() {
    String run = "400d04be8181436c8d8856d159e0a787";
    assertEquals(URI.create("http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/" + run + "/artifacts/dir/hello.txt"),
        MlflowServerTracker.artifactPutUri("http://h:5000", "mlflow-artifacts:/1/" + run + "/artifacts", "dir/hello.txt"));
    assertEquals(URI.create("https://h/mlflow/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/a%20b.txt"),
        MlflowServerTracker.artifactPutUri("https://h/mlflow", "mlflow-artifacts:/1/r/artifacts", "a b.txt"));
    assertEquals(URI.create("http://other:7000/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/x"),
        MlflowServerTracker.artifactPutUri("http://h:5000", "mlflow-artifacts://other:7000/1/r/artifacts", "x"));
  }
}
