package org.maskprop.experiments;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maskprop.InputException;
import org.maskprop.config.ConfigTree;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.config.Presets;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.tracking.Metric;
import org.maskprop.tracking.RunSpec;
import org.maskprop.tracking.RunStatus;
import org.maskprop.tracking.Tracker;
import org.maskprop.tracking.TrackingReport;
import org.maskprop.train.Checkpointer;
import org.maskprop.train.OwnedSgd;
import org.maskprop.train.TrainRun;
import org.maskprop.train.TrainState;
import org.maskprop.train.TrainingHook;

/**
 * The detectors of one grid run, trained once per training config and shared by every method and
 * point that trains the same way: the paper compares MaskProp with its baselines on the same
 * detector (Tables 2 and 3), and grids whose axes only change inference (Fig. 6, the threshold
 * sweep) need one training.
 *
 * <p>The cache key is the SHA-256 of the resolved config without its {@code infer} section (the
 * only section training does not read; {@link #trainingKey}). Each key trains with {@link TrainRun}
 * into {@code dir/<key prefix>/} and logs a <em>training child run</em> of the grid's parent run
 * ({@code train-<key prefix>}: params, per-step losses, tag {@value #TAG_RUN_KIND}={@code train}).
 * Method child runs name it in their tags {@value #TAG_TRAIN_RUN} and {@value #TAG_TRAIN_DIR}. A
 * folder that already holds the final checkpoint of the same training config (an earlier run of the
 * grid into the same output folder) is reused without training; a killed training resumes.
 *
 * <p>One detector is kept loaded (runs come point by point, methods of a point together); asking
 * for another key closes it. Close this when the grid ends.
 */
public final class TrainedDetectors implements AutoCloseable {
  /** Tag on a training child run: {@code train}. */
  public static final String TAG_RUN_KIND = "maskprop.runKind";
  /** Tags on method child runs: the training run and folder their detector came from. */
  public static final String TAG_TRAIN_RUN = "maskprop.trainRunId";
  public static final String TAG_TRAIN_DIR = "maskprop.trainDir";
  public static final String TAG_TRAIN_KEY = "maskprop.trainKey";
  /** Hex digits of the key in folder and run names. */
  static final int KEY_PREFIX = 16;

  /**
   * A trained detector, loaded for inference ({@code training = false}).
   *
   * @param key the training key ({@link #trainingKey})
   * @param runDir its TrainRun folder
   * @param trainRunId the training child run (null when reused from an earlier grid run or untracked)
   * @param model the network with the trained weights
   * @param ps its parameter store (inference)
   */
  public record Detector(String key, Path runDir, String trainRunId, VideoMaskRcnn model, ParameterStore ps) {}

  /** Trains a config into a run folder (TrainRun; replaceable in tests). */
  @FunctionalInterface
  interface Training {
    void train(MaskPropConfig config, Path runDir, Tracker tracker);
  }

  private final Path dir;
  private final Tracker tracker;
  private final String experiment;
  private final String parentRunId;
  private final PrintWriter log;
  private final Training training;
  /** key -> training child run id ("" when reused), for every key seen in this grid run. */
  private final Map<String, String> trained = new HashMap<>();
  private int trainings;
  private NDManager manager;
  private Detector current;

  /**
   * @param dir the grid run's training folder ({@code OUT/train})
   * @param tracker where the training child runs go (null: untracked)
   * @param experiment the grid's MLflow experiment
   * @param parentRunId the grid's parent run
   */
  public TrainedDetectors(Path dir, Tracker tracker, String experiment, String parentRunId, PrintWriter log) {
    this(dir, tracker, experiment, parentRunId, log, (c, d, t) -> TrainRun.run(c, d, true, t));
  }

  TrainedDetectors(Path dir, Tracker tracker, String experiment, String parentRunId, PrintWriter log,
      Training training) {
    this.dir = dir;
    this.tracker = tracker;
    this.experiment = experiment;
    this.parentRunId = parentRunId;
    this.log = log;
    this.training = training;
  }

