package org.maskprop.dataprep.ytvis;

import java.nio.file.Files;
import java.nio.file.Path;
import org.maskprop.InputException;

/**
 * Where a downloaded YouTube-VIS copy keeps a split's JSON and frames. Both versions keep frames in
 * {@code <root>/<split>/JPEGImages/<video>/<frame>.jpg}; the JSON is {@code <root>/<split>.json} in
 * 2019 and {@code <root>/<split>/instances.json} in 2021. The JSON format itself is the same.
 */
public enum YtvisVersion {
  V2019("2019"),
  V2021("2021");

  private final String label;

  YtvisVersion(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The split's JSON under {@code root}. */
  public Path json(Path root, String split) {
    return this == V2019 ? root.resolve(split + ".json") : root.resolve(split).resolve("instances.json");
  }

  /** The folder that the split's {@code file_names} resolve against. */
  public Path imageRoot(Path root, String split) {
    return root.resolve(split).resolve("JPEGImages");
  }

  /** {@code "2019"} or {@code "2021"}. */
  public static YtvisVersion parse(String s) {
    for (YtvisVersion v : values()) {
      if (v.label.equals(s)) {
        return v;
      }
    }
    throw new InputException("--version " + s + ": expected 2019 or 2021");
  }

  /**
   * The version whose train JSON exists under {@code root}.
   *
   * @throws InputException when neither or both exist
   */
  public static YtvisVersion detect(Path root) {
    if (!Files.isDirectory(root)) {
      throw new InputException("--root " + root + ": not a folder");
    }
    boolean v2019 = Files.isRegularFile(V2019.json(root, "train"));
    boolean v2021 = Files.isRegularFile(V2021.json(root, "train"));
    if (v2019 == v2021) {
      throw new InputException("--root " + root + ": "
          + (v2019 ? "has both train.json (2019) and train/instances.json (2021)"
              : "has neither train.json (YouTube-VIS 2019) nor train/instances.json (2021)")
          + "; give --version");
    }
    return v2019 ? V2019 : V2021;
  }
}
