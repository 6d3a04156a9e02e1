package org.maskprop.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskprop.InputException;
import org.maskprop.config.ConfigTree;
import org.maskprop.config.DataConfig;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.PairBatch;
import org.maskprop.data.PairLoader;
import org.maskprop.data.YtvisDataset;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.ops.LossTerms;
import org.maskprop.tracking.RunSpec;
import org.maskprop.tracking.RunStatus;
import org.maskprop.tracking.Tracker;
import org.maskprop.util.AtomicFiles;

/**
 * One training run into a run folder, as the {@code train} command and the notebooks start it: the
 * composition the package doc spells out (config -> data -> {@link ModelFactory} -> {@link Trainer}
 * with {@link Hooks#standard}), plus the run record.
 *
 * <p>Run folder: {@code config.yaml} (the resolved config, rewritten atomically by each
 * invocation), {@code categories.json} (the training split's categories in the YouTube-VIS layout,
 * with no videos: the model's class {@code k} is the {@code k}-th smallest category id, see {@link
 * org.maskprop.data.CategoryIndex}; inference on raw videos needs them without a dataset), the
 * checkpoints and {@code last_checkpoint} ({@link Checkpointer}), and {@code mlflow_run_id} (the
 * tracker run of the latest invocation). A resume may change {@code
 * train.iterations} (to extend a run) and with it the schedule values derived from it: the
 * checkpoint's config key ({@link #resumeKey}) leaves them out. Every other key must be as the run
 * started.
 */
public final class TrainRun {
  public static final String EXPERIMENT = "maskprop-train";
  public static final String CONFIG_FILE = "config.yaml";
  public static final String CATEGORIES_FILE = "categories.json";
  public static final String RUN_ID_FILE = "mlflow_run_id";
  public static final String TAG_RUN_DIR = "maskprop.runDir";
  public static final String TAG_RESUMED_FROM = "maskprop.resumedFromRun";
  public static final String TAG_START_ITERATION = "maskprop.startIteration";

  private TrainRun() {}

  /**
   * What a run did.
   *
   * @param runId tracker run id (null without a tracker)
   * @param startIteration first iteration of this invocation (0, or the checkpoint's + 1)
   * @param maxIteration {@code train.iterations}
   * @param seconds wall time of the iterations run here
   * @param lastLosses loss terms of the last step (empty when no step ran)
   * @param lastTotal their total (NaN when no step ran)
   */
  public record Result(String runId, long startIteration, long maxIteration, double seconds,
      Map<String, Float> lastLosses, float lastTotal) {
    /** Iterations run by this invocation. */
    public long iterations() {
      return maxIteration - startIteration;
    }
  }

  /** Where the training split is: {@code <root>/<trainSplit>.json} and its frame folder. */
  public record TrainData(Path json, Path imageRoot) {
    /**
     * Resolves (against the working directory) and checks the paths of {@code data}.
     *
     * @throws InputException naming the missing path and how to generate SynthVIS there
     */
    public static TrainData of(DataConfig data) {
      Path root = Path.of(data.root()).toAbsolutePath().normalize();
      Path json = root.resolve(data.trainSplit() + ".json");
      Path images = data.imageRoot() != null ? Path.of(data.imageRoot()).toAbsolutePath().normalize()
          : root.resolve(data.trainSplit()).resolve("JPEGImages");
      String hint = "; generate SynthVIS there with `bin/maskprop synth --out " + root
          + "` or point data.root at a YouTube-VIS layout";
      if (!Files.isRegularFile(json)) {
        throw new InputException("data.root=" + data.root() + ": no training split " + json + hint);
      }
      if (!Files.isDirectory(images)) {
        throw new InputException("data.root=" + data.root() + ": no frame folder " + images + hint);
      }
      return new TrainData(json, images);
    }
  }

  /**
   * Trains {@code config} into {@code runDir}.
   *
   * @param resume continue from {@code runDir/last_checkpoint} (a fresh start when there is none);
   *     without it, a folder that already holds a checkpoint is refused
   * @param tracker where params and per-step metrics go (experiment {@value #EXPERIMENT}); null: none
   * @throws InputException on missing data, a config that does not fit the data or the checkpoint
   * @throws TrainingDivergedException when a loss becomes NaN or infinite
   */
  public static Result run(MaskPropConfig config, Path runDir, boolean resume, Tracker tracker) {
    return run(config, runDir, resume, tracker, List.of());
  }

