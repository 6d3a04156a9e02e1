package org.maskprop.dataprep.ytvis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;
import org.maskprop.dataprep.ytvis.YtvisValidator.FrameCheck;
import tech.tablesaw.api.Table;

/**
 * {@code maskprop prepare ytvis}: validates a downloaded YouTube-VIS 2019 or 2021 copy, splits its
 * {@code train} by video into local {@code train}/{@code valid}[/{@code test}] (DESIGN.md section
 * 5) and writes them with their image roots and per-split statistics:
 *
 * <pre>
 * out/splits.yaml                 the manifest ({@link SplitManifest}), written first
 * out/{train,valid[,test]}.json   YouTube-VIS JSON, byte-identical for the same input and seed
 * out/{train,valid[,test]}/JPEGImages -> root/train/JPEGImages   (relative symbolic links)
 * out/stats.md, out/stats.csv     {@link DatasetStats}
 * </pre>
 *
 * Every split present in the download ({@code train}, and {@code valid}/{@code test} when their
 * JSON exists) must validate without errors; the official {@code valid}/{@code test} (no GT) are
 * listed under {@code official} in the manifest, not copied.
 */
public final class YtvisImport {
  private YtvisImport() {}

  /** @param version null: detected from the files under {@code root} */
  public record Options(
      Path root, YtvisVersion version, Path out, VideoSplitter.Fractions fractions, long seed,
      FrameCheck frameCheck) {}

  /**
   * What {@link #run} did.
   *
   * @param validation one report per split of the download, in the order train, valid, test
   * @param splits the local splits written
   * @param linked whether the {@code JPEGImages} links could be made
   */
  public record Result(
      YtvisVersion version, Map<String, ValidationReport> validation,
      Map<String, YtvisDataset> splits, SplitManifest manifest, Table stats,
      boolean replacedPrevious, boolean linked) {}

  /**
   * Runs the import.
   *
   * @throws InvalidDatasetException when a split of the download has errors (nothing is written)
   */
  public static Result run(Options o) {
    return run(o, false);
  }

  /** As {@link #run(Options)}; {@code progress} shows a bar while frame files are checked. */
  public static Result run(Options o, boolean progress) {
    YtvisVersion version = o.version() != null ? o.version() : YtvisVersion.detect(o.root());
    Path trainJson = version.json(o.root(), "train");
    if (!Files.isRegularFile(trainJson)) {
      throw new InputException("--root " + o.root() + ": " + trainJson
          + " not found (YouTube-VIS " + version.label() + " layout)");
    }
    Map<String, ValidationReport> reports = new LinkedHashMap<>();
    for (String s : PrepareOutput.SPLITS) {
      Path json = version.json(o.root(), s);
      if (s.equals("train") || Files.isRegularFile(json)) {
        ValidationReport r =
            YtvisValidator.validate(json, version.imageRoot(o.root(), s), o.frameCheck(), progress);
        reports.put(s, r);
        if (!r.ok()) {
          throw new InvalidDatasetException(r);
        }
      }
    }
    YtvisDataset train = reports.get("train").dataset();
    if (train.annotations().isEmpty()) {
      throw new InputException(trainJson + ": field annotations: no annotations to split");
    }
    Map<String, YtvisDataset> splits = VideoSplitter.split(train, o.fractions(), o.seed());

    Path imageRoot = version.imageRoot(o.root(), "train").toAbsolutePath().normalize();
    List<SplitManifest.Entry> local = new ArrayList<>();
    splits.forEach((s, d) ->
        local.add(SplitManifest.Entry.of(s, Path.of(s + ".json"), imageRoot, d)));
    List<SplitManifest.Entry> official = new ArrayList<>();
    Map<String, YtvisDataset> forStats = new LinkedHashMap<>(splits);
    reports.forEach((s, r) -> {
      if (!s.equals("train")) {
        official.add(SplitManifest.Entry.of(s,
            version.json(o.root(), s).toAbsolutePath().normalize(),
            version.imageRoot(o.root(), s).toAbsolutePath().normalize(), r.dataset()));
        forStats.put("official " + s, r.dataset());
      }
    });
    Map<String, String> source = new LinkedHashMap<>();
    source.put("dataset", "YouTube-VIS " + version.label());
    source.put("root", o.root().toAbsolutePath().normalize().toString());
    source.put("json", trainJson.toAbsolutePath().normalize().toString());
    source.put("seed", Long.toString(o.seed()));
    source.put("validFraction", Double.toString(o.fractions().valid()));
    source.put("testFraction", Double.toString(o.fractions().test()));
    SplitManifest manifest = new SplitManifest("maskprop prepare ytvis", source, note(o.seed()),
        local, official);

    boolean replaced = PrepareOutput.prepare(o.out());
    manifest.write(o.out());
    boolean linked = true;
    for (Map.Entry<String, YtvisDataset> e : splits.entrySet()) {
      e.getValue().write(o.out().resolve(e.getKey() + ".json"));
      linked &= PrepareOutput.linkImages(o.out(), e.getKey(), imageRoot);
    }
    Table stats = DatasetStats.table(forStats);
    DatasetStats.write(stats, o.out().resolve("stats.md"));
    DatasetStats.write(stats, o.out().resolve("stats.csv"));
    return new Result(version, reports, splits, manifest, stats, replaced, linked);
  }

  static String note(long seed) {
    return "valid/test are carved from the official train split by video (seed " + seed
        + "): YouTube-VIS publishes no GT for its valid/test splits, so numbers on these local"
        + " splits are not comparable to the paper's, which come from the official server on the"
        + " official valid split";
  }
}
