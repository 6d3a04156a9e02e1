package org.maskprop.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.maskprop.InputException;
import org.maskprop.config.DataConfig;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.CategoryIndex;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.data.YtvisResults;
import org.maskprop.infer.InferenceRunner;
import org.maskprop.infer.VideoPredictor;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.train.Checkpointer;
import org.maskprop.train.OwnedSgd;
import org.maskprop.train.TrainState;
import org.maskprop.train.TrainingHook;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maskprop predict}: MaskProp inference (Sec. 4.3) over every video of a split, written as
 * a YouTube-VIS results file that {@code maskprop eval} reads.
 */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = "Video instance segmentation of a split with a trained checkpoint: results JSON "
        + "in the YouTube-VIS submission format (RLE masks at each video's own size).")
final class PredictCommand implements Callable<Integer> {

  @Option(names = "--checkpoint", required = true,
      description = "Checkpoint file (model_*.ckpt) or run folder (its last_checkpoint).")
  Path checkpoint;

  @Option(names = "--data", required = true,
      description = "Data root holding <split>.json and <split>/JPEGImages.")
  Path data;

  @Option(names = "--split", defaultValue = "valid", description = "Split (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--image-root", description = "Frame folder (default: DATA/<split>/JPEGImages).")
  Path imageRoot;

  @Option(names = "--out", required = true, description = "Results JSON to write (atomically).")
  Path out;

  @Option(names = "--preset", defaultValue = "cpu-tiny",
      description = "Config preset the checkpoint was trained with (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--config", description = "Config YAML the checkpoint was trained with (instead of --preset).")
  Path config;

  @Option(names = "--set", description = "Config override key=value (repeatable).")
  List<String> sets = new ArrayList<>();

  @Option(names = "--video", description = "Only these video ids (repeatable).")
  List<Integer> videoIds = new ArrayList<>();

  @Override
  public Integer call() {
    MaskPropConfig cfg = config != null ? MaskPropConfig.load(config, sets) : MaskPropConfig.fromPreset(preset, sets);
    Path json = data.resolve(split + ".json");
    Path frames = imageRoot != null ? imageRoot : data.resolve(split).resolve("JPEGImages");
    if (!Files.isRegularFile(json)) {
      throw new InputException(json + ": no such file (--data " + data + ", --split " + split + ")");
    }
    YtvisDataset ds = YtvisDataset.read(json, frames);
    CategoryIndex categories = CategoryIndex.of(ds);
    DataConfig dc = cfg.data();
    if (ds.categories().size() != dc.numClasses()) {
      throw new InputException(json + ": " + ds.categories().size() + " categories, but data.numClasses is "
          + dc.numClasses() + " in the config");
    }
    List<YtvisDataset.Video> videos = new ArrayList<>();
    for (YtvisDataset.Video v : ds.videos()) {
      if (videoIds.isEmpty() || videoIds.contains(v.id())) {
        videos.add(v);
      }
    }
    for (int id : videoIds) {
      if (videos.stream().noneMatch(v -> v.id() == id)) {
        throw new InputException(json + ": no video with id " + id + " (--video)");
      }
    }
    List<YtvisResult> results = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      VideoMaskRcnn model = ModelFactory.build(cfg, manager, dc.minSize(), dc.minSize());
      load(model, manager, cfg);
      ParameterStore ps = new ParameterStore(manager, false);
      InferenceRunner.VideoInference inference = VideoPredictor.forDataset(ps, model, frames, cfg.infer(),
          dc.minSize(), dc.maxSize(), categories, true);
      for (YtvisDataset.Video v : videos) {
        results.addAll(inference.predict(v));
      }
    }
    YtvisResults.write(out, results);
    System.out.println("predict: " + videos.size() + " videos, " + results.size() + " results -> " + out);
    return 0;
  }

  /** Weights only (no optimizer or hook state): every parameter must be in the file. */
  private void load(VideoMaskRcnn model, NDManager manager, MaskPropConfig cfg) {
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
    Path runDir = Files.isDirectory(checkpoint) ? checkpoint : checkpoint.toAbsolutePath().getParent();
    if (!Files.exists(checkpoint)) {
      throw new InputException(checkpoint + ": no such checkpoint (--checkpoint)");
    }
    new Checkpointer(runDir, cfg.hash(), cfg.seed(), 0).resumeOrLoad(checkpoint, false, state, Set.of());
  }
}
