package org.maskprop.dataprep.custom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.maskprop.InputException;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Category;
import org.maskprop.data.YtvisDataset.Video;
import org.maskprop.dataprep.ytvis.DatasetStats;
import org.maskprop.dataprep.ytvis.ImageHeaders;
import org.maskprop.dataprep.ytvis.PrepareOutput;
import org.maskprop.dataprep.ytvis.SplitManifest;
import org.maskprop.util.Progress;
import tech.tablesaw.api.Table;

/**
 * {@code maskprop prepare custom}: the user's own videos, in the YouTube-VOS / DAVIS layout, to a
 * YouTube-VIS JSON that training and evaluation read like any other split.
 *
 * <pre>
 * in/JPEGImages/&lt;video&gt;/&lt;frame&gt;.jpg|.jpeg|.png   frames; sorted by name, digit runs compared as numbers
 * in/Annotations/&lt;video&gt;/&lt;frame&gt;.png          one instance-id mask per frame, same name stem ({@link IdMask})
 * categories CSV                              video,instance,category ({@link InstanceCategories})
 * </pre>
 *
 * Output ({@link PrepareOutput}, frames are referenced, not copied): {@code out/<split>.json},
 * {@code out/splits.yaml} (image root = {@code in/JPEGImages}), the link
 * {@code out/<split>/JPEGImages -> in/JPEGImages}, {@code out/stats.md}, {@code out/stats.csv}.
 * Videos get ids 1..V in folder order; each (video, instance id) that appears in some mask becomes
 * one annotation (ids 1..A, by video then instance id) with a compressed RLE, {@code areas} (pixel
 * count) and {@code bboxes} ({@link Rle#toBbox}) per frame, null where the instance is absent.
 *
 * <p>Errors (one line each, naming the file and frame): a video folder without its counterpart, a
 * frame without a mask or a mask without a frame, frames of one video with different sizes, a mask
 * whose size differs from its frame, a mask with colour channels, an instance id without a
 * category row, a category row for a video that does not exist, an unknown category.
 */
public final class CustomConverter {
  static final String FRAMES = "JPEGImages";
  static final String MASKS = "Annotations";

  private CustomConverter() {}

  /**
   * @param categories the {@code video,instance,category} CSV
   * @param vocabulary a category list ({@link InstanceCategories#readVocabulary}), or null
   * @param split the split name to write ({@code train}, {@code valid} or {@code test})
   */
  public record Options(Path in, Path categories, Path vocabulary, Path out, String split) {
    public Options {
      if (!PrepareOutput.SPLITS.contains(split)) {
        throw new InputException("--split " + split + ": expected train, valid or test");
      }
    }
  }

  /**
   * What {@link #run} wrote.
   *
   * @param warnings category rows whose instance never appears in a mask
   */
  public record Result(
      YtvisDataset dataset, Path json, SplitManifest manifest, Table stats, List<String> warnings,
      boolean replacedPrevious, boolean linked) {}

  /** Converts, writes and returns what was written. */
  public static Result run(Options o, boolean progress) {
    List<Category> vocab = o.vocabulary() == null ? null
        : InstanceCategories.readVocabulary(o.vocabulary());
    InstanceCategories cats = InstanceCategories.read(o.categories(), vocab);
    List<String> warnings = new ArrayList<>();
    YtvisDataset d = convert(o.in(), cats, warnings, progress);

    Path imageRoot = o.in().resolve(FRAMES).toAbsolutePath().normalize();
    Map<String, String> source = new LinkedHashMap<>();
    source.put("dataset", "custom");
    source.put("in", o.in().toAbsolutePath().normalize().toString());
    source.put("categories", o.categories().toAbsolutePath().normalize().toString());
    if (o.vocabulary() != null) {
      source.put("categoryList", o.vocabulary().toAbsolutePath().normalize().toString());
    }
    SplitManifest manifest = new SplitManifest("maskprop prepare custom", source,
        "converted from instance-id PNG masks; frames are referenced in place, not copied",
        List.of(SplitManifest.Entry.of(o.split(), Path.of(o.split() + ".json"), imageRoot, d)),
        List.of());
    boolean replaced = PrepareOutput.prepare(o.out());
    manifest.write(o.out());
    Path json = o.out().resolve(o.split() + ".json");
    d.write(json);
    boolean linked = PrepareOutput.linkImages(o.out(), o.split(), imageRoot);
    YtvisDataset.read(json, imageRoot); // self-check: the file reads back with its frames
    Table stats = DatasetStats.table(Map.of(o.split(), d));
    DatasetStats.write(stats, o.out().resolve("stats.md"));
    DatasetStats.write(stats, o.out().resolve("stats.csv"));
    return new Result(d, json, manifest, stats, warnings, replaced, linked);
  }

