package org.maskprop.dataprep.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.maskprop.InputException;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.util.AtomicFiles;
import org.maskprop.util.Progress;

/**
 * SynthVIS, our procedurally generated video instance segmentation benchmark (DESIGN.md section 5):
 * writes {@code <out>/<split>/JPEGImages/<video>/<frame>.jpg} and {@code <out>/<split>.json} in the
 * YouTube-VIS 2019 layout, with GT for every split ({@code train}, {@code valid}, {@code test}).
 *
 * <p>Determinism: each video is drawn from its own RNG seeded by {@code (seed, preset, split,
 * video index)}, so the output is byte-identical for the same spec whatever the thread count. JPEGs
 * use ImageIO at a fixed quality. The split JSONs are written last and atomically: a dataset with
 * its JSONs is complete.
 *
 * <p>Output folder: it must be new, empty, or a previous SynthVIS output (it has {@value #MARKER});
 * in that case its split folders and JSONs are deleted and written again. A folder with other files
 * named like the splits is refused, so that a real YouTube-VIS copy cannot be overwritten.
 */
public final class SynthVis {
  /** Marks a folder as SynthVIS output and records what made it. */
  public static final String MARKER = "synthvis.json";

  public static final List<String> SPLITS = List.of("train", "valid", "test");
  /** Fixed JPEG quality (ImageIO, deterministic). */
  public static final float JPEG_QUALITY = 0.92f;

  private static final String VERSION = "1";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SynthVis() {}

  /** What {@link #generate} wrote. */
  public record Summary(Path root, boolean replacedPrevious, List<SplitSummary> splits) {}

  /** One split: its videos, its annotated instances and its JSON. */
  public record SplitSummary(String split, int videos, int instances, Path json) {}

  /** The state of an output folder before generation. */
  public enum OutputState {
    /** Missing or without any split file: nothing is replaced. */
    FRESH,
    /** A previous SynthVIS output: its splits are replaced. */
    PREVIOUS_SYNTHVIS
  }

