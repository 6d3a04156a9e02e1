package org.maskprop.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;
import org.maskprop.dataprep.custom.CustomConverter;
import org.maskprop.dataprep.ytvis.DatasetStats;
import org.maskprop.dataprep.ytvis.InvalidDatasetException;
import org.maskprop.dataprep.ytvis.ValidationReport;
import org.maskprop.dataprep.ytvis.VideoSplitter;
import org.maskprop.dataprep.ytvis.YtvisImport;
import org.maskprop.dataprep.ytvis.YtvisValidator;
import org.maskprop.dataprep.ytvis.YtvisValidator.FrameCheck;
import org.maskprop.dataprep.ytvis.YtvisVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

/**
 * {@code maskprop prepare ...}: YouTube-VIS import and splits, custom data conversion, split
 * statistics (composition of {@code org.maskprop.dataprep.ytvis} and {@code .custom} only).
 */
@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    description = "Prepare data: validate and split YouTube-VIS, convert your own videos, print "
        + "split statistics (data-prep/PREPARE.md).",
    subcommands = {PrepareCommand.Ytvis.class, PrepareCommand.Custom.class, PrepareCommand.Stats.class})
final class PrepareCommand implements Callable<Integer> {
  /** Issues listed per split before "... N more". */
  static final int LISTED = 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** Prints the report of a failed validation before the one-line error. */
  static InvalidDatasetException printed(InvalidDatasetException e, PrintWriter err) {
    err.print(e.report().toText(LISTED));
    err.flush();
    return e;
  }