  /**
   * Builds the dataset from {@code in} (nothing is written).
   *
   * @param warnings receives one line per category row whose instance never appears
   */
  public static YtvisDataset convert(
      Path in, InstanceCategories cats, List<String> warnings, boolean progress) {
    Path frameRoot = in.resolve(FRAMES);
    Path maskRoot = in.resolve(MASKS);
    if (!Files.isDirectory(frameRoot)) {
      throw new InputException("--in " + in + ": no " + FRAMES + " folder (expected "
          + FRAMES + "/<video>/<frame>.jpg)");
    }
    if (!Files.isDirectory(maskRoot)) {
      throw new InputException("--in " + in + ": no " + MASKS + " folder (expected " + MASKS
          + "/<video>/<frame>.png)");
    }
    List<String> videos = folders(frameRoot);
    List<String> maskVideos = folders(maskRoot);
    for (String v : maskVideos) {
      if (!videos.contains(v)) {
        throw new InputException(maskRoot.resolve(v) + ": masks for video " + v + " but no "
            + frameRoot.resolve(v) + " folder (missing frames)");
      }
    }
    for (String v : videos) {
      if (!maskVideos.contains(v)) {
        throw new InputException(frameRoot.resolve(v) + ": video " + v + " has no "
            + maskRoot.resolve(v) + " folder (missing masks)");
      }
    }
    if (videos.isEmpty()) {
      throw new InputException(frameRoot + ": no video folders");
    }
    for (Map.Entry<String, Map<Integer, Integer>> e : cats.lines().entrySet()) {
      if (!videos.contains(e.getKey())) {
        int line = e.getValue().values().iterator().next();
        throw new InputException(cats.file() + ", line " + line + ": video " + e.getKey()
            + " has no folder " + frameRoot.resolve(e.getKey()));
      }
    }
    // pair frames with masks first, so that a naming problem shows before any decoding
    Map<String, List<String[]>> pairs = new LinkedHashMap<>();
    long total = 0;
    for (String v : videos) {
      List<String[]> p = pairFrames(frameRoot, maskRoot, v);
      pairs.put(v, p);
      total += p.size();
    }
    List<Video> outVideos = new ArrayList<>();
    List<Annotation> outAnns = new ArrayList<>();
    try (Progress bar = progress ? Progress.start("custom", total) : Progress.silent("custom", total)) {
      int videoId = 0;
      for (String v : videos) {
        videoId++;
        List<String[]> p = pairs.get(v);
        VideoTracks t = convertVideo(frameRoot, maskRoot, v, p, cats, bar);
        List<String> fileNames = p.stream().map(fm -> v + "/" + fm[0]).toList();
        outVideos.add(new Video(videoId, t.width, t.height, p.size(), fileNames));
        for (Map.Entry<Integer, Rle[]> e : t.tracks.entrySet()) {
          Rle[] rles = e.getValue();
          List<Rle> segs = new ArrayList<>(rles.length);
          List<Double> areas = new ArrayList<>(rles.length);
          List<double[]> boxes = new ArrayList<>(rles.length);
          for (Rle r : rles) {
            segs.add(r);
            areas.add(r == null ? null : (double) r.area());
            boxes.add(r == null ? null : r.toBbox());
          }
          outAnns.add(new Annotation(outAnns.size() + 1, videoId, cats.categoryOf(v, e.getKey()), 0,
              t.height, t.width, segs, areas, boxes));
        }
        Map<Integer, Integer> rows = cats.lines().getOrDefault(v, Map.of());
        for (Map.Entry<Integer, Integer> r : rows.entrySet()) {
          if (!t.tracks.containsKey(r.getKey())) {
            warnings.add(cats.file() + ", line " + r.getValue() + ": video " + v + ", instance "
                + r.getKey() + " appears in no mask; not annotated");
          }
        }
      }
    }
    return new YtvisDataset(null, null, null, outVideos, cats.categories(), outAnns);
  }

  /** Per-instance masks of one video, keyed by instance id in ascending order. */
  private record VideoTracks(int width, int height, TreeMap<Integer, Rle[]> tracks) {}