  /**
   * {@link #run(MaskPropConfig, Path, boolean, Tracker)} with {@code extraHooks} after the standard
   * ones (e.g. a benchmark's memory sampler).
   */
  public static Result run(MaskPropConfig config, Path runDir, boolean resume, Tracker tracker,
      List<TrainingHook> extraHooks) {
    TrainData data = TrainData.of(config.data());
    if (!resume && Files.exists(runDir.resolve(Checkpointer.POINTER))) {
      throw new InputException(runDir + ": already holds a run (" + Checkpointer.POINTER
          + "); add --resume to continue it or choose another output folder");
    }
    YtvisDataset dataset = YtvisDataset.read(data.json(), data.imageRoot());
    createDirectories(runDir);
    AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), config.toYaml());
    new YtvisDataset(null, null, null, List.of(), dataset.categories(), List.of())
        .write(runDir.resolve(CATEGORIES_FILE));

    String runId = null;
    if (tracker != null) {
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put(TAG_RUN_DIR, runDir.toAbsolutePath().normalize().toString());
      previousRunId(runDir).filter(id -> resume).ifPresent(id -> tags.put(TAG_RESUMED_FROM, id));
      runId = tracker.startRun(new RunSpec(EXPERIMENT, runDir.getFileName().toString(), null, tags));
      Map<String, String> params = new LinkedHashMap<>(config.flatten());
      params.put("config.sha256", config.hash());
      tracker.logParams(runId, params);
      AtomicFiles.writeString(runDir.resolve(RUN_ID_FILE), runId);
    }
    LastStep last = new LastStep();
    long start = 0;
    long t0 = System.nanoTime();
    try (NDManager m = NDManager.newBaseManager();
        PairLoader loader = PairLoader.of(dataset, data.imageRoot(), config.data(), config.train(), config.seed(), m)) {
      VideoMaskRcnn model = ModelFactory.build(config, m, config.data().minSize(), config.data().maxSize());
      Checkpointer ck = new Checkpointer(runDir, resumeKey(config), config.seed(), config.train().keepCheckpoints());
      List<TrainingHook> hooks = new ArrayList<>(Hooks.standard(config.train(), ck, tracker, runId));
      hooks.addAll(extraHooks);
      hooks.add(last);
      BatchSource<PairBatch> batches = new BatchSource<>() {
        @Override
        public PairBatch load(long index) {
          return loader.load(index);
        }

        @Override
        public PairBatch load(long index, ai.djl.Device device) {
          return loader.load(index, device);
        }
      };
      try (Trainer<PairBatch> t = new Trainer<>(trainable(model), batches, config.train(), config.seed(), null,
          ck, hooks, m)) {
        if (resume) {
          start = t.resumeOrLoad(runDir, true).startIteration();
        }
        if (tracker != null) {
          tracker.setTag(runId, TAG_START_ITERATION, Long.toString(start));
        }
        t0 = System.nanoTime();
        t.train();
      }
    } catch (RuntimeException | Error e) {
      if (tracker != null) {
        tracker.endRun(runId, RunStatus.FAILED);
      }
      throw e;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (tracker != null) {
      tracker.endRun(runId, RunStatus.FINISHED);
    }
    return new Result(runId, start, config.train().iterations(), seconds, last.losses, last.total);
  }

  /** {@link VideoMaskRcnn} as the trainer sees it. */
  public static TrainableModel<PairBatch> trainable(VideoMaskRcnn model) {
    return new TrainableModel<>() {
      @Override
      public Block block() {
        return model;
      }

      @Override
      public LossTerms forwardTrain(ParameterStore ps, PairBatch batch) {
        return model.forwardTrain(ps, batch);
      }
    };
  }

  /**
   * The config identity a resume must match: SHA-256 of the resolved YAML without {@code
   * train.iterations} and the values presets derive from it (warm-up, LR steps, checkpoint period;
   * {@code Presets.get(name, iterations)}), so a run can be extended: the extended run follows the
   * schedule of its new length from the resumed iteration on.
   */
  public static String resumeKey(MaskPropConfig config) {
    ObjectNode tree = ConfigTree.toTree(config);
    ObjectNode train = (ObjectNode) tree.get("train");
    train.put("iterations", 1);
    train.put("warmupIterations", 0);
    train.putArray("lrSteps");
    train.put("checkpointPeriod", 1);
    MaskPropConfig normalized = ConfigTree.convert(tree, MaskPropConfig.class, "resume key");
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(normalized.toYaml().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static java.util.Optional<String> previousRunId(Path runDir) {
    Path f = runDir.resolve(RUN_ID_FILE);
    try {
      return Files.isRegularFile(f) ? java.util.Optional.of(Files.readString(f).trim()) : java.util.Optional.empty();
    } catch (IOException e) {
      return java.util.Optional.empty(); // only a tag: not worth failing the run
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run folder " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Keeps the last step's losses for the {@link Result}. */
  private static final class LastStep implements TrainingHook {
    Map<String, Float> losses = Map.of();
    float total = Float.NaN;

    @Override
    public void afterStep(TrainContext ctx) {
      losses = ctx.losses();
      total = ctx.totalLoss();
    }
  }
}
