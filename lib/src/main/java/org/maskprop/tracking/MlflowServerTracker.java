package org.maskprop.tracking;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * Tracks to an MLflow 2.x server through the MLflow Java client ({@code MLFLOW_TRACKING_URI=http(s)://...}).
 *
 * <p>Every logging call only queues: metrics, params and tags of a run are merged into log-batch
 * requests within MLflow's limits (1000 metrics, 100 params, 100 tags, 1000 entities per call); a
 * background thread sends the queue in order. When the server is down or answers 5xx/429/408, the
 * queue stays in memory and sending resumes after an exponential back-off ({@link RetryPolicy}); the
 * logging calls never wait for it and never see an exception ({@link #startRun} waits at most
 * {@code startWait}). Requests the server refuses (other
 * 4xx) are dropped and counted. {@link #close()} keeps trying for {@code drainTimeout}, then
 * {@link #report()} says what could not be sent.
 *
 * <p>Run ids: when the server answers at {@link #startRun} (within {@code startWait}), the returned id
 * is the server's run id;
 * when it does not, the id is a provisional {@code pending-...} handle that keeps working for every
 * call, and {@link #serverRunId(String)} gives the real id once the run exists on the server.
 *
 * <p>Artifacts: the Java client's {@code logArtifact} needs a Python {@code mlflow}; instead files are
 * PUT to the server's artifact proxy, {@code /api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>}
 * (runs whose artifact_uri is {@code mlflow-artifacts:/...}, i.e. a server started with
 * {@code --serve-artifacts}). Other artifact URIs (s3:, gs:, file: on the server...) are reported as
 * not supported.
 */
public final class MlflowServerTracker implements Tracker {
  private static final System.Logger LOG = System.getLogger(MlflowServerTracker.class.getName());
  static final String NOT_SUPPORTED_ARTIFACTS =
      "not supported: upload artifacts with the MLflow Python client or use --serve-artifacts";

  /**
   * Connection and buffering settings.
   *
   * @param trackingUri the server, {@code http(s)://host:port[/prefix]}
   * @param username basic-auth user ({@code MLFLOW_TRACKING_USERNAME}), or null
   * @param password basic-auth password ({@code MLFLOW_TRACKING_PASSWORD}), or null
   * @param token bearer token ({@code MLFLOW_TRACKING_TOKEN}), or null
   * @param retry back-off and drain time
   * @param flushInterval how often the background thread sends; zero: no thread, call {@link #flush()}
   * @param maxBufferedItems metrics + params + tags kept while the server is down; beyond, new ones are dropped and counted
   * @param startWait how long {@link #startRun} waits for the server to create the run before it returns a provisional id
   */
  public record Settings(String trackingUri, String username, String password, String token, RetryPolicy retry,
      Duration flushInterval, long maxBufferedItems, Duration startWait) {
    public Settings {
      trackingUri = trackingUri.endsWith("/") ? trackingUri.substring(0, trackingUri.length() - 1) : trackingUri;
      if (!trackingUri.matches("(?i)https?://.+")) {
        throw new TrackingException("MLflow server URI must be http(s)://host:port, got '" + trackingUri + "'");
      }
    }

    public static Settings of(String trackingUri) {
      return new Settings(trackingUri, null, null, null, RetryPolicy.defaults(), Duration.ofSeconds(2), 5_000_000,
          Duration.ofSeconds(10));
    }

    static Settings fromEnvironment(String trackingUri, Map<String, String> env) {
      return new Settings(trackingUri, env.get("MLFLOW_TRACKING_USERNAME"), env.get("MLFLOW_TRACKING_PASSWORD"),
          env.get("MLFLOW_TRACKING_TOKEN"), RetryPolicy.defaults(), Duration.ofSeconds(2), 5_000_000,
          Duration.ofSeconds(10));
    }

    public Settings withRetry(RetryPolicy r) {
      return new Settings(trackingUri, username, password, token, r, flushInterval, maxBufferedItems, startWait);
    }

    public Settings withFlushInterval(Duration d) {
      return new Settings(trackingUri, username, password, token, retry, d, maxBufferedItems, startWait);
    }

    public Settings withMaxBufferedItems(long n) {
      return new Settings(trackingUri, username, password, token, retry, flushInterval, n, startWait);
    }

    public Settings withStartWait(Duration d) {
      return new Settings(trackingUri, username, password, token, retry, flushInterval, maxBufferedItems, d);
    }
  }

  /** Wall clock and sleep, replaceable in tests. */
  interface TimeSource {
    long millis();

    void sleep(long ms) throws InterruptedException;

    TimeSource SYSTEM = new TimeSource() {
      @Override
      public long millis() {
        return System.currentTimeMillis();
      }

      @Override
      public void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
      }
    };
  }

  /** A run as we know it: its server id once created, its params (MLflow params are immutable). */
  private static final class RunState {
    final String handle;
    volatile String serverId;
    volatile String artifactUri;
    volatile boolean lost; // the server refused to create it
    volatile String lostReason;
    final Map<String, String> params = new HashMap<>();

    RunState(String handle) {
      this.handle = handle;
    }
  }

  private sealed interface Op permits CreateRun, LogData, UpdateRun, UploadFile {
    RunState run();
  }

  private record CreateRun(RunState run, String experimentName, String runName, long startTime,
      Map<String, String> tags, RunState parent) implements Op {}

  private record UpdateRun(RunState run, RunStatus status, long endTime) implements Op {}

  private record UploadFile(RunState run, Path source, String artifactPath) implements Op {}

  /** Metrics, params and tags of one run that fit in one log-batch request. */
  private static final class LogData implements Op {
    final RunState run;
    final List<Metric> metrics = new ArrayList<>();
    final Map<String, String> params = new LinkedHashMap<>();
    final Map<String, String> tags = new LinkedHashMap<>();

    LogData(RunState run) {
      this.run = run;
    }

    @Override
    public RunState run() {
      return run;
    }

    int size() {
      return metrics.size() + params.size() + tags.size();
    }

    boolean fitsMetric() {
      return metrics.size() < MlflowNames.MAX_METRICS_PER_BATCH && size() < MlflowNames.MAX_ENTITIES_PER_BATCH;
    }

    boolean fitsParam(String key) {
      return params.containsKey(key)
          || params.size() < MlflowNames.MAX_PARAMS_PER_BATCH && size() < MlflowNames.MAX_ENTITIES_PER_BATCH;
    }

    boolean fitsTag(String key) {
      return tags.containsKey(key)
          || tags.size() < MlflowNames.MAX_TAGS_PER_BATCH && size() < MlflowNames.MAX_ENTITIES_PER_BATCH;
    }
  }

  private enum Outcome { SENT, RETRY, REFUSED }

  /** Counts per kind of item, for the report. */
  private static final class Counts {
    long metrics;
    long params;
    long tags;
    long artifacts;
    long runOps;

    void add(Op op) {
      switch (op) {
        case LogData d -> {
          metrics += d.metrics.size();
          params += d.params.size();
          tags += d.tags.size();
        }
        case UploadFile f -> artifacts++;
        case CreateRun c -> runOps++;
        case UpdateRun u -> runOps++;
      }
    }
  }

  private final Settings settings;
  private final MlflowClient client;
  private final HttpClient http;
  private final TimeSource time;
  private final Optional<String> gitCommit;

  private final Object state = new Object(); // guards everything below
  private final Deque<Op> queue = new ArrayDeque<>();
  private Op inFlight;
  private final Map<String, RunState> runs = new HashMap<>();
  private final Map<String, String> experimentIds = new HashMap<>();
  private final Counts refused = new Counts();
  private final Counts dropped = new Counts();
  private final Set<String> problems = new LinkedHashSet<>();
  private String lastUnreachable;
  private int consecutiveFailures;
  private long nextAttemptAt;
  private long bufferedItems;
  private boolean closed;

  private final ReentrantLock sending = new ReentrantLock(); // one sender at a time keeps the order
  private final ScheduledExecutorService flusher;

  public MlflowServerTracker(Settings settings) {
    this(settings, TimeSource.SYSTEM, RunTags.gitCommit(Path.of("").toAbsolutePath()));
  }

  MlflowServerTracker(Settings settings, TimeSource time, Optional<String> gitCommit) {
    this.settings = settings;
    this.time = time;
    this.gitCommit = gitCommit;
    BasicMlflowHostCreds creds;
    if (settings.token() != null) {
      creds = new BasicMlflowHostCreds(settings.trackingUri(), settings.token());
    } else if (settings.username() != null) {
      creds = new BasicMlflowHostCreds(settings.trackingUri(), settings.username(), settings.password());
    } else {
      creds = new BasicMlflowHostCreds(settings.trackingUri());
    }
    this.client = new MlflowClient(creds);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    if (settings.flushInterval().isZero()) {
      this.flusher = null;
    } else {
      this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mlflow-tracker-flush");
        t.setDaemon(true);
        return t;
      });
      long ms = Math.max(1, settings.flushInterval().toMillis());
      flusher.scheduleWithFixedDelay(this::flushQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Blocking: asks the server (retrying with back-off, at most the drain timeout in all) and throws
   * {@link TrackingException} when it stays unreachable or silent. Call it before training, or use
   * {@link #startRun}, which takes the experiment by name and waits at most {@code startWait}.
   */
  @Override
  public String getOrCreateExperiment(String name) {
    MlflowNames.checkExperimentName(name);
    long timeout = settings.retry().drainTimeout().toMillis();
    ExecutorService asker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "mlflow-tracker-experiment");
      t.setDaemon(true);
      return t;
    });
    try {
      // on a thread of its own: the Java client has no timeouts, a hung server must not hang the caller
      return asker.submit(() -> experimentWithRetries(name, time.millis() + timeout))
          .get(timeout + 1_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TrackingException("MLflow server " + settings.trackingUri() + " did not answer within " + timeout
          + " ms (experiment '" + name + "')");
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof TrackingException te ? te
          : new TrackingException("experiment '" + name + "': " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrackingException("interrupted while asking for experiment '" + name + "'");
    } finally {
      asker.shutdownNow();
    }
  }

  private String experimentWithRetries(String name, long deadline) {
    int failures = 0;
    while (true) {
      sending.lock();
      try {
        return experimentIdNow(name);
      } catch (RuntimeException e) {
        if (!retryable(e)) {
          throw new TrackingException("experiment '" + name + "': " + describe(e), e);
        }
        failures++;
        long wait = settings.retry().backoffMillis(failures);
        if (time.millis() + wait > deadline) {
          throw new TrackingException("MLflow server " + settings.trackingUri() + " unreachable: " + describe(e), e);
        }
        sleep(wait);
      } finally {
        sending.unlock();
      }
    }
  }

  /**
   * Queues the run's creation and, when nothing else is waiting, lets the sender create it at once:
   * if the server answers within {@code startWait} the id returned is the server's run id, otherwise
   * a provisional {@code pending-<hex>} id (the creation stays queued and is retried). Sending runs on
   * the background thread, so a server that hangs cannot hold training for longer than
   * {@code startWait}. Throws only for a run MLflow refuses (bad tags, an unknown parent id, a 4xx
   * answer to the creation).
   */
  @Override
  public String startRun(RunSpec spec) {
    String runName = RunTags.runName(spec);
    Map<String, String> tags = RunTags.forNewRun(spec, runName, null, gitCommit);
    RunState parent = spec.parentRunId() == null ? null : requireRun(spec.parentRunId());
    RunState run = new RunState("pending-" + UUID.randomUUID().toString().replace("-", ""));
    CreateRun op = new CreateRun(run, spec.experimentName(), runName, time.millis(), tags, parent);
    boolean idle;
    synchronized (state) {
      idle = queue.isEmpty() && inFlight == null && time.millis() >= nextAttemptAt && !closed;
      runs.put(run.handle, run);
      enqueue(op);
    }
    if (idle) {
      if (flusher == null) {
        flush(); // caller-driven mode (no background thread)
      } else {
        try {
          flusher.submit(this::flushQuietly).get(settings.startWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException
            | java.util.concurrent.RejectedExecutionException e) {
          // still queued: the provisional id works, the run is created when the server answers
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    synchronized (state) {
      if (run.lost) {
        throw new TrackingException("cannot create run '" + runName + "' in experiment '" + spec.experimentName()
            + "': " + run.lostReason);
      }
      if (run.serverId != null) {
        runs.put(run.serverId, run);
        return run.serverId;
      }
    }
    return run.handle;
  }

  /** The server's run id for a run id returned by {@link #startRun}, once the run exists there. */
  public Optional<String> serverRunId(String runId) {
    synchronized (state) {
      RunState r = runs.get(runId);
      return r == null ? Optional.empty() : Optional.ofNullable(r.serverId);
    }
  }

  @Override
  public void logParam(String runId, String key, String value) {
    MlflowNames.checkParam(key, value);
    synchronized (state) {
      RunState run = requireRun(runId);
      String prev = run.params.putIfAbsent(key, value);
      if (prev != null) {
        if (!prev.equals(value)) {
          throw new TrackingException("run " + runId + ": param '" + key + "' was already logged as '" + prev
              + "'; MLflow params are immutable, cannot change it to '" + value + "'");
        }
        return;
      }
      LogData d = dataFor(run, x -> x.fitsParam(key));
      if (d != null) {
        d.params.put(key, value);
      } else {
        dropped.params++;
      }
    }
  }

  @Override
  public void logMetric(String runId, Metric metric) {
    boolean full;
    synchronized (state) {
      RunState run = requireRun(runId);
      LogData d = dataFor(run, LogData::fitsMetric);
      if (d == null) {
        dropped.metrics++;
        return;
      }
      d.metrics.add(metric);
      full = d.metrics.size() >= MlflowNames.MAX_METRICS_PER_BATCH;
    }
    if (full) {
      wakeFlusher();
    }
  }

  @Override
  public void setTag(String runId, String key, String value) {
    String v = MlflowNames.checkTag(key, value);
    synchronized (state) {
      RunState run = requireRun(runId);
      LogData d = dataFor(run, x -> x.fitsTag(key));
      if (d != null) {
        if (d.tags.put(key, v) != null) {
          bufferedItems--; // replaced a value already counted
        }
      } else {
        dropped.tags++;
      }
    }
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) {
    if (!Files.isRegularFile(file)) {
      throw new TrackingException("run " + runId + ": artifact " + file + " is not a file");
    }
    String rel = joinArtifactPath(runId, artifactPath, file.getFileName().toString());
    synchronized (state) {
      enqueue(new UploadFile(requireRun(runId), file.toAbsolutePath(), rel));
    }
  }

  @Override
  public void logArtifacts(String runId, Path dir, String artifactPath) {
    if (!Files.isDirectory(dir)) {
      throw new TrackingException("run " + runId + ": artifact folder " + dir + " is not a folder");
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new TrackingException("run " + runId + ": cannot list artifact folder " + dir + ": " + e.getMessage(), e);
    }
    synchronized (state) {
      RunState run = requireRun(runId);
      for (Path f : files) {
        String rel = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
        enqueue(new UploadFile(run, f.toAbsolutePath(), joinArtifactPath(runId, artifactPath, rel)));
      }
    }
  }

  @Override
  public void endRun(String runId, RunStatus status, long endTime) {
    if (!status.isTerminal()) {
      throw new TrackingException("run " + runId + ": end status must be FINISHED, FAILED or KILLED, not " + status);
    }
    synchronized (state) {
      enqueue(new UpdateRun(requireRun(runId), status, endTime));
    }
    wakeFlusher();
  }

  /**
   * Sends what is queued, in order, unless a back-off is running; stops at the first failure that
   * is worth retrying. Returns true when nothing is left to send. Never throws.
   */
  public boolean flush() {
    sending.lock();
    return flushLocked();
  }

  /** As {@link #flush()}, but gives up waiting for another sender at {@code deadline} (epoch ms). */
  private boolean flushUntil(long deadline) {
    try {
      if (!sending.tryLock(Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return flushLocked();
  }

  /** Sends with {@code sending} held; releases it. */
  private boolean flushLocked() {
    try {
      while (true) {
        Op op;
        synchronized (state) {
          if (queue.isEmpty()) {
            return true;
          }
          if (time.millis() < nextAttemptAt) {
            return false;
          }
          op = queue.pollFirst();
          inFlight = op;
        }
        Outcome outcome = send(op);
        synchronized (state) {
          inFlight = null;
          switch (outcome) {
            case SENT -> {
              succeeded();
              bufferedItems -= items(op);
            }
            case REFUSED -> {
              refused.add(op);
              bufferedItems -= items(op);
            }
            case RETRY -> {
              queue.addFirst(op);
              return false;
            }
          }
        }
      }
    } finally {
      sending.unlock();
    }
  }

  @Override
  public TrackingReport report() {
    synchronized (state) {
      Counts unsent = new Counts();
      if (inFlight != null) {
        unsent.add(inFlight);
      }
      queue.forEach(unsent::add);
      List<String> lines = new ArrayList<>(problems);
      if (!queue.isEmpty() && lastUnreachable != null) {
        lines.add("server " + settings.trackingUri() + " unreachable: " + lastUnreachable);
      }
      if (dropped.metrics + dropped.params + dropped.tags > 0) {
        lines.add("buffer full (" + settings.maxBufferedItems() + " items) while the server was unreachable: dropped "
            + dropped.metrics + " metric values, " + dropped.params + " params, " + dropped.tags + " tags");
      }
      return new TrackingReport(
          unsent.metrics + refused.metrics + dropped.metrics,
          unsent.params + refused.params + dropped.params,
          unsent.tags + refused.tags + dropped.tags,
          unsent.artifacts + refused.artifacts,
          unsent.runOps + refused.runOps,
          lines);
    }
  }

  /**
   * Stops the background thread, keeps sending for at most the drain timeout, and logs the report
   * (warning) when something could not be sent. Never throws.
   */
  @Override
  public void close() {
    synchronized (state) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (flusher != null) {
      flusher.shutdown();
    }
    long timeout = settings.retry().drainTimeout().toMillis();
    ExecutorService drainer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "mlflow-tracker-drain");
      t.setDaemon(true);
      return t;
    });
    try {
      // A hung connection must not hang the caller: the drain runs aside and is abandoned at the deadline.
      long wallDeadline = System.currentTimeMillis() + timeout;
      Future<?> f = drainer.submit(() -> drain(time.millis() + timeout, wallDeadline));
      f.get(timeout + 1_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      synchronized (state) {
        problems.add("gave up after " + timeout + " ms waiting for the server");
      }
    } catch (Exception e) {
      synchronized (state) {
        problems.add("closing failed: " + e);
      }
    } finally {
      drainer.shutdownNow();
    }
    synchronized (state) {
      if (inFlight != null) {
        problems.add("a request to " + settings.trackingUri() + " (" + what(inFlight) + ") had not returned after "
            + timeout + " ms");
      }
    }
    TrackingReport r = report();
    if (!r.isComplete()) {
      LOG.log(System.Logger.Level.WARNING, r.summary());
    }
    try {
      client.close();
    } catch (RuntimeException e) {
      // the report above is what matters
    }
  }

  private void drain(long deadline, long wallDeadline) {
    while (!flushUntil(wallDeadline)) {
      if (System.currentTimeMillis() >= wallDeadline) {
        return;
      }
      long now = time.millis();
      long next;
      synchronized (state) {
        next = nextAttemptAt;
      }
      if (now >= deadline || next >= deadline) {
        return;
      }
      sleep(Math.max(1, next - now));
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (Throwable t) {
      synchronized (state) {
        problems.add("flush failed: " + t);
      }
    }
  }

  private void wakeFlusher() {
    if (flusher != null && !flusher.isShutdown()) {
      try {
        flusher.execute(this::flushQuietly);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing: close() drains
      }
    }
  }

  // ---- sending ----

  private Outcome send(Op op) {
    try {
      RunState run = op.run();
      if (!(op instanceof CreateRun) && (run.lost || run.serverId == null)) {
        synchronized (state) {
          problems.add("run " + run.handle + " was never created on the server; its data is lost");
        }
        return Outcome.REFUSED;
      }
      switch (op) {
        case CreateRun c -> createRunNow(c);
        case LogData d -> client.logBatch(run.serverId, toProto(d.metrics), toProtoParams(d.params),
            toProtoTags(d.tags));
        case UpdateRun u -> client.setTerminated(run.serverId, Service.RunStatus.valueOf(u.status().name()),
            u.endTime());
        case UploadFile f -> upload(f);
      }
      return Outcome.SENT;
    } catch (Refused e) {
      synchronized (state) {
        problems.add(e.getMessage());
      }
      return Outcome.REFUSED;
    } catch (RuntimeException | IOException e) {
      synchronized (state) {
        if (retryable(e)) {
          failed(e);
          return Outcome.RETRY;
        }
        if (op instanceof CreateRun c) {
          c.run().lostReason = describe(e);
          c.run().lost = true;
        }
        problems.add(what(op) + " refused: " + describe(e));
      }
      return Outcome.REFUSED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      synchronized (state) {
        failed(e);
      }
      return Outcome.RETRY;
    }
  }

  /**
   * Search by name, then create (a concurrent creator makes create fail: search again). Not
   * get-by-name: the Java client repeats every non-429 error answer three times, and get-by-name
   * answers 404 for a new experiment, while search answers 200 with an empty list.
   */
  private String experimentIdNow(String name) {
    synchronized (state) {
      String known = experimentIds.get(name);
      if (known != null) {
        return known;
      }
    }
    String id = findExperiment(name);
    if (id == null) {
      try {
        id = client.createExperiment(name);
      } catch (MlflowHttpException e) {
        if (e.getStatusCode() != 400 || !String.valueOf(e.getBodyMessage()).contains("RESOURCE_ALREADY_EXISTS")) {
          throw e;
        }
        id = findExperiment(name);
        if (id == null) {
          throw e;
        }
      }
    }
    synchronized (state) {
      experimentIds.put(name, id);
    }
    return id;
  }

  private String findExperiment(String name) {
    // MLflow's search filter takes the value in single or double quotes.
    String quoted = name.contains("'") ? "\"" + name + "\"" : "'" + name + "'";
    for (Service.Experiment e : client.searchExperiments("name = " + quoted, Service.ViewType.ACTIVE_ONLY, 1,
        List.of()).getItems()) {
      if (e.getName().equals(name)) {
        return e.getExperimentId();
      }
    }
    return null;
  }

  private void createRunNow(CreateRun c) {
    String expId = experimentIdNow(c.experimentName());
    Map<String, String> tags = new LinkedHashMap<>(c.tags());
    if (c.parent() != null) {
      if (c.parent().serverId != null) {
        tags.put(RunTags.PARENT_RUN_ID, c.parent().serverId);
      } else {
        synchronized (state) {
          problems.add("run '" + c.runName() + "': parent run " + c.parent().handle
              + " was never created on the server; created without mlflow.parentRunId");
        }
      }
    }
    Service.CreateRun request = Service.CreateRun.newBuilder()
        .setExperimentId(expId)
        .setRunName(c.runName())
        .setUserId(RunTags.user())
        .setStartTime(c.startTime())
        .addAllTags(toProtoTags(tags))
        .build();
    Service.RunInfo info = client.createRun(request);
    c.run().artifactUri = info.getArtifactUri();
    c.run().serverId = info.getRunId();
  }

  private void upload(UploadFile f) throws IOException, InterruptedException, Refused {
    String artifactUri = f.run().artifactUri;
    if (artifactUri == null || !artifactUri.startsWith("mlflow-artifacts:")) {
      throw new Refused("run " + f.run().serverId + ": artifact " + f.artifactPath() + " not uploaded: artifact_uri '"
          + artifactUri + "' is not served by the tracking server; " + NOT_SUPPORTED_ARTIFACTS);
    }
    if (!Files.isRegularFile(f.source())) {
      throw new Refused("run " + f.run().serverId + ": artifact file " + f.source() + " disappeared before upload");
    }
    URI target = artifactPutUri(settings.trackingUri(), artifactUri, f.artifactPath());
    HttpRequest.Builder req = HttpRequest.newBuilder(target)
        .timeout(Duration.ofMinutes(10))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofFile(f.source()));
    authHeader().ifPresent(h -> req.header("Authorization", h));
    HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    int code = resp.statusCode();
    if (code / 100 == 2) {
      return;
    }
    if (code >= 500 || code == 429 || code == 408) {
      throw new IOException("HTTP " + code + " from PUT " + target.getPath());
    }
    throw new Refused("run " + f.run().serverId + ": artifact " + f.artifactPath() + " refused: HTTP " + code + " "
        + resp.body().strip());
  }

  /**
   * {@code mlflow-artifacts:/1/<run>/artifacts} + {@code dir/a.txt} ->
   * {@code <tracking>/api/2.0/mlflow-artifacts/artifacts/1/<run>/artifacts/dir/a.txt}. A URI with a
   * host ({@code mlflow-artifacts://h:p/...}) goes to that host with the tracking URI's scheme.
   */
  static URI artifactPutUri(String trackingUri, String artifactUri, String relPath) {
    URI a = URI.create(artifactUri);
    URI base = URI.create(trackingUri);
    String authority = a.getRawAuthority() != null ? a.getRawAuthority() : base.getRawAuthority();
    String prefix = a.getRawAuthority() != null ? "" : (base.getPath() == null ? "" : base.getPath());
    String root = a.getPath() == null ? "" : a.getPath().replaceAll("^/+", "").replaceAll("/+$", "");
    String path = prefix + "/api/2.0/mlflow-artifacts/artifacts/" + (root.isEmpty() ? "" : root + "/") + relPath;
    try {
      return new URI(new URI(base.getScheme(), authority, path, null, null).toASCIIString());
    } catch (URISyntaxException e) {
      throw new TrackingException("cannot build artifact URL for " + artifactUri + " + " + relPath + ": " + e.getMessage());
    }
  }

  private Optional<String> authHeader() {
    if (settings.token() != null) {
      return Optional.of("Bearer " + settings.token());
    }
    if (settings.username() != null) {
      String up = settings.username() + ":" + (settings.password() == null ? "" : settings.password());
      return Optional.of("Basic " + Base64.getEncoder().encodeToString(up.getBytes(StandardCharsets.UTF_8)));
    }
    return Optional.empty();
  }

  // ---- queue helpers (callers hold `state`) ----

  private void enqueue(Op op) {
    if (closed) {
      dropped.add(op);
      problems.add("logged after close: not sent");
      return;
    }
    queue.addLast(op);
    bufferedItems += items(op);
  }

  /** The batch to add one item to: the queue's tail if it is this run's and has room, else a new one. */
  private LogData dataFor(RunState run, java.util.function.Predicate<LogData> fits) {
    if (closed) {
      problems.add("logged after close: not sent");
      return null;
    }
    if (bufferedItems >= settings.maxBufferedItems()) {
      return null;
    }
    bufferedItems++;
    if (queue.peekLast() instanceof LogData d && d.run == run && fits.test(d)) {
      return d;
    }
    LogData d = new LogData(run);
    queue.addLast(d);
    return d;
  }

  private static long items(Op op) {
    return op instanceof LogData d ? d.size() : 0;
  }

  private void succeeded() {
    consecutiveFailures = 0;
    nextAttemptAt = 0;
    lastUnreachable = null;
  }

  private void failed(Exception e) {
    consecutiveFailures++;
    nextAttemptAt = time.millis() + settings.retry().backoffMillis(consecutiveFailures);
    lastUnreachable = describe(e);
  }

  private RunState requireRun(String runId) {
    synchronized (state) {
      RunState r = runs.get(runId);
      if (r == null) {
        throw new TrackingException("unknown run id '" + runId + "' (not started by this tracker)");
      }
      return r;
    }
  }

  private static String joinArtifactPath(String runId, String artifactPath, String name) {
    String dir = artifactPath == null ? "" : artifactPath.replace('\\', '/');
    String joined = dir.isEmpty() ? name : dir + "/" + name;
    String norm = MlflowNames.posixNormpath(joined);
    if (norm.startsWith("..") || norm.startsWith("/") || norm.equals(".")) {
      throw new TrackingException("run " + runId + ": artifact path '" + joined + "' leaves the run's artifacts");
    }
    return norm;
  }

  /** Connection errors, 5xx, 429 and 408 are worth retrying; other answers are final. */
  static boolean retryable(Exception e) {
    if (e instanceof MlflowHttpException h) {
      int code = h.getStatusCode();
      return code >= 500 || code == 429 || code == 408;
    }
    return e instanceof MlflowClientException || e instanceof IOException || e instanceof InterruptedException;
  }

  private static String describe(Exception e) {
    if (e instanceof MlflowHttpException h) {
      String body = h.getBodyMessage() == null ? "" : h.getBodyMessage().strip().replaceAll("\\s+", " ");
      return "HTTP " + h.getStatusCode() + (body.isEmpty() ? "" : " " + (body.length() > 300 ? body.substring(0, 300) : body));
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  private static String what(Op op) {
    RunState r = op.run();
    String id = r.serverId != null ? r.serverId : r.handle;
    return switch (op) {
      case CreateRun c -> "create run '" + c.runName() + "'";
      case LogData d -> "log-batch of run " + id + " (" + d.metrics.size() + " metrics, " + d.params.size()
          + " params, " + d.tags.size() + " tags)";
      case UpdateRun u -> "set status " + u.status() + " of run " + id;
      case UploadFile f -> "artifact " + f.artifactPath() + " of run " + id;
    };
  }

  private void sleep(long ms) {
    try {
      time.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Service.Metric> toProto(List<Metric> metrics) {
    List<Service.Metric> out = new ArrayList<>(metrics.size());
    for (Metric m : metrics) {
      out.add(Service.Metric.newBuilder().setKey(m.key()).setValue(m.value()).setTimestamp(m.timestamp())
          .setStep(m.step()).build());
    }
    return out;
  }

  private static List<Service.Param> toProtoParams(Map<String, String> params) {
    List<Service.Param> out = new ArrayList<>();
    params.forEach((k, v) -> out.add(Service.Param.newBuilder().setKey(k).setValue(v).build()));
    return out;
  }

  private static List<Service.RunTag> toProtoTags(Map<String, String> tags) {
    List<Service.RunTag> out = new ArrayList<>();
    tags.forEach((k, v) -> out.add(Service.RunTag.newBuilder().setKey(k).setValue(v).build()));
    return out;
  }

  /** A final answer for one queued item (not worth retrying). */
  private static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }
}
