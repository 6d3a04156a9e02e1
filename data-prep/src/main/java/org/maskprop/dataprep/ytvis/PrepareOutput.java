package org.maskprop.dataprep.ytvis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.maskprop.InputException;

/**
 * The output folder of {@code maskprop prepare}: {@code <split>.json} files, {@code splits.yaml},
 * {@code stats.md}/{@code stats.csv}, and a symbolic link {@code <split>/JPEGImages} to each
 * split's image root (so that the folder also reads as a plain YouTube-VIS 2019 root). Frames are
 * never copied.
 *
 * <p>The folder must be new, empty of split files, or a previous {@code prepare} output (it has
 * {@code splits.yaml}), whose files are then replaced. Anything else named like a split is refused,
 * so that a downloaded copy is never overwritten.
 */
public final class PrepareOutput {
  public static final List<String> SPLITS = List.of("train", "valid", "test");
  static final List<String> OWN_FILES = List.of(SplitManifest.FILE, "stats.md", "stats.csv");

  private PrepareOutput() {}

  /**
   * Checks {@code out} and clears what a previous {@code prepare} wrote there.
   *
   * @return true if a previous output was replaced
   */
  public static boolean prepare(Path out) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new InputException("--out " + out + ": is a file, not a folder");
    }
    List<String> inTheWay = new ArrayList<>();
    for (String s : SPLITS) {
      for (String name : List.of(s + ".json", s)) {
        if (Files.exists(out.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          inTheWay.add(name);
        }
      }
    }
    boolean previous = Files.isRegularFile(out.resolve(SplitManifest.FILE));
    if (!inTheWay.isEmpty() && !previous) {
      throw new InputException("--out " + out + ": already holds " + String.join(", ", inTheWay)
          + " not written by maskprop prepare (no " + SplitManifest.FILE
          + "); choose an empty or new folder");
    }
    try {
      Files.createDirectories(out);
      if (!previous) {
        return false;
      }
      for (String s : SPLITS) {
        Path dir = out.resolve(s);
        Path link = dir.resolve("JPEGImages");
        if (Files.exists(dir) && !Files.isSymbolicLink(link) && Files.exists(link)) {
          throw new InputException("--out " + out + ": " + link
              + " is not a link written by maskprop prepare; move it away first");
        }
        Files.deleteIfExists(link);
        try {
          Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
          throw new InputException("--out " + out + ": " + dir
              + " holds files not written by maskprop prepare; move them away first");
        }
        Files.deleteIfExists(out.resolve(s + ".json"));
      }
      for (String f : OWN_FILES) {
        Files.deleteIfExists(out.resolve(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
    }
    return true;
  }

  /**
   * Makes {@code out/<split>/JPEGImages} a relative symbolic link to {@code imageRoot}.
   *
   * @return false if the file system refused the link (the manifest still names the image root)
   */
  public static boolean linkImages(Path out, String split, Path imageRoot) {
    Path dir = out.toAbsolutePath().normalize().resolve(split);
    Path target = imageRoot.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
      Files.createSymbolicLink(dir.resolve("JPEGImages"), dir.relativize(target));
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isEmpty()) {
          Files.deleteIfExists(dir);
        }
      } catch (IOException ignored) {
        // the folder stays; harmless
      }
      return false;
    }
  }
}
