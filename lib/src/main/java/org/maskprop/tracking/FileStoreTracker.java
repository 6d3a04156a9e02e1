package org.maskprop.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.maskprop.util.AtomicFiles;

/**
 * Writes MLflow 2.17.2's file-store layout, so {@code mlflow ui --backend-store-uri ./mlruns} shows
 * our runs:
 *
 * <pre>
 * mlruns/.trash/
 * mlruns/0/meta.yaml                                  Default experiment, made with the root
 * mlruns/&lt;exp id&gt;/meta.yaml, tags/&lt;key&gt;                  18-digit random id
 * mlruns/&lt;exp id&gt;/&lt;run uuid hex&gt;/meta.yaml               status as int, times in ms
 * mlruns/&lt;exp id&gt;/&lt;run&gt;/params/&lt;key&gt;                      value, no newline
 * mlruns/&lt;exp id&gt;/&lt;run&gt;/metrics/&lt;key&gt;                     "timestamp value step" lines
 * mlruns/&lt;exp id&gt;/&lt;run&gt;/tags/&lt;key&gt;                        value, no newline
 * mlruns/&lt;exp id&gt;/&lt;run&gt;/artifacts/...
 * </pre>
 *
 * <p>Several processes may share a store (a grid of runs): meta.yaml files are replaced atomically,
 * metric lines are appended with one write each, and experiment creation by name holds a file lock
 * ({@code mlruns/.maskprop.lock}, a file MLflow ignores since it lists only folders) so two
 * processes never create the same name twice. Creating the store, an experiment or a run throws
 * {@link UncheckedIOException} when the disk refuses (that happens before training); the logging
 * calls never throw for I/O: a failed write is counted and named in {@link #report()}.
 */
public final class FileStoreTracker implements Tracker {
  static final String DEFAULT_EXPERIMENT_ID = "0";
  static final String DEFAULT_EXPERIMENT_NAME = "Default";
  static final String LOCK_FILE = ".maskprop.lock";

  private final Path root;
  private final String rootUri;
  private final FileStoreReader reader;
  private final Optional<String> gitCommit;
  private final Map<String, RunInfo> runs = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  /** A store at {@code root}, created (with the Default experiment 0) when missing. */
  public FileStoreTracker(Path root) {
    this(root, RunTags.gitCommit(Path.of("").toAbsolutePath()));
  }

