package org.maskprop.infer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.maskprop.InputException;
import org.maskprop.config.DataConfig;
import org.maskprop.data.CategoryIndex;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.Rle;
import org.maskprop.data.TolerantFrameSource;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.report.OverlayRenderer;
import org.maskprop.train.TrainRun;
import org.maskprop.train.TrainedModel;

/**
 * Prediction of a list of videos with one {@link VideoMethod} and a {@link TrainedModel}: what
 * {@code maskprop predict}, the demo and the experiment runner share.
 *
 * <p>Per video: frames are read through a {@link TolerantFrameSource}, so a corrupt frame is
 * reported (file or video, frame index), the method sees the previous good frame instead, and the
 * frame is then written as {@code null} in every track of the video (per-frame lists keep the
 * video's length). A video that cannot be read at all (missing frame folder, a file that does not
 * open, no decodable frame) is reported by name and skipped; the others are predicted. Frames are
 * resized as training sized them ({@code data.minSize}/{@code maxSize}); masks come back at each
 * video's own size.
 *
 * <p>With an overlay folder, each video also gets {@code DIR/<name>.mp4} (every frame) and a few
 * PNG frames {@code DIR/<name>/<frame>.png}, instances coloured by their result (stable over the
 * video), labelled with class name and score ({@link OverlayRenderer}).
 */
public final class PredictJob {
  private PredictJob() {}

  /**
   * How a job runs.
   *
   * @param overlayDir where overlays go; null: none
   * @param overlayFrames PNG frames per video, evenly spaced from the first to the last frame
   * @param showProgress a progress bar per video on stderr
   * @param warnings receives each warning line (corrupt frame, skipped video, assumed categories)
   */
  public record Options(Path overlayDir, int overlayFrames, boolean showProgress, Consumer<String> warnings) {
    public Options {
      if (overlayFrames < 0) {
        throw new IllegalArgumentException("overlayFrames must be >= 0, got " + overlayFrames);
      }
    }

    /** No overlays, no progress, warnings dropped. */
    public static Options quiet() {
      return new Options(null, 0, false, w -> {});
    }
  }

  /**
   * What a job did.
   *
   * @param results all results, video by video in input order
   * @param predicted ids of the videos predicted
   * @param skipped one message per video skipped as unreadable
   * @param warnings how many warnings were issued (skipped videos included)
   */
  public record Outcome(List<YtvisResult> results, List<Integer> predicted, List<String> skipped, int warnings) {
    public Outcome {
      results = List.copyOf(results);
      predicted = List.copyOf(predicted);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * The categories the model's classes stand for: those the training run recorded ({@code
   * RUN_DIR/categories.json}); else the dataset's (runs from before the file existed); else, with
   * neither (a raw video and an old run), ids {@code 1..numClasses} named {@code class k}, with a
   * warning. With both, their ids must agree.
   *
   * @param dataset the split being predicted, or null for raw videos
   * @throws InputException when the run's and the dataset's category ids differ, or their number
   *     is not {@code data.numClasses}
   */
  public static List<YtvisDataset.Category> categories(
      TrainedModel model, YtvisDataset dataset, Consumer<String> warnings) {
    Optional<List<YtvisDataset.Category>> run = model.categories();
    Path runFile = model.runDir().resolve(TrainRun.CATEGORIES_FILE);
    List<YtvisDataset.Category> cats;
    if (run.isPresent()) {
      cats = run.get();
      if (dataset != null && !ids(dataset.categories()).equals(ids(cats))) {
        throw new InputException((dataset.source() == null ? "dataset" : dataset.source().toString())
            + ": category ids " + ids(dataset.categories()) + " differ from the training run's " + ids(cats)
            + " (" + runFile + ")");
      }
    } else if (dataset != null) {
      cats = dataset.categories();
    } else {
      int k = model.config().data().numClasses();
      cats = new ArrayList<>();
      for (int c = 1; c <= k; c++) {
        cats.add(new YtvisDataset.Category(c, "class " + c, null));
      }
      warnings.accept(runFile + " does not exist (a run from before it was written): category ids 1.."
          + k + " assumed");
    }
    int k = model.config().data().numClasses();
    if (cats.size() != k) {
      throw new InputException((run.isPresent() ? runFile.toString() : dataset.source() + "") + ": "
          + cats.size() + " categories, but data.numClasses is " + k + " in the config");
    }
    return List.copyOf(cats);
  }