  /**
   * Checks the output folder; throws {@link InputException} when it holds split folders or JSONs
   * that SynthVIS did not write.
   */
  public static OutputState checkOutput(Path out) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new InputException("--out " + out + ": is a file, not a folder");
    }
    List<String> inTheWay = new ArrayList<>();
    for (String split : SPLITS) {
      for (String name : List.of(split, split + ".json")) {
        if (Files.exists(out.resolve(name))) {
          inTheWay.add(name);
        }
      }
    }
    if (inTheWay.isEmpty()) {
      return OutputState.FRESH;
    }
    if (!Files.isRegularFile(out.resolve(MARKER))) {
      throw new InputException(
          "--out "
              + out
              + ": already holds "
              + String.join(", ", inTheWay)
              + " not written by maskprop synth (no "
              + MARKER
              + "); choose an empty or new folder");
    }
    return OutputState.PREVIOUS_SYNTHVIS;
  }

  /** Generates the dataset into {@code out}; {@code progress} shows a bar over videos on stderr. */
  public static Summary generate(SynthVisSpec spec, Path out, boolean progress) {
    boolean replaced = checkOutput(out) == OutputState.PREVIOUS_SYNTHVIS;
    try {
      Files.createDirectories(out);
      if (replaced) {
        for (String split : SPLITS) {
          deleteRecursively(out.resolve(split));
          Files.deleteIfExists(out.resolve(split + ".json"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
    }
    AtomicFiles.writeString(out.resolve(MARKER), markerJson(spec));

    List<Task> tasks = new ArrayList<>();
    for (String split : SPLITS) {
      for (int v = 0; v < spec.videos(split); v++) {
        tasks.add(new Task(split, v));
      }
    }
    List<VideoResult> results = new ArrayList<>(tasks.size());
    ExecutorService pool = Executors.newFixedThreadPool(spec.threads());
    try (Progress bar =
        progress
            ? Progress.start("synth " + spec.preset().label(), tasks.size())
            : Progress.silent("synth", tasks.size())) {
      ExecutorCompletionService<VideoResult> done = new ExecutorCompletionService<>(pool);
      List<Future<VideoResult>> futures = new ArrayList<>(tasks.size());
      for (Task task : tasks) {
        Path imageRoot = out.resolve(task.split()).resolve("JPEGImages");
        futures.add(done.submit(() -> generateVideo(spec, task.split(), task.index(), imageRoot)));
      }
      for (int i = 0; i < tasks.size(); i++) {
        done.take().get(); // fail fast on the first error
        bar.step();
      }
      for (Future<VideoResult> f : futures) {
        results.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof IOException io) {
        throw new UncheckedIOException("cannot write SynthVIS frames: " + io.getMessage(), io);
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }

    List<SplitSummary> summaries = new ArrayList<>();
    int from = 0;
    for (String split : SPLITS) {
      List<VideoResult> part = results.subList(from, from + spec.videos(split));
      from += spec.videos(split);
      YtvisDataset ds = dataset(spec, split, part);
      Path json = out.resolve(split + ".json");
      ds.write(json);
      summaries.add(new SplitSummary(split, part.size(), ds.annotations().size(), json));
    }
    return new Summary(out, replaced, summaries);
  }

  /** The scene of one video, exactly as {@link #generate} draws it. */
  public static SynthScene scene(SynthVisSpec spec, String split, int index) {
    int splitIndex = SPLITS.indexOf(split);
    if (splitIndex < 0) {
      throw new IllegalArgumentException("no split " + split);
    }
    long seed = Seeds.mix(spec.seed(), spec.preset().ordinal(), splitIndex, index);
    return SynthSceneGenerator.generate(
        spec.preset().params(), spec.height(), spec.width(), spec.frames(), new Random(seed));
  }

  /** The SynthVIS categories: one per {@link ShapeClass}, ids 1..K. */
  public static List<YtvisDataset.Category> categories() {
    List<YtvisDataset.Category> out = new ArrayList<>();
    for (ShapeClass c : ShapeClass.values()) {
      out.add(new YtvisDataset.Category(c.categoryId(), c.label(), "shape"));
    }
    return out;
  }

  /** Video folder name of a video index. */
  public static String videoName(int index) {
    return String.format(Locale.ROOT, "%05d", index);
  }

  private record Task(String split, int index) {}

  /** One rendered video: its frame names and its instances' per-frame GT (ids filled later). */
  private record VideoResult(
      List<String> fileNames, List<YtvisDataset.Annotation> instances, int frames) {}

  private static VideoResult generateVideo(
      SynthVisSpec spec, String split, int index, Path imageRoot) throws IOException {
    SynthScene scene = scene(spec, split, index);
    int h = spec.height();
    int w = spec.width();
    int frames = spec.frames();
    int n = scene.instances().size();
    String name = videoName(index);
    Path dir = imageRoot.resolve(name);
    Files.createDirectories(dir);
    List<List<Rle>> segs = new ArrayList<>();
    List<List<Double>> areas = new ArrayList<>();
    List<List<double[]>> boxes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      segs.add(new ArrayList<>());
      areas.add(new ArrayList<>());
      boxes.add(new ArrayList<>());
    }
    List<String> fileNames = new ArrayList<>(frames);
    ImageWriter jpeg = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      for (int t = 0; t < frames; t++) {
        LabelFrame labels = SynthRenderer.labels(scene, t);
        for (int i = 0; i < n; i++) {
          byte[] mask = labels.mask(i);
          if (mask == null) {
            segs.get(i).add(null);
            areas.get(i).add(null);
            boxes.get(i).add(null);
            continue;
          }
          Rle rle = Rle.encode(mask, h, w);
          if (rle.area() != labels.visibleArea()[i]) {
            throw new IllegalStateException("RLE area disagrees with the mask: " + name + "/" + t);
          }
          segs.get(i).add(rle);
          areas.get(i).add((double) rle.area());
          boxes.get(i).add(rle.toBbox());
        }
        String frameName = videoName(t) + ".jpg";
        Files.write(dir.resolve(frameName), jpegBytes(jpeg, SynthRenderer.image(scene, t)));
        fileNames.add(name + "/" + frameName);
      }
    } finally {
      jpeg.dispose();
    }
    List<YtvisDataset.Annotation> instances = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (segs.get(i).stream().allMatch(s -> s == null)) {
        continue; // never visible: not an instance of this video
      }
      instances.add(
          new YtvisDataset.Annotation(
              0,
              0,
              scene.instances().get(i).shape().categoryId(),
              0,
              h,
              w,
              segs.get(i),
              areas.get(i),
              boxes.get(i)));
    }
    return new VideoResult(fileNames, instances, frames);
  }

  private static YtvisDataset dataset(SynthVisSpec spec, String split, List<VideoResult> part) {
    List<YtvisDataset.Video> videos = new ArrayList<>();
    List<YtvisDataset.Annotation> annotations = new ArrayList<>();
    for (int v = 0; v < part.size(); v++) {
      VideoResult r = part.get(v);
      int videoId = v + 1;
      videos.add(
          new YtvisDataset.Video(videoId, spec.width(), spec.height(), r.frames(), r.fileNames()));
      for (YtvisDataset.Annotation a : r.instances()) {
        annotations.add(
            new YtvisDataset.Annotation(
                annotations.size() + 1,
                videoId,
                a.categoryId(),
                a.iscrowd(),
                a.height(),
                a.width(),
                a.segmentations(),
                a.areas(),
                a.bboxes()));
      }
    }
    ObjectNode info = MAPPER.createObjectNode();
    info.put("description", "SynthVIS (maskprop synth), preset " + spec.preset().label());
    info.put("version", VERSION);
    info.put("preset", spec.preset().label());
    info.put("split", split);
    info.put("seed", spec.seed());
    return new YtvisDataset(
        null, info, MAPPER.createArrayNode(), videos, categories(), annotations);
  }

  private static byte[] jpegBytes(ImageWriter writer, BufferedImage image) throws IOException {
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(JPEG_QUALITY);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 14);
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(image, null, null), param);
    }
    return bytes.toByteArray();
  }

  /** The marker file: generator version, spec and the preset's parameters. */
  private static String markerJson(SynthVisSpec spec) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("generator", "SynthVIS");
    root.put("version", VERSION);
    root.put("preset", spec.preset().label());
    root.put("seed", spec.seed());
    root.put("frames", spec.frames());
    root.put("height", spec.height());
    root.put("width", spec.width());
    ObjectNode videos = root.putObject("videos");
    for (String split : SPLITS) {
      videos.put(split, spec.videos(split));
    }
    root.set("params", MAPPER.valueToTree(spec.preset().params()));
    ArrayNode cats = root.putArray("categories");
    for (ShapeClass c : ShapeClass.values()) {
      cats.add(c.label());
    }
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