  // no mixinStandardHelpOptions here: its --version would clash with the dataset's --version
  @Command(
      name = "ytvis",
      sortOptions = false,
      description = {
        "Validate a downloaded YouTube-VIS copy and split its train set by video into local "
            + "train/valid[/test] JSONs (seeded; the same seed gives byte-identical files).",
        "Layouts: 2019 = ROOT/<split>/JPEGImages + ROOT/<split>.json; 2021 = "
            + "ROOT/<split>/JPEGImages + ROOT/<split>/instances.json.",
        "Writes OUT/{train,valid}.json, OUT/splits.yaml (the image root of each split), links "
            + "OUT/<split>/JPEGImages -> ROOT/train/JPEGImages, OUT/stats.md and OUT/stats.csv.",
        "YouTube-VIS publishes no GT for its valid/test splits: numbers on the local valid split "
            + "are not comparable to the paper's (official server, official valid split)."
      })
  static final class Ytvis implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--root", paramLabel = "DIR", required = true,
        description = "The downloaded YouTube-VIS folder.")
    Path root;

    @Option(names = "--version", paramLabel = "2019|2021", converter = VersionConverter.class,
        description = "Dataset version (default: detected from the files under --root).")
    YtvisVersion version;

    @Option(names = "--out", paramLabel = "DIR", required = true,
        description = "Output folder: new, empty, or a previous 'prepare' output (replaced).")
    Path out;

    @Option(names = "--valid-fraction", paramLabel = "F", defaultValue = "0.12",
        description = "Fraction of the train videos for the local valid split "
            + "(default: ${DEFAULT-VALUE}).")
    double validFraction;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0",
        description = "Fraction of the train videos for a local test split (default: "
            + "${DEFAULT-VALUE}: none).")
    double testFraction;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
        description = "Seed of the split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--check-frames", paramLabel = "MODE", defaultValue = "first-size",
        converter = FrameCheckConverter.class,
        description = "exists | first-size (also the first frame's size per video) | all-sizes "
            + "(every frame's size; reads every header) (default: ${DEFAULT-VALUE}).")
    FrameCheck frameCheck;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter o = spec.commandLine().getOut();
      YtvisImport.Result r;
      try {
        r = YtvisImport.run(new YtvisImport.Options(root, version, out,
            new VideoSplitter.Fractions(validFraction, testFraction), seed, frameCheck), true);
      } catch (InvalidDatasetException e) {
        throw printed(e, spec.commandLine().getErr());
      }
      o.println("YouTube-VIS " + r.version().label() + " at " + root);
      r.validation().values().forEach(v -> o.print(v.toText(LISTED)));
      if (r.replacedPrevious()) {
        o.println("replaced the previous prepare output in " + out);
      }
      r.splits().forEach((s, d) -> o.printf(Locale.ROOT, "  %-5s %5d videos %6d annotations -> %s%n",
          s, d.videos().size(), d.annotations().size(), out.resolve(s + ".json")));
      o.println("image root of every split: " + r.manifest().splits().get(0).imageRoot()
          + " (" + out.resolve("splits.yaml") + (r.linked() ? "; linked as <split>/JPEGImages)"
              : "; the file system refused the <split>/JPEGImages links)"));
      o.println("note: " + r.manifest().note());
      o.print(DatasetStats.toText(r.stats()));
      o.println();
      o.println("statistics: " + out.resolve("stats.md") + ", " + out.resolve("stats.csv"));
      o.flush();
      return 0;
    }
  }

  @Command(
      name = "custom",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Convert your own videos with per-frame instance-id PNG masks (YouTube-VOS/DAVIS "
            + "convention: pixel value = instance id, 0 = background; palette or grayscale PNG) "
            + "to a YouTube-VIS JSON with compressed RLE, areas and boxes.",
        "Layout: IN/JPEGImages/<video>/<frame>.jpg|.png, IN/Annotations/<video>/<frame>.png (same "
            + "name stem), and a CSV 'video,instance,category' with one row per instance.",
        "Writes OUT/<split>.json, OUT/splits.yaml (image root = IN/JPEGImages; frames are not "
            + "copied), the link OUT/<split>/JPEGImages, OUT/stats.md and OUT/stats.csv."
      })
  static final class Custom implements Callable<Integer> {
    @Option(names = "--in", paramLabel = "DIR", required = true,
        description = "Folder with JPEGImages/ and Annotations/.")
    Path in;

    @Option(names = "--categories", paramLabel = "FILE",
        description = "CSV with the header video,instance,category (default: IN/categories.csv).")
    Path categories;

    @Option(names = "--category-list", paramLabel = "FILE",
        description = "Category ids and names: a CSV id,name[,supercategory] or a YouTube-VIS "
            + "JSON whose categories to reuse (default: the CSV's names, sorted, get ids 1..K).")
    Path categoryList;

    @Option(names = "--out", paramLabel = "DIR", required = true,
        description = "Output folder: new, empty, or a previous 'prepare' output (replaced).")
    Path out;

    @Option(names = "--split", paramLabel = "NAME", defaultValue = "train",
        description = "Split name to write: train, valid or test (default: ${DEFAULT-VALUE}).")
    String split;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      Path csv = categories != null ? categories : in.resolve("categories.csv");
      CustomConverter.Result r = CustomConverter.run(
          new CustomConverter.Options(in, csv, categoryList, out, split), true);
      PrintWriter o = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      r.warnings().forEach(w -> err.println("warning: " + w));
      err.flush();
      YtvisDataset d = r.dataset();
      o.printf(Locale.ROOT, "%d videos, %d frames, %d annotations, %d categories -> %s%n",
          d.videos().size(), d.videos().stream().mapToInt(YtvisDataset.Video::length).sum(),
          d.annotations().size(), d.categories().size(), r.json());
      o.println("image root: " + r.manifest().splits().get(0).imageRoot() + " ("
          + out.resolve("splits.yaml") + (r.linked() ? "; linked as " + split + "/JPEGImages)"
              : "; the file system refused the link)"));
      o.print(DatasetStats.toText(r.stats()));
      o.println();
      o.flush();
      return 0;
    }
  }

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Per-split statistics of YouTube-VIS JSONs (videos, frames, instances per category, "
            + "track lengths, track areas by the evaluator's area ranges) as a table, one column "
            + "per JSON; also checks each JSON (and, with --image-root, its frame files).",
        "Exit code 2 when a check finds errors (the table is printed first)."
      })
  static final class Stats implements Callable<Integer> {
    @Option(names = "--json", paramLabel = "FILE", required = true,
        description = "A split JSON (repeatable: one column each).")
    List<Path> json;

    @Option(names = "--image-root", paramLabel = "DIR",
        description = "Folder the file_names resolve against: once per --json, in the same "
            + "order (default: frame files are not checked).")
    List<Path> imageRoot;

    @Option(names = "--check-frames", paramLabel = "MODE", defaultValue = "first-size",
        converter = FrameCheckConverter.class,
        description = "With --image-root: exists | first-size | all-sizes (default: "
            + "${DEFAULT-VALUE}).")
    FrameCheck frameCheck;

    @Option(names = "--out", paramLabel = "FILE",
        description = "Also write the table to FILE.md (Markdown) or FILE.csv.")
    Path out;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (imageRoot != null && imageRoot.size() != json.size()) {
        throw new InputException("--image-root given " + imageRoot.size() + " times for "
            + json.size() + " --json files; give it once per --json or not at all");
      }
      if (out != null) {
        String n = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!n.endsWith(".md") && !n.endsWith(".csv")) {
          throw new InputException("--out " + out + ": expected a .md or .csv file name");
        }
      }
      PrintWriter o = spec.commandLine().getOut();
      Map<String, YtvisDataset> sets = new LinkedHashMap<>();
      List<ValidationReport> failed = new ArrayList<>();
      for (int i = 0; i < json.size(); i++) {
        Path root = imageRoot == null ? null : imageRoot.get(i);
        ValidationReport r = YtvisValidator.validate(json.get(i), root, frameCheck, root != null);
        o.print(r.toText(LISTED));
        if (r.dataset() == null) {
          throw new InputException(r.issues().get(0).message());
        }
        if (!r.ok()) {
          failed.add(r);
        }
        sets.put(columnName(json.get(i), sets), r.dataset());
      }
      Table t = DatasetStats.table(sets);
      o.print(DatasetStats.toText(t));
      o.println();
      if (out != null) {
        DatasetStats.write(t, out);
        o.println("written: " + out);
      }
      o.flush();
      if (!failed.isEmpty()) {
        throw new InvalidDatasetException(failed.get(0));
      }
      return 0;
    }

    /** The file stem ({@code valid}), or the folder for 2021's {@code <split>/instances.json}. */
    static String columnName(Path json, Map<String, ?> taken) {
      String name = json.getFileName().toString().replaceFirst("\\.json$", "");
      if (name.equals("instances") && json.toAbsolutePath().getParent() != null) {
        name = json.toAbsolutePath().getParent().getFileName().toString();
      }
      String n = name;
      for (int k = 2; taken.containsKey(n); k++) {
        n = name + "#" + k;
      }
      return n;
    }
  }

  /** {@code 2019} or {@code 2021}. */
  static final class VersionConverter implements CommandLine.ITypeConverter<YtvisVersion> {
    @Override
    public YtvisVersion convert(String value) {
      try {
        return YtvisVersion.parse(value);
      } catch (InputException e) {
        throw new CommandLine.TypeConversionException("expected 2019 or 2021, found '" + value + "'");
      }
    }
  }

  /** {@code exists}, {@code first-size}, {@code all-sizes}. */
  static final class FrameCheckConverter implements CommandLine.ITypeConverter<FrameCheck> {
    @Override
    public FrameCheck convert(String value) {
      for (FrameCheck c : FrameCheck.values()) {
        if (c.name().replace('_', '-').equalsIgnoreCase(value)) {
          return c;
        }
      }
      throw new CommandLine.TypeConversionException(
          "expected exists, first-size or all-sizes, found '" + value + "'");
    }
  }
}