  /**
   * Predicts {@code videos} in order; the model's classes 1..K stand for the {@link #categories} of
   * the run (or of {@code dataset}), ids sorted ascending ({@link CategoryIndex}).
   *
   * @param dataset the split the videos come from, or null for raw videos
   * @throws InputException when the categories do not fit the model (see {@link #categories})
   */
  public static Outcome run(TrainedModel model, YtvisDataset dataset, VideoMethod method, List<VideoInput> videos,
      Options options) {
    int[] warnings = {0};
    Consumer<String> warn = w -> {
      warnings[0]++;
      options.warnings().accept(w);
    };
    List<YtvisDataset.Category> categories = categories(model, dataset, warn);
    CategoryIndex index = CategoryIndex.ofIds(categories.stream().mapToInt(YtvisDataset.Category::id).toArray());
    Map<Integer, String> names = new HashMap<>();
    categories.forEach(c -> names.put(c.id(), c.name()));
    IntFunction<String> nameOf = id -> names.getOrDefault(id, "class " + id);
    DataConfig dc = model.config().data();
    List<YtvisResult> all = new ArrayList<>();
    List<Integer> predicted = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (VideoInput v : videos) {
      List<YtvisResult> results;
      SortedSet<Integer> bad;
      try (TolerantFrameSource frames = new TolerantFrameSource(v.open(), v.label(),
          m -> warn.accept("corrupt frame, written as null in every track: " + m))) {
        if (frames.frameCount() <= 0) {
          throw new InputException(v.label() + ": has no frames");
        }
        FrameTransform t = FrameTransform.resizeShorter(frames.height(), frames.width(), dc.minSize(),
            dc.maxSize(), false);
        results = method.predict(model.ps(), model.model(), frames, v.videoId(), model.config().infer(), t,
            index::categoryId, options.showProgress());
        bad = new TreeSet<>(frames.badFrames());
      } catch (InputException e) {
        // the readers' messages name the video (folder, file or id) and the problem
        String msg = "video skipped, cannot be read: " + e.getMessage();
        skipped.add(msg);
        warn.accept(msg);
        continue;
      }
      results = withNullFrames(results, bad);
      all.addAll(results);
      predicted.add(v.videoId());
      if (options.overlayDir() != null) {
        writeOverlay(v, results, nameOf, options);
      }
    }
    return new Outcome(all, predicted, skipped, warnings[0]);
  }

  /** The results with {@code null} at the frames {@code frames} in every track. */
  public static List<YtvisResult> withNullFrames(List<YtvisResult> results, SortedSet<Integer> frames) {
    if (frames.isEmpty()) {
      return results;
    }
    List<YtvisResult> out = new ArrayList<>(results.size());
    for (YtvisResult r : results) {
      List<Rle> masks = new ArrayList<>(r.segmentations());
      for (int f : frames) {
        if (f < masks.size()) {
          masks.set(f, null);
        }
      }
      out.add(new YtvisResult(r.videoId(), r.categoryId(), r.score(), masks));
    }
    return out;
  }

  /** {@code count} frame indices evenly spaced over {@code 0..n-1} (all of them when {@code count >= n}). */
  public static int[] evenlySpaced(int n, int count) {
    if (count >= n) {
      return java.util.stream.IntStream.range(0, n).toArray();
    }
    if (count <= 0) {
      return new int[0];
    }
    if (count == 1) {
      return new int[] {0};
    }
    int[] out = new int[count];
    for (int j = 0; j < count; j++) {
      out[j] = (int) Math.round(j * (n - 1) / (double) (count - 1));
    }
    return out;
  }

  private static void writeOverlay(VideoInput v, List<YtvisResult> results, IntFunction<String> nameOf,
      Options options) {
    // the video is read again; its corrupt frames were reported on the first pass
    try (TolerantFrameSource frames = new TolerantFrameSource(v.open(), v.label(), m -> {})) {
      List<OverlayRenderer.Instance> instances = OverlayRenderer.fromResults(results, nameOf, v.videoId());
      OverlayRenderer renderer = new OverlayRenderer();
      Path dir = options.overlayDir();
      renderer.writeVideo(frames, instances, dir.resolve(v.name() + ".mp4"), Double.NaN);
      renderer.writeFrames(frames, instances, dir.resolve(v.name()),
          evenlySpaced(frames.frameCount(), options.overlayFrames()));
    }
  }

  private static List<Integer> ids(List<YtvisDataset.Category> cats) {
    return cats.stream().map(YtvisDataset.Category::id).sorted().toList();
  }
}
