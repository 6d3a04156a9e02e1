package org.maskprop.tracking;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads an MLflow 2.x file store ({@code mlruns/}): experiments, runs, params, tags and metric
 * histories, written by MLflow itself or by {@link FileStoreTracker}. Used by reports; read-only.
 * Deleted experiments (in {@code .trash}) and deleted runs are left out.
 */
public final class FileStoreReader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** Folders of the root that are not experiments (MLflow's trash and model registry). */
  private static final List<String> NOT_EXPERIMENTS = List.of(".trash", "models");
  /** Folders of an experiment that are not runs ({@code RESERVED_EXPERIMENT_FOLDERS}). */
  private static final List<String> NOT_RUNS = List.of("tags", "datasets", "traces");

  private final Path root;

  public FileStoreReader(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** Active experiments, newest first like MLflow's search (creation time desc, then id). */
  public List<ExperimentInfo> experiments() {
    List<ExperimentInfo> out = new ArrayList<>();
    for (Path dir : subdirs(root)) {
      String id = dir.getFileName().toString();
      if (NOT_EXPERIMENTS.contains(id) || !Files.isRegularFile(dir.resolve("meta.yaml"))) {
        continue;
      }
      ExperimentInfo e = readExperiment(dir);
      if ("active".equals(e.lifecycleStage())) {
        out.add(e);
      }
    }
    out.sort(Comparator.comparing((ExperimentInfo e) -> e.creationTime() == null ? 0L : e.creationTime())
        .reversed().thenComparing(ExperimentInfo::experimentId));
    return out;
  }

  public Optional<ExperimentInfo> experimentByName(String name) {
    return experiments().stream().filter(e -> e.name().equals(name)).findFirst();
  }

  public Optional<ExperimentInfo> experiment(String experimentId) {
    Path dir = root.resolve(experimentId);
    return Files.isRegularFile(dir.resolve("meta.yaml")) ? Optional.of(readExperiment(dir)) : Optional.empty();
  }

  /** Active runs of an experiment, oldest first (start time, then id). */
  public List<RunInfo> runs(String experimentId) {
    Path expDir = root.resolve(experimentId);
    List<RunInfo> out = new ArrayList<>();
    for (Path dir : subdirs(expDir)) {
      if (NOT_RUNS.contains(dir.getFileName().toString()) || !Files.isRegularFile(dir.resolve("meta.yaml"))) {
        continue;
      }
      RunInfo r = readRunInfo(dir);
      if (r.experimentId().equals(experimentId) && "active".equals(r.lifecycleStage())) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparingLong(RunInfo::startTime).thenComparing(RunInfo::runId));
    return out;
  }

  /** The run with this id in any active experiment. */
  public Optional<RunInfo> run(String runId) {
    return runDir(runId).map(FileStoreReader::readRunInfo);
  }

  /** Direct children runs of a run ({@code mlflow.parentRunId} tag). */
  public List<RunInfo> childRuns(String parentRunId) {
    RunInfo parent = run(parentRunId).orElseThrow(() -> new TrackingException("no run " + parentRunId + " in " + root));
    return runs(parent.experimentId()).stream()
        .filter(r -> parentRunId.equals(tags(r.runId()).get(RunTags.PARENT_RUN_ID)))
        .toList();
  }

  public Map<String, String> params(String runId) {
    return readKeyFiles(requireRunDir(runId).resolve("params"));
  }

  public Map<String, String> tags(String runId) {
    return readKeyFiles(requireRunDir(runId).resolve("tags"));
  }

  /** Every value of one metric in file order (the order it was logged). */
  public List<Metric> metricHistory(String runId, String key) {
    MlflowNames.checkKey("metric", key);
    Path file = requireRunDir(runId).resolve("metrics").resolve(key);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<Metric> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : readLines(file)) {
      lineNo++;
      if (!line.isBlank()) {
        out.add(parseMetricLine(key, line, file + ":" + lineNo));
      }
    }
    return out;
  }

  /** The latest value of each metric: MLflow takes the max of (step, timestamp, value). */
  public Map<String, Metric> latestMetrics(String runId) {
    Map<String, Metric> out = new TreeMap<>();
    for (String key : readKeyFiles(requireRunDir(runId).resolve("metrics")).keySet()) {
      metricHistory(runId, key).stream()
          .max(Comparator.comparingLong(Metric::step).thenComparingLong(Metric::timestamp)
              .thenComparingDouble(Metric::value))
          .ifPresent(m -> out.put(key, m));
    }
    return out;
  }

  /** The local folder of a run's artifacts (its artifact_uri must be a file: URI). */
  public Path artifactDir(String runId) {
    RunInfo r = run(runId).orElseThrow(() -> new TrackingException("no run " + runId + " in " + root));
    if (r.artifactUri() == null || !r.artifactUri().startsWith("file:")) {
      throw new TrackingException("run " + runId + ": artifact_uri '" + r.artifactUri() + "' is not a local file: URI");
    }
    return FileStoreFormat.pathOfFileUri(r.artifactUri());
  }

  public Optional<Path> runDir(String runId) {
    MlflowNames.checkRunId(runId);
    for (Path exp : subdirs(root)) {
      if (NOT_EXPERIMENTS.contains(exp.getFileName().toString())) {
        continue;
      }
      Path dir = exp.resolve(runId);
      if (Files.isRegularFile(dir.resolve("meta.yaml"))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  private Path requireRunDir(String runId) {
    return runDir(runId).orElseThrow(() -> new TrackingException("no run " + runId + " in " + root));
  }

  static Metric parseMetricLine(String key, String line, String where) {
    String[] parts = line.strip().split(" ");
    if (parts.length != 2 && parts.length != 3) {
      throw new TrackingException(where + ": metric line has " + parts.length + " fields, expected 'timestamp value step'");
    }
    try {
      return new Metric(key, parsePythonFloat(parts[1]), Long.parseLong(parts[0]),
          parts.length == 3 ? Long.parseLong(parts[2]) : 0L);
    } catch (NumberFormatException e) {
      throw new TrackingException(where + ": malformed metric line '" + line + "'");
    }
  }

  /** Python's float() for what MLflow writes: also nan, inf, -inf. */
  static double parsePythonFloat(String s) {
    return switch (s.toLowerCase(java.util.Locale.ROOT)) {
      case "nan", "+nan", "-nan" -> Double.NaN;
      case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  static Map<String, Object> readYaml(Path file) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = YAML.readValue(file.toFile(), Map.class);
      if (m == null) {
        throw new TrackingException(file + ": empty meta.yaml");
      }
      return m;
    } catch (IOException e) {
      throw new TrackingException(file + ": cannot read YAML: " + e.getMessage(), e);
    }
  }

  static ExperimentInfo readExperiment(Path dir) {
    Map<String, Object> m = readYaml(dir.resolve("meta.yaml"));
    return new ExperimentInfo(
        String.valueOf(m.get("experiment_id")),
        String.valueOf(m.get("name")),
        m.get("artifact_location") == null ? null : m.get("artifact_location").toString(),
        m.get("lifecycle_stage") == null ? "active" : m.get("lifecycle_stage").toString(),
        m.get("creation_time") == null ? null : ((Number) m.get("creation_time")).longValue(),
        m.get("last_update_time") == null ? null : ((Number) m.get("last_update_time")).longValue(),
        readKeyFiles(dir.resolve("tags")));
  }

  static RunInfo readRunInfo(Path dir) {
    return RunInfo.fromMetaYaml(readYaml(dir.resolve("meta.yaml")), dir.toString());
  }

  /** Files under {@code dir} (recursively: keys may hold '/') as key -> content. */
  static Map<String, String> readKeyFiles(Path dir) {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String key = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
        out.put(key, Files.readString(f, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static List<Path> subdirs(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** For tests and tools: the meta.yaml of a run as a raw map. */
  static Map<String, Object> rawMeta(Path runOrExperimentDir) {
    return new LinkedHashMap<>(readYaml(runOrExperimentDir.resolve("meta.yaml")));
  }
}
