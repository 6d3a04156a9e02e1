package org.maskprop.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.maskprop.InputException;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.YtvisDataset;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;

/**
 * A trained network ready for inference, read from what {@link TrainRun} leaves in a run folder: the
 * weights of a checkpoint (a {@code model_*.ckpt} file, or a run folder meaning its {@code
 * last_checkpoint}), the resolved config ({@code RUN_DIR/config.yaml}) unless the caller gives one,
 * and the training categories ({@code RUN_DIR/categories.json}) when the run wrote them.
 *
 * @param config the config the model was built from
 * @param model the network, weights loaded, parameters in the manager given to {@link #load}
 * @param ps its parameter store (inference: no gradients)
 * @param checkpoint the file or folder the weights came from
 * @param runDir the run folder (the checkpoint file's folder)
 * @param categories the training split's categories, empty for runs that did not record them
 */
public record TrainedModel(
    MaskPropConfig config,
    VideoMaskRcnn model,
    ParameterStore ps,
    Path checkpoint,
    Path runDir,
    Optional<List<YtvisDataset.Category>> categories) {

  /** The run folder of a checkpoint argument: the folder itself, or a checkpoint file's folder. */
  public static Path runDirOf(Path checkpoint) {
    return Files.isDirectory(checkpoint) ? checkpoint : checkpoint.toAbsolutePath().getParent();
  }

  /**
   * The config to build the model with: {@code configFile} or {@code preset} when given (at most one),
   * else the run folder's {@code config.yaml}; {@code sets} on top in every case (e.g. {@code
   * infer.clipLength=5}; a set that changes the architecture makes the weights fail to load).
   *
   * @throws InputException when the checkpoint does not exist, or neither is given and the run folder
   *     has no config.yaml
   */
  public static MaskPropConfig resolveConfig(Path checkpoint, Path configFile, String preset, List<String> sets) {
    if (!Files.exists(checkpoint)) {
      throw new InputException(checkpoint + ": no such checkpoint (--checkpoint)");
    }
    if (configFile != null && preset != null) {
      throw new InputException("--config " + configFile + " and --preset " + preset + ": give one of them");
    }
    if (configFile != null) {
      return MaskPropConfig.load(configFile, sets);
    }
    if (preset != null) {
      return MaskPropConfig.fromPreset(preset, sets);
    }
    Path runYaml = runDirOf(checkpoint).resolve(TrainRun.CONFIG_FILE);
    if (!Files.isRegularFile(runYaml)) {
      throw new InputException(checkpoint + ": no " + TrainRun.CONFIG_FILE + " in its run folder "
          + runDirOf(checkpoint) + "; give the config it was trained with (--preset or --config)");
    }
    return MaskPropConfig.load(runYaml, sets);
  }

  /** The categories a run folder recorded ({@code categories.json}), if any. */
  public static Optional<List<YtvisDataset.Category>> runCategories(Path runDir) {
    Path file = runDir.resolve(TrainRun.CATEGORIES_FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(YtvisDataset.read(file).categories());
  }

  /**
   * Builds {@code config}'s network in {@code manager} and loads the checkpoint's weights (weights
   * only: no optimizer or hook state; every parameter must be in the file).
   *
   * @throws InputException when the checkpoint does not exist or its weights do not fit the model
   */
  public static TrainedModel load(Path checkpoint, MaskPropConfig config, NDManager manager) {
    if (!Files.exists(checkpoint)) {
      throw new InputException(checkpoint + ": no such checkpoint (--checkpoint)");
    }
    Path runDir = runDirOf(checkpoint);
    int size = config.data().minSize();
    VideoMaskRcnn model = ModelFactory.build(config, manager, size, size);
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
    new Checkpointer(runDir, config.hash(), config.seed(), 0).resumeOrLoad(checkpoint, false, state, Set.of());
    return new TrainedModel(config, model, new ParameterStore(manager, false), checkpoint, runDir,
        runCategories(runDir));
  }
}
