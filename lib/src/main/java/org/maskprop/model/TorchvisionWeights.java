package org.maskprop.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.maskprop.InputException;

/**
 * Imports torchvision state dicts (ResNet/ResNeXt ImageNet checkpoints, Mask R-CNN checkpoints) saved
 * with {@code numpy.savez} into our blocks, by name (how to make the .npz: {@code lib/WEIGHTS.md}).
 *
 * <p>Our blocks name their children and parameters as torchvision names its modules and tensors, so a
 * block's key is the path of child names joined by dots (DJL's {@code NN} child-index prefix removed,
 * DJL BatchNorm's {@code gamma/beta/runningMean/runningVar} read as {@code weight/bias/running_mean/
 * running_var}); {@link #parametersByKey} lists them. A checkpoint key is matched after removing a
 * {@code prefix} ({@code "backbone."} to load a Mask R-CNN checkpoint into an {@code FpnBackbone},
 * {@code ""} for an ImageNet ResNet into a {@code ResNet}). Keys without the prefix count as
 * unexpected. BatchNorm's {@code num_batches_tracked} counters are ignored (they only matter for
 * momentum-free BN). FPN keys of torchvision before 0.13 ({@code inner_blocks.i.weight}) are read as
 * {@code inner_blocks.i.0.weight}. Floating arrays of any precision are converted to float32.
 *
 * <p>Missing, unexpected and wrongly shaped names are all reported; the import fails with an
 * {@link InputException} unless each is on the {@link AllowList} (STYLE.md, {@code train}): a
 * wrongly shaped name is skipped (keeps its initial value) only if it is allowed to be missing.
 */
public final class TorchvisionWeights {
  private static final Pattern LEGACY_FPN =
      Pattern.compile("(^|\\.)(inner_blocks|layer_blocks)\\.(\\d+)\\.(weight|bias)$");
  private static final String BN_COUNTER = "num_batches_tracked";

  private TorchvisionWeights() {}

  /**
   * Name prefixes that may be missing from the checkpoint (ours, left as initialised) or unexpected in
   * it (theirs, not loaded).
   */
  public record AllowList(List<String> missing, List<String> unexpected) {
    public AllowList {
      missing = List.copyOf(missing);
      unexpected = List.copyOf(unexpected);
    }

    /** Nothing allowed: every key must match exactly. */
    public static AllowList strict() {
      return new AllowList(List.of(), List.of());
    }

    /** An ImageNet classification checkpoint into a ResNet body: its {@code fc.*} classifier is dropped. */
    public static AllowList imagenetClassifier() {
      return new AllowList(List.of(), List.of("fc."));
    }

    /** A full Mask R-CNN checkpoint into the backbone only: RPN and RoI heads are not ours here. */
    public static AllowList maskRcnnHeads() {
      return new AllowList(List.of(), List.of("rpn.", "roi_heads."));
    }

    boolean allowsMissing(String key) {
      return missing.stream().anyMatch(key::startsWith);
    }

    boolean allowsUnexpected(String key) {
      return unexpected.stream().anyMatch(key::startsWith);
    }
  }

  /** What an import did; names are checkpoint keys (unexpected, wrongShape, ignored) or ours (missing). */
  public record ImportReport(List<String> loaded, List<String> missing, List<String> unexpected,
      List<String> wrongShape, List<String> ignored) {
    public ImportReport {
      loaded = List.copyOf(loaded);
      missing = List.copyOf(missing);
      unexpected = List.copyOf(unexpected);
      wrongShape = List.copyOf(wrongShape);
      ignored = List.copyOf(ignored);
    }

    /** One line for logs. */
    public String summary() {
      return String.format(Locale.ROOT, "loaded %d, missing %d, unexpected %d, wrong shape %d, ignored %d",
          loaded.size(), missing.size(), unexpected.size(), wrongShape.size(), ignored.size());
    }
  }

  /**
   * Loads {@code file} (a {@code numpy.savez} of a torchvision state dict) into the initialised
   * {@code target}. Throws {@link InputException} naming the file on unreadable input or on names
   * that are not allow-listed.
   */
  public static ImportReport load(Path file, String prefix, Block target, AllowList allow) {
    // the file's arrays live in their own manager (the model's may be capped), freed after the copy
    try (NDManager scope = NDManager.newBaseManager(firstParameter(target).getArray().getDevice())) {
      return load(readNpz(scope, file), file.toString(), prefix, target, allow);
    }
  }