  /**
   * The cache key of a config: SHA-256 of its resolved YAML without the {@code infer} section, so
   * points that differ only in inference settings share one training. Every other key (data root,
   * backbone, heads, train schedule, seed) is part of it.
   */
  public static String trainingKey(MaskPropConfig config) {
    ObjectNode tree = ConfigTree.toTree(config);
    tree.remove("infer");
    return ExperimentGrid.sha256(tree.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The config a detector is trained with: {@code config} with its {@code infer} section set to its
   * preset's, so that the run folder's {@code config.yaml} and TrainRun's resume key are the same
   * for every point of a training key (training does not read {@code infer}).
   */
  static MaskPropConfig trainingConfig(MaskPropConfig config) {
    ObjectNode tree = ConfigTree.toTree(config);
    tree.set("infer", ConfigTree.toTree(Presets.get(config.preset()).infer()));
    return ConfigTree.convert(tree, MaskPropConfig.class, "training config");
  }

  /** Trainings started by this grid run so far (reused folders do not count). */
  public int trainings() {
    return trainings;
  }

  /** The detector for {@code config}: trained on first use of its key, then loaded. */
  public Detector get(MaskPropConfig config) {
    String key = trainingKey(config);
    if (current != null && current.key().equals(key)) {
      return current;
    }
    closeCurrent();
    Path runDir = dir.resolve(key.substring(0, KEY_PREFIX));
    String runId = trained.get(key);
    if (runId == null) {
      runId = train(trainingConfig(config), key, runDir);
      trained.put(key, runId);
    }
    manager = NDManager.newBaseManager();
    VideoMaskRcnn model = ModelFactory.build(config, manager, config.data().minSize(), config.data().maxSize());
    loadWeights(model, manager, runDir, config);
    current = new Detector(key, runDir, runId.isEmpty() ? null : runId, model, new ParameterStore(manager, false));
    return current;
  }

  private String train(MaskPropConfig config, String key, Path runDir) {
    if (isComplete(runDir, config)) {
      log.printf("      detector %s: reusing the finished training in %s%n", key.substring(0, KEY_PREFIX), runDir);
      log.flush();
      return "";
    }
    log.printf("      detector %s: training %s (%d iterations) into %s%n", key.substring(0, KEY_PREFIX),
        config.backbone().arch(), config.train().iterations(), runDir);
    log.flush();
    ChildTracker child = tracker == null ? null : new ChildTracker(tracker, experiment,
        "train-" + key.substring(0, KEY_PREFIX), parentRunId, Map.of(TAG_RUN_KIND, "train", TAG_TRAIN_KEY, key));
    training.train(config, runDir, child);
    trainings++;
    return child == null || child.runId == null ? "" : child.runId;
  }

  /** A finished training of the same config: the final checkpoint and the same resume key. */
  private static boolean isComplete(Path runDir, MaskPropConfig config) {
    Path cfg = runDir.resolve(TrainRun.CONFIG_FILE);
    if (!Files.isRegularFile(runDir.resolve(Checkpointer.FINAL)) || !Files.isRegularFile(cfg)) {
      return false;
    }
    MaskPropConfig before = MaskPropConfig.load(cfg, List.of());
    return trainingKey(before).equals(trainingKey(config));
  }

  /** Weights only (no optimizer or hook state): every parameter must be in the checkpoint. */
  private static void loadWeights(VideoMaskRcnn model, NDManager manager, Path runDir, MaskPropConfig config) {
    Path file = Checkpointer.lastCheckpoint(runDir).orElseThrow(() -> new InputException(
        runDir + ": training left no checkpoint (" + Checkpointer.POINTER + " missing)"));
    OwnedSgd unused = new OwnedSgd(0, 0, manager);
    TrainState state = new TrainState() {
      @Override
      public Block block() {
        return model;
      }

      @Override
      public OwnedSgd optimizer() {
        return unused;
      }

      @Override
      public List<TrainingHook> hooks() {
        return List.of();
      }
    };
    new Checkpointer(runDir, TrainRun.resumeKey(config), config.seed(), 0).resumeOrLoad(file, false, state, Set.of());
  }

  private void closeCurrent() {
    if (manager != null) {
      manager.close();
      manager = null;
      current = null;
    }
  }

  @Override
  public void close() {
    closeCurrent();
  }

  /**
   * The tracker TrainRun sees: its run becomes a child of the grid's parent run in the grid's
   * experiment (TrainRun would start a top-level run in its own experiment), with our name and tags.
   * Closing it leaves the grid's tracker open.
   */
  static final class ChildTracker implements Tracker {
    private final Tracker t;
    private final String experiment;
    private final String runName;
    private final String parentRunId;
    private final Map<String, String> tags;
    String runId;

    ChildTracker(Tracker t, String experiment, String runName, String parentRunId, Map<String, String> tags) {
      this.t = t;
      this.experiment = experiment;
      this.runName = runName;
      this.parentRunId = parentRunId;
      this.tags = tags;
    }

    @Override
    public String startRun(RunSpec spec) {
      Map<String, String> all = new LinkedHashMap<>(spec.tags());
      all.putAll(tags);
      runId = t.startRun(new RunSpec(experiment, runName, parentRunId, all));
      return runId;
    }

    @Override
    public String getOrCreateExperiment(String name) {
      return t.getOrCreateExperiment(experiment);
    }

    @Override
    public void logParam(String runId, String key, String value) {
      t.logParam(runId, key, value);
    }

    @Override
    public void logMetric(String runId, Metric metric) {
      t.logMetric(runId, metric);
    }

    @Override
    public void setTag(String runId, String key, String value) {
      t.setTag(runId, key, value);
    }

    @Override
    public void logArtifact(String runId, Path file, String artifactPath) {
      t.logArtifact(runId, file, artifactPath);
    }

    @Override
    public void logArtifacts(String runId, Path dir, String artifactPath) {
      t.logArtifacts(runId, dir, artifactPath);
    }

    @Override
    public void endRun(String runId, RunStatus status, long endTime) {
      t.endRun(runId, status, endTime);
    }

    @Override
    public TrackingReport report() {
      return t.report();
    }

    @Override
    public void close() {
      // the grid's tracker outlives the training
    }
  }
}