  private static VideoTracks convertVideo(
      Path frameRoot, Path maskRoot, String video, List<String[]> pairs, InstanceCategories cats,
      Progress bar) {
    int n = pairs.size();
    TreeMap<Integer, Rle[]> tracks = new TreeMap<>();
    ImageHeaders.Size size = null;
    String firstFrame = null;
    for (int f = 0; f < n; f++) {
      Path frame = frameRoot.resolve(video).resolve(pairs.get(f)[0]);
      Path maskFile = maskRoot.resolve(video).resolve(pairs.get(f)[1]);
      ImageHeaders.Size s = ImageHeaders.read(frame);
      if (size == null) {
        size = s;
        firstFrame = frame.toString();
      } else if (!s.equals(size)) {
        throw new InputException(frame + ": video " + video + ", frame " + f + ": frame is " + s
            + " but " + firstFrame + " is " + size + " (all frames of a video must have one size)");
      }
      IdMask mask = IdMask.read(maskFile);
      if (mask.width() != s.width() || mask.height() != s.height()) {
        throw new InputException(maskFile + ": video " + video + ", frame " + f + ": mask is "
            + mask.width() + "x" + mask.height() + " (WxH) but frame " + frame + " is " + s);
      }
      for (Map.Entry<Integer, Rle> e : encode(mask).entrySet()) {
        int id = e.getKey();
        if (cats.categoryOf(video, id) == null) {
          throw new InputException(maskFile + ": video " + video + ", frame " + f + ": instance id "
              + id + " has no category (no row '" + video + "," + id + ",<category>' in "
              + cats.file() + ")");
        }
        tracks.computeIfAbsent(id, k -> new Rle[n])[f] = e.getValue();
      }
      bar.step();
    }
    return new VideoTracks(size.width(), size.height(), tracks);
  }

  /** One RLE per non-zero id present in the mask, by ascending id. */
  static TreeMap<Integer, Rle> encode(IdMask m) {
    int[] ids = m.ids(); // [h * w]
    int max = 0;
    for (int id : ids) {
      max = Math.max(max, id);
    }
    // ids are PNG samples (< 2^16): a direct table, one pass over the pixels
    byte[][] masks = new byte[max + 1][];
    for (int i = 0; i < ids.length; i++) {
      int id = ids[i];
      if (id != 0) {
        if (masks[id] == null) {
          masks[id] = new byte[ids.length];
        }
        masks[id][i] = 1;
      }
    }
    TreeMap<Integer, Rle> out = new TreeMap<>();
    for (int id = 1; id <= max; id++) {
      if (masks[id] != null) {
        out.put(id, Rle.encode(masks[id], m.height(), m.width()));
      }
    }
    return out;
  }

  /** {@code [frame file, mask file]} pairs of one video, in frame order. */
  private static List<String[]> pairFrames(Path frameRoot, Path maskRoot, String video) {
    Map<String, String> frames = byStem(frameRoot.resolve(video), List.of("jpg", "jpeg", "png"));
    Map<String, String> masks = byStem(maskRoot.resolve(video), List.of("png"));
    if (frames.isEmpty()) {
      throw new InputException(frameRoot.resolve(video) + ": video " + video
          + " has no frames (.jpg, .jpeg or .png)");
    }
    List<String[]> out = new ArrayList<>();
    int f = 0;
    for (Map.Entry<String, String> e : frames.entrySet()) {
      String mask = masks.get(e.getKey());
      if (mask == null) {
        throw new InputException(frameRoot.resolve(video).resolve(e.getValue()) + ": video " + video
            + ", frame " + f + ": missing mask " + maskRoot.resolve(video).resolve(e.getKey() + ".png"));
      }
      out.add(new String[] {e.getValue(), mask});
      f++;
    }
    for (Map.Entry<String, String> e : masks.entrySet()) {
      if (!frames.containsKey(e.getKey())) {
        throw new InputException(maskRoot.resolve(video).resolve(e.getValue()) + ": video " + video
            + ": mask without a frame (missing frame " + frameRoot.resolve(video).resolve(e.getKey())
            + ".jpg)");
      }
    }
    return out;
  }

  /** File name stem -> file name, for files with one of {@code exts}, in natural order. */
  private static Map<String, String> byStem(Path dir, List<String> exts) {
    Map<String, String> out = new TreeMap<>(NATURAL);
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || !Files.isRegularFile(p)
            || !exts.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
          continue;
        }
        String prev = out.put(name.substring(0, dot), name);
        if (prev != null) {
          throw new InputException(dir + ": " + prev + " and " + name + " are the same frame");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static List<String> folders(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith(".")).sorted(NATURAL).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Names compared chunk by chunk, runs of digits by value ({@code f2 < f10}), then as text. */
  static final Comparator<String> NATURAL = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int ei = i;
        int ej = j;
        while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
          ei++;
        }
        while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
          ej++;
        }
        String da = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
        String db = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
        int c = da.length() != db.length() ? Integer.compare(da.length(), db.length())
            : da.compareTo(db);
        if (c != 0) {
          return c;
        }
        i = ei;
        j = ej;
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    int c = Integer.compare(a.length() - i, b.length() - j);
    return c != 0 ? c : a.compareTo(b);
  };
}