  /** As {@link #load(Path, String, Block, AllowList)} for a state dict already in memory. */
  public static ImportReport load(Map<String, NDArray> stateDict, String source, String prefix, Block target,
      AllowList allow) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    stateDict.forEach((k, v) -> shapes.put(k, v.getShape()));
    Map<String, Parameter> ours = parametersByKey(target);
    ImportReport report = match(shapes, source, prefix, ours, allow);
    for (String key : report.loaded()) {
      NDArray value = stateDict.get(key);
      Parameter p = ours.get(normalize(key.substring(prefix.length())));
      try (NDArray f32 = value.toType(DataType.FLOAT32, true)) {
        p.getArray().set(f32.toByteBuffer());
      }
    }
    return report;
  }

  /**
   * Matches checkpoint key shapes against {@code target} without copying anything (for checks of
   * key lists): the same report and the same failure as {@link #load}.
   */
  public static ImportReport check(Map<String, Shape> keyShapes, String source, String prefix, Block target,
      AllowList allow) {
    return match(keyShapes, source, prefix, parametersByKey(target), allow);
  }

  private static ImportReport match(Map<String, Shape> theirs, String source, String prefix,
      Map<String, Parameter> ours, AllowList allow) {
    List<String> loaded = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> wrongShape = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Map.Entry<String, Shape> e : theirs.entrySet()) {
      String key = e.getKey();
      if (key.endsWith("." + BN_COUNTER)) {
        ignored.add(key);
        continue;
      }
      Parameter p = key.startsWith(prefix) ? ours.get(normalize(key.substring(prefix.length()))) : null;
      if (p == null) {
        unexpected.add(key);
        continue;
      }
      String name = normalize(key.substring(prefix.length()));
      seen.add(name);
      Shape want = parameterShape(p, name);
      if (want.equals(e.getValue())) {
        loaded.add(key);
      } else {
        wrongShape.add(key + " " + e.getValue() + " (ours " + want + ")");
      }
    }
    List<String> missing = new ArrayList<>(ours.keySet());
    missing.removeAll(seen);
    ImportReport report = new ImportReport(loaded, missing, unexpected, wrongShape, ignored);
    List<String> bad = new ArrayList<>();
    missing.stream().filter(k -> !allow.allowsMissing(k)).forEach(k -> bad.add("missing " + k));
    unexpected.stream().filter(k -> !allow.allowsUnexpected(k)).forEach(k -> bad.add("unexpected " + k));
    wrongShape.stream().filter(k -> !allow.allowsMissing(normalize(k.substring(prefix.length()))))
        .forEach(k -> bad.add("wrong shape " + k));
    if (!bad.isEmpty()) {
      throw new InputException(source + ": " + bad.size() + " weight names do not match (prefix '" + prefix
          + "'; " + report.summary() + "), first: " + String.join("; ", bad.subList(0, Math.min(5, bad.size()))));
    }
    return report;
  }

  private static Shape parameterShape(Parameter p, String name) {
    if (!p.isInitialized()) {
      throw new IllegalStateException("initialize the block before importing weights (" + name + ")");
    }
    return p.getArray().getShape();
  }

  /** torchvision < 0.13 FPN keys lack the Conv2dNormActivation level: {@code inner_blocks.0.weight}. */
  static String normalize(String key) {
    return LEGACY_FPN.matcher(key).replaceFirst("$1$2.$3.0.$4");
  }

  /** Every parameter of {@code block} by its torchvision-style key, in DJL's parameter order. */
  public static Map<String, Parameter> parametersByKey(Block block) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    walk(block, "", out);
    return out;
  }

  private static void walk(Block block, String prefix, Map<String, Parameter> out) {
    for (Pair<String, Parameter> p : block.getDirectParameters()) {
      out.put(prefix + torchName(p.getKey()), p.getValue());
    }
    int i = 0;
    for (Pair<String, Block> child : block.getChildren()) {
      String index = String.format(Locale.ROOT, "%02d", ++i); // AbstractBlock.addChildBlock's prefix
      String name = child.getKey();
      if (!name.startsWith(index)) {
        throw new IllegalStateException("unexpected DJL child name " + name + " at position " + i);
      }
      walk(child.getValue(), prefix + name.substring(index.length()) + ".", out);
    }
  }

  private static String torchName(String djlName) {
    return switch (djlName) {
      case "gamma" -> "weight";
      case "beta" -> "bias";
      case "runningMean" -> "running_mean";
      case "runningVar" -> "running_var";
      default -> djlName;
    };
  }

  private static Parameter firstParameter(Block block) {
    var params = block.getParameters();
    if (params.isEmpty() || !params.get(0).getValue().isInitialized()) {
      throw new IllegalStateException("initialize the block before importing weights");
    }
    return params.get(0).getValue();
  }

  /**
   * All arrays of a {@code numpy.savez} / {@code savez_compressed} file by key (DJL's
   * {@code NDList.decode} reads the zip of .npy entries and keeps their names), in file order.
   */
  public static Map<String, NDArray> readNpz(NDManager manager, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      NDList list = NDList.decode(manager, in);
      if (list.isEmpty()) {
        throw new InputException(file + ": no arrays; expected a numpy.savez state dict");
      }
      Map<String, NDArray> out = new LinkedHashMap<>();
      for (NDArray a : list) {
        String key = a.getName();
        if (key == null) {
          throw new InputException(file + ": an array without a name; expected a numpy.savez state dict");
        }
        out.put(key.endsWith(".npy") ? key.substring(0, key.length() - 4) : key, a);
      }
      return out;
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": weight file not found");
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      throw new InputException(file + ": not a readable numpy .npz state dict (" + e.getMessage() + ")", e);
    }
  }
}
