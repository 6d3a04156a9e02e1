package org.maskprop.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.maskprop.InputException;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResults;
import org.maskprop.data.YtvisSubmission;
import org.maskprop.infer.PredictJob;
import org.maskprop.infer.VideoInput;
import org.maskprop.infer.VideoMethod;
import org.maskprop.infer.VideoMethods;
import org.maskprop.train.TrainedModel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maskprop predict}: video instance segmentation of a dataset split or of one raw video
 * with a trained checkpoint and one {@link VideoMethod}, written as a YouTube-VIS results file that
 * {@code maskprop eval} reads. The work is {@link PredictJob}'s; this class only parses options.
 */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Video instance segmentation with a trained checkpoint: a dataset split (--data/--split) or one raw "
          + "video file (--video), written as a results JSON in the YouTube-VIS submission format (RLE masks "
          + "at each video's own size).",
      "A corrupt frame is reported and written as null in every track; an unreadable video is reported "
          + "and skipped. Exit 0 when results were written (warnings are counted), 2 when no video could "
          + "be read or on bad input."
    })
final class PredictCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--checkpoint", required = true, paramLabel = "CKPT|RUN_DIR",
      description = "Checkpoint file (model_*.ckpt) or run folder (its last_checkpoint). Without --preset/"
          + "--config the run folder's config.yaml is used; its categories.json names the classes.")
  Path checkpoint;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @ArgGroup(exclusive = false, multiplicity = "1", heading = "Dataset input:%n")
    DatasetInput dataset;

    @ArgGroup(exclusive = false, multiplicity = "1", heading = "Raw video input:%n")
    VideoFileInput video;
  }

  static final class DatasetInput {
    @Option(names = "--data", required = true, paramLabel = "ROOT",
        description = "Data root holding <split>.json and <split>/JPEGImages.")
    Path data;

    @Option(names = "--split", defaultValue = "valid", description = "Split (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--image-root", paramLabel = "DIR", description = "Frame folder (default: ROOT/<split>/JPEGImages).")
    Path imageRoot;

    @Option(names = "--only-video", paramLabel = "ID", description = "Only these video ids (repeatable).")
    List<Integer> videoIds = new ArrayList<>();
  }

  static final class VideoFileInput {
    @Option(names = "--video", required = true, paramLabel = "FILE",
        description = "A video file (e.g. MP4) decoded with FFmpeg: one video, one frame per decoded frame.")
    Path file;

    @Option(names = "--video-id", defaultValue = "1", paramLabel = "N",
        description = "Its video_id in the results (default: ${DEFAULT-VALUE}).")
    int videoId;

    @Option(names = "--fps", paramLabel = "F",
        description = "Resample to F frames per second: output frame k (at k/F s) is the decoded frame nearest "
            + "in time, round(k * rate / F) (default: the file's own rate; YouTube-VIS keeps 6 of 30 fps).")
    Double fps;
  }

  @Option(names = "--method", defaultValue = "maskprop", paramLabel = "NAME",
      description = "Video method: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      completionCandidates = MethodNames.class)
  String method;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Results JSON to write (atomically).")
  Path out;

  @Option(names = "--overlay", paramLabel = "DIR",
      description = "Also write per video DIR/<video>.mp4 and a few PNG frames DIR/<video>/<frame>.png "
          + "(instance colours stable over the video, class names and scores).")
  Path overlay;

  @Option(names = "--overlay-frames", defaultValue = "5", paramLabel = "N",
      description = "PNG frames per video with --overlay, evenly spaced (default: ${DEFAULT-VALUE}).")
  int overlayFrames;

  @Option(names = "--submission", paramLabel = "FILE.zip",
      description = "Also write the zip the official YouTube-VIS server takes (results.json at its root).")
  Path submission;

  @ArgGroup(exclusive = true)
  ConfigSource configSource;

  static final class ConfigSource {
    @Option(names = "--preset", paramLabel = "NAME",
        description = "Config preset the checkpoint was trained with (default: the run's config.yaml).")
    String preset;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Config YAML the checkpoint was trained with (default: the run's config.yaml).")
    Path config;
  }

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Config override on top, e.g. infer.clipLength=5 (repeatable).")
  List<String> sets = new ArrayList<>();

  /** {@link VideoMethods#names()} for the help text. */
  static final class MethodNames extends ArrayList<String> {
    MethodNames() {
      super(VideoMethods.names());
    }
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    // FFmpeg prints every opened stream's layout at its default level; keep stderr for our warnings
    org.bytedeco.ffmpeg.global.avutil.av_log_set_level(org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR);
    VideoMethod videoMethod = VideoMethods.byName(method);
    if (overlayFrames < 0) {
      throw new InputException("--overlay-frames " + overlayFrames + ": must be >= 0");
    }
    MaskPropConfig cfg = TrainedModel.resolveConfig(checkpoint,
        configSource == null ? null : configSource.config, configSource == null ? null : configSource.preset, sets);
    YtvisDataset dataset = null;
    List<VideoInput> videos = new ArrayList<>();
    if (input.dataset != null) {
      DatasetInput d = input.dataset;
      Path json = d.data.resolve(d.split + ".json");
      Path frames = d.imageRoot != null ? d.imageRoot : d.data.resolve(d.split).resolve("JPEGImages");
      if (!Files.isRegularFile(json)) {
        throw new InputException(json + ": no such file (--data " + d.data + ", --split " + d.split + ")");
      }
      dataset = YtvisDataset.read(json); // frame files are checked per video: a missing one skips that video
      for (int id : d.videoIds) {
        if (dataset.videoById(id) == null) {
          throw new InputException(json + ": no video with id " + id + " (--only-video)");
        }
      }
      for (YtvisDataset.Video v : dataset.videos()) {
        if (d.videoIds.isEmpty() || d.videoIds.contains(v.id())) {
          videos.add(VideoInput.ofDataset(frames, v));
        }
      }
    } else {
      VideoFileInput v = input.video;
      videos.add(VideoInput.ofVideoFile(v.file, v.videoId, v.fps));
    }
    PredictJob.Options options = new PredictJob.Options(overlay, overlayFrames, true, w -> {
      err.println("maskprop predict: warning: " + w);
      err.flush();
    });
    PredictJob.Outcome outcome;
    try (NDManager manager = NDManager.newBaseManager()) {
      outcome = PredictJob.run(TrainedModel.load(checkpoint, cfg, manager), dataset, videoMethod, videos, options);
    }
    if (outcome.predicted().isEmpty()) {
      throw new InputException("no video could be read (" + videos.size() + " tried); nothing written");
    }
    YtvisResults.write(out, outcome.results());
    if (submission != null) {
      YtvisSubmission.write(submission, out);
    }
    PrintWriter w = spec.commandLine().getOut();
    w.printf("predict (%s): %d videos, %d results -> %s%s%s%s%n", videoMethod.name(), outcome.predicted().size(),
        outcome.results().size(), out,
        submission != null ? "; submission " + submission : "",
        overlay != null ? "; overlays in " + overlay : "",
        outcome.warnings() > 0 ? "; " + outcome.warnings() + " warning(s)" + (outcome.skipped().isEmpty() ? ""
            : ", " + outcome.skipped().size() + " video(s) skipped") : "");
    w.flush();
    return 0;
  }
}