  /** As above with a given commit (empty: no {@code mlflow.source.git.commit} tag). */
  public FileStoreTracker(Path root, Optional<String> gitCommit) {
    this.root = root.toAbsolutePath().normalize();
    this.rootUri = FileStoreFormat.fileUri(this.root);
    this.reader = new FileStoreReader(this.root);
    this.gitCommit = gitCommit;
    try {
      // As MLflow's FileStore.__init__: the Default experiment only when the root is new.
      if (!Files.exists(this.root)) {
        Files.createDirectories(this.root);
        createExperimentWithId(DEFAULT_EXPERIMENT_NAME, DEFAULT_EXPERIMENT_ID, Map.of());
      }
      Files.createDirectories(this.root.resolve(".trash"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create MLflow file store " + this.root + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  /** A reader over the same store. */
  public FileStoreReader reader() {
    return reader;
  }

  @Override
  public String getOrCreateExperiment(String name) {
    return getOrCreateExperiment(name, Map.of());
  }

  /** As {@link #getOrCreateExperiment(String)}; tags are set only when the experiment is created. */
  public String getOrCreateExperiment(String name, Map<String, String> tags) {
    MlflowNames.checkExperimentName(name);
    tags.forEach(MlflowNames::checkTag);
    synchronized (FileStoreTracker.class) {
      try (FileChannel ch = FileChannel.open(root.resolve(LOCK_FILE),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        Optional<ExperimentInfo> existing = reader.experimentByName(name);
        if (existing.isPresent()) {
          return existing.get().experimentId();
        }
        String id;
        do {
          id = uniqueIntegerId();
        } while (Files.exists(root.resolve(id)) || Files.exists(root.resolve(".trash").resolve(id)));
        createExperimentWithId(name, id, tags);
        return id;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create experiment '" + name + "' in " + root + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * MLflow's {@code _generate_unique_integer_id}: the last 18 decimal digits of a random 128-bit
   * number, with leading zeros replaced so the id keeps 18 digits.
   */
  String uniqueIntegerId() {
    UUID u = UUID.randomUUID();
    String digits = new java.math.BigInteger(1, java.nio.ByteBuffer.allocate(16)
        .putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array()).toString();
    String s = digits.length() > 18 ? digits.substring(digits.length() - 18) : digits;
    StringBuilder sb = new StringBuilder(s);
    int lead = 0;
    while (lead < s.length() && s.charAt(lead) == '0') {
      sb.append(random.nextInt(10));
      lead++;
    }
    return new java.math.BigInteger(sb.toString()).toString();
  }

  private void createExperimentWithId(String name, String id, Map<String, String> tags) throws IOException {
    Path dir = root.resolve(id);
    Files.createDirectories(dir);
    long now = System.currentTimeMillis();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("artifact_location", rootUri + "/" + id);
    meta.put("creation_time", now);
    meta.put("experiment_id", id);
    meta.put("last_update_time", now);
    meta.put("lifecycle_stage", "active");
    meta.put("name", name);
    AtomicFiles.writeString(dir.resolve("meta.yaml"), FileStoreFormat.yaml(meta));
    for (Map.Entry<String, String> t : tags.entrySet()) {
      writeKeyFile(dir.resolve("tags"), t.getKey(), t.getValue());
    }
  }

  @Override
  public String startRun(RunSpec spec) {
    String expId = getOrCreateExperiment(spec.experimentName());
    String runName = RunTags.runName(spec);
    if (spec.parentRunId() != null) {
      MlflowNames.checkRunId(spec.parentRunId());
    }
    Map<String, String> tags = RunTags.forNewRun(spec, runName, spec.parentRunId(), gitCommit);
    String runId = UUID.randomUUID().toString().replace("-", "");
    Path expDir = root.resolve(expId);
    ExperimentInfo exp = FileStoreReader.readExperiment(expDir);
    RunInfo info = new RunInfo(runId, expId, runName, RunTags.user(), RunStatus.RUNNING,
        System.currentTimeMillis(), null, exp.artifactLocation() + "/" + runId + "/artifacts", "active");
    Path dir = expDir.resolve(runId);
    try {
      Files.createDirectories(dir);
      AtomicFiles.writeString(dir.resolve("meta.yaml"), FileStoreFormat.yaml(info.toMetaYaml(true)));
      Files.createDirectories(dir.resolve("metrics"));
      Files.createDirectories(dir.resolve("params"));
      Files.createDirectories(dir.resolve("artifacts"));
      Files.createDirectories(dir.resolve("tags"));
      for (Map.Entry<String, String> t : tags.entrySet()) {
        writeKeyFile(dir.resolve("tags"), t.getKey(), t.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run in " + expDir + ": " + e.getMessage(), e);
    }
    // MLflow's create_run sets the mlflow.runName tag through set_tag, which rewrites meta.yaml with
    // update_run_info: a new run's meta.yaml ends up without deleted_time. Same sequence here.
    writeRunInfo(info);
    return runId;
  }

  @Override
  public void logParam(String runId, String key, String value) {
    MlflowNames.checkParam(key, value);
    Path file = runDir(runId).resolve("params").resolve(key);
    try {
      if (Files.exists(file)) {
        String current = Files.readString(file, StandardCharsets.UTF_8);
        if (!current.equals(value)) {
          throw new TrackingException("run " + runId + ": param '" + key + "' was already logged as '"
              + current + "'; MLflow params are immutable, cannot change it to '" + value + "'");
        }
        return;
      }
      writeKeyFile(runDir(runId).resolve("params"), key, value);
    } catch (IOException e) {
      lost(Kind.PARAM, "cannot write param '" + key + "' of run " + runId + ": " + e);
    }
  }

  @Override
  public void logMetric(String runId, Metric m) {
    Path file = runDir(runId).resolve("metrics").resolve(m.key());
    String line = m.timestamp() + " " + FileStoreFormat.pythonFloat(m.value()) + " " + m.step() + "\n";
    try {
      Files.createDirectories(file.getParent());
      // One write per line with O_APPEND: concurrent writers never interleave inside a line.
      Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      lost(Kind.METRIC, "cannot append metric '" + m.key() + "' of run " + runId + ": " + e);
    }
  }

  @Override
  public void setTag(String runId, String key, String value) {
    String v = MlflowNames.checkTag(key, value);
    try {
      writeKeyFile(runDir(runId).resolve("tags"), key, v);
    } catch (IOException e) {
      lost(Kind.TAG, "cannot write tag '" + key + "' of run " + runId + ": " + e);
      return;
    }
    if (key.equals(RunTags.RUN_NAME)) {
      try {
        writeRunInfo(runInfo(runId).withRunName(v)); // MLflow keeps run_name in sync with the tag
      } catch (UncheckedIOException e) {
        lost(Kind.RUN, "cannot rename run " + runId + ": " + e.getMessage());
      }
    }
  }

  @Override
  public void logArtifact(String runId, Path file, String artifactPath) {
    if (!Files.isRegularFile(file)) {
      throw new TrackingException("run " + runId + ": artifact " + file + " is not a file");
    }
    Path target = artifactTarget(runId, artifactPath).resolve(file.getFileName().toString());
    try {
      Files.createDirectories(target.getParent());
      Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      lost(Kind.ARTIFACT, "cannot copy artifact " + file + " to " + target + ": " + e);
    }
  }

  @Override
  public void logArtifacts(String runId, Path dir, String artifactPath) {
    if (!Files.isDirectory(dir)) {
      throw new TrackingException("run " + runId + ": artifact folder " + dir + " is not a folder");
    }
    Path target = artifactTarget(runId, artifactPath);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path to = target.resolve(dir.relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      lost(Kind.ARTIFACT, "cannot copy artifacts " + dir + " to " + target + ": " + e);
    }
  }

  @Override
  public void endRun(String runId, RunStatus status, long endTime) {
    if (!status.isTerminal()) {
      throw new TrackingException("run " + runId + ": end status must be FINISHED, FAILED or KILLED, not " + status);
    }
    try {
      writeRunInfo(runInfo(runId).terminated(status, endTime));
    } catch (UncheckedIOException e) {
      lost(Kind.RUN, "cannot end run " + runId + ": " + e.getMessage());
    }
  }

  @Override
  public synchronized TrackingReport report() {
    return new TrackingReport(lost[Kind.METRIC.ordinal()], lost[Kind.PARAM.ordinal()], lost[Kind.TAG.ordinal()],
        lost[Kind.ARTIFACT.ordinal()], lost[Kind.RUN.ordinal()], List.copyOf(problems));
  }

  private enum Kind { METRIC, PARAM, TAG, ARTIFACT, RUN }

  private final long[] lost = new long[Kind.values().length];
  private final Set<String> problems = new LinkedHashSet<>();

  /** A write the disk refused: counted and reported, never thrown into the training loop. */
  private synchronized void lost(Kind kind, String problem) {
    lost[kind.ordinal()]++;
    if (problems.size() < 20) {
      problems.add(problem);
    }
  }

  @Override
  public void close() {
    runs.clear();
  }

  /** The run's meta as we last wrote it, or as stored (a run made by another process). */
  RunInfo runInfo(String runId) {
    RunInfo r = runs.get(runId);
    if (r == null) {
      r = FileStoreReader.readRunInfo(runDir(runId));
      runs.put(runId, r);
    }
    return r;
  }

  /** MLflow's {@code _overwrite_run_info}: replaces meta.yaml; deleted_time is no longer written. */
  private void writeRunInfo(RunInfo info) {
    AtomicFiles.writeString(runDir(info.runId()).resolve("meta.yaml"), FileStoreFormat.yaml(info.toMetaYaml(false)));
    runs.put(info.runId(), info);
  }

  private Path runDir(String runId) {
    MlflowNames.checkRunId(runId);
    RunInfo known = runs.get(runId);
    if (known != null) {
      return root.resolve(known.experimentId()).resolve(runId);
    }
    return reader.runDir(runId).orElseThrow(() -> new TrackingException("no run " + runId + " in " + root));
  }

  private Path artifactTarget(String runId, String artifactPath) {
    RunInfo info = runInfo(runId);
    if (info.artifactUri() == null || !info.artifactUri().startsWith("file:")) {
      throw new TrackingException("run " + runId + ": artifact_uri '" + info.artifactUri()
          + "' is not a local file: URI; not supported: upload artifacts with the MLflow Python client");
    }
    Path base = FileStoreFormat.pathOfFileUri(info.artifactUri());
    if (artifactPath == null || artifactPath.isEmpty()) {
      return base;
    }
    String norm = MlflowNames.posixNormpath(artifactPath.replace('\\', '/'));
    if (norm.startsWith("..") || norm.startsWith("/")) {
      throw new TrackingException("run " + runId + ": artifact path '" + artifactPath + "' leaves the run's artifacts");
    }
    return norm.equals(".") ? base : base.resolve(norm);
  }

  /** A param/tag file: the value with no trailing newline (MLflow's {@code write_to}). */
  private static void writeKeyFile(Path dir, String key, String value) throws IOException {
    Path file = dir.resolve(key);
    Files.createDirectories(file.getParent());
    try {
      Files.writeString(file, value, StandardCharsets.UTF_8);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("a folder named like the key exists: " + file, e);
    }
  }
}
