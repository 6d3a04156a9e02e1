package org.maskprop.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.maskprop.InputException;
import org.maskprop.util.AtomicFiles;

/**
 * Training checkpoints of one run folder (fvcore's {@code Checkpointer} + {@code
 * PeriodicCheckpointer}, STYLE.md E2). One file per checkpoint, {@code model_<iter 7 digits>.ckpt}
 * or {@code model_final.ckpt}: a zip holding
 *
 * <pre>
 * meta.properties     format, iteration, configHash, seed
 * model.ndlist        the block's parameters as a DJL NDList, each array named by its parameter path
 * optimizer.ndlist    OwnedSgd momentum buffers, named by parameter path
 * hooks.properties    "&lt;hook name&gt;.&lt;key&gt;" = value
 * </pre>
 *
 * Parameters are stored by name rather than with {@code Block.saveParameters} (a positional stream):
 * a load can then report missing, unexpected and wrongly shaped names instead of failing blindly.
 * The iteration is the last one done (0-based); a resume continues at iteration + 1. Each file is
 * written atomically ({@link AtomicFiles}), then {@code last_checkpoint} (the file name) is rewritten
 * atomically; only the newest {@code keep} periodic checkpoints stay (plus the final one).
 */
public final class Checkpointer {
  public static final String POINTER = "last_checkpoint";
  public static final String FINAL = "model_final.ckpt";
  static final int FORMAT = 1;
  private static final Pattern PERIODIC = Pattern.compile("model_(\\d{7,})\\.ckpt");

  private final Path runDir;
  private final String configHash;
  private final long seed;
  private final int keep;

  /**
   * @param configHash hash of the resolved config ({@code MaskPropConfig.hash()}); a resume under
   *     another hash is refused
   * @param keep how many periodic checkpoints to keep (<= 0: all)
   */
  public Checkpointer(Path runDir, String configHash, long seed, int keep) {
    this.runDir = runDir;
    this.configHash = configHash;
    this.seed = seed;
    this.keep = keep;
  }

  public Path runDir() {
    return runDir;
  }

  /** The file name of a periodic checkpoint after {@code iteration}. */
  public static String fileName(long iteration) {
    return String.format("model_%07d.ckpt", iteration);
  }

  /** Saves {@code state} after {@code iteration}; {@code isFinal} names it {@value #FINAL}. */
  public Path save(TrainState state, long iteration, boolean isFinal) {
    Path file = runDir.resolve(isFinal ? FINAL : fileName(iteration));
    Properties meta = new Properties();
    meta.setProperty("format", Integer.toString(FORMAT));
    meta.setProperty("iteration", Long.toString(iteration));
    meta.setProperty("configHash", configHash);
    meta.setProperty("seed", Long.toString(seed));
    Properties hooks = new Properties();
    for (TrainingHook h : state.hooks()) {
      h.state().forEach((k, v) -> hooks.setProperty(h.name() + "." + k, v));
    }
    byte[] model = parameterList(state.block()).encode();
    byte[] optimizer = state.optimizer().state().encode();
    AtomicFiles.write(file, out -> {
      ZipOutputStream zip = new ZipOutputStream(out);
      putEntry(zip, "meta.properties", propertiesBytes(meta));
      putEntry(zip, "model.ndlist", model);
      putEntry(zip, "optimizer.ndlist", optimizer);
      putEntry(zip, "hooks.properties", propertiesBytes(hooks));
      zip.finish(); // AtomicFiles closes the stream
    });
    AtomicFiles.writeString(runDir.resolve(POINTER), file.getFileName().toString());
    prune();
    return file;
  }

  /** The checkpoint {@code last_checkpoint} points at, if there is one. */
  public static Optional<Path> lastCheckpoint(Path runDir) {
    Path pointer = runDir.resolve(POINTER);
    if (!Files.isRegularFile(pointer)) {
      return Optional.empty();
    }
    try {
      String name = Files.readString(pointer, StandardCharsets.UTF_8).trim();
      Path file = runDir.resolve(name);
      if (!Files.isRegularFile(file)) {
        throw new InputException(pointer + ": points at " + name + ", which does not exist");
      }
      return Optional.of(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pointer + ": " + e.getMessage(), e);
    }
  }

  /**
   * fvcore's {@code resume_or_load}. With {@code resume}: the checkpoint (a file, or the one {@code
   * last_checkpoint} names in a folder; none there means a fresh start) restores weights, optimizer
   * and hook states, and the returned next iteration is its iteration + 1; its config hash must
   * equal ours. Without: only weights are read from the file, mismatches must be allowed, and the
   * run starts at 0.
   */
  public Resumed resumeOrLoad(Path runDirOrCheckpoint, boolean resume, TrainState state, Set<String> allowedMissing) {
    Optional<Path> file = Files.isDirectory(runDirOrCheckpoint)
        ? lastCheckpoint(runDirOrCheckpoint)
        : Optional.of(runDirOrCheckpoint);
    if (file.isEmpty()) {
      if (resume) {
        return new Resumed(0, Optional.empty());
      }
      throw new InputException(runDirOrCheckpoint + ": no " + POINTER + " in this folder; give a checkpoint file");
    }
    Path f = file.get();
    try (NDManager tmp = NDManager.newBaseManager()) {
      Contents c = read(f, tmp);
      if (!resume) {
        LoadReport report = loadWeights(f, c.model, state.block()).requireClean(allowedMissing);
        return new Resumed(0, Optional.of(report));
      }
      if (!configHash.equals(c.configHash)) {
        throw new InputException(f + ": config hash " + c.configHash + " differs from this run's " + configHash
            + "; resume only with the config the run started with");
      }
      if (seed != c.seed) {
        throw new InputException(f + ": seed " + c.seed + " differs from this run's " + seed);
      }
      loadWeights(f, c.model, state.block()).requireClean(Set.of());
      state.optimizer().restore(c.optimizer);
      for (TrainingHook h : state.hooks()) {
        String prefix = h.name() + ".";
        Map<String, String> s = new TreeMap<>();
        c.hooks.forEach((k, v) -> {
          if (k.startsWith(prefix)) {
            s.put(k.substring(prefix.length()), v);
          }
        });
        h.restore(s);
      }
      return new Resumed(c.iteration + 1, Optional.empty());
    }
  }

  /** Where a run starts and, after a weights-only load, how the file matched. */
  public record Resumed(long startIteration, Optional<LoadReport> report) {}

  /** Copies matching named arrays into the block's parameters, bit for bit. */
  static LoadReport loadWeights(Path file, NDList arrays, Block block) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (NDArray a : arrays) {
      byName.put(a.getName(), a);
    }
    List<String> missing = new ArrayList<>();
    List<String> misshaped = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      String name = p.getKey();
      NDArray src = byName.get(name);
      if (src == null) {
        missing.add(name);
        continue;
      }
      seen.add(name);
      NDArray dst = p.getValue().getArray();
      if (!dst.getShape().equals(src.getShape()) || dst.getDataType() != src.getDataType()) {
        misshaped.add(name + ": file " + src.getShape() + " " + src.getDataType() + " vs model " + dst.getShape()
            + " " + dst.getDataType());
        continue;
      }
      dst.set(src.toByteBuffer()); // in place: the parameter keeps its array, manager and gradient
    }
    List<String> unexpected = byName.keySet().stream().filter(n -> !seen.contains(n)).toList();
    return new LoadReport(file, missing, unexpected, misshaped);
  }

  private record Contents(long iteration, String configHash, long seed, NDList model, NDList optimizer,
      Map<String, String> hooks) {}

  private static Contents read(Path file, NDManager manager) {
    Map<String, byte[]> entries = new HashMap<>();
    try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        entries.put(e.getName(), zip.readAllBytes());
      }
    } catch (IOException e) {
      throw new InputException(file + ": not a readable checkpoint (" + e.getMessage() + ")", e);
    }
    for (String need : List.of("meta.properties", "model.ndlist", "optimizer.ndlist", "hooks.properties")) {
      if (!entries.containsKey(need)) {
        throw new InputException(file + ": not a checkpoint, entry " + need + " missing");
      }
    }
    Properties meta = properties(entries.get("meta.properties"));
    if (!Integer.toString(FORMAT).equals(meta.getProperty("format"))) {
      throw new InputException(file + ": checkpoint format " + meta.getProperty("format") + ", expected " + FORMAT);
    }
    Properties hooks = properties(entries.get("hooks.properties"));
    Map<String, String> hookMap = new TreeMap<>();
    hooks.stringPropertyNames().forEach(k -> hookMap.put(k, hooks.getProperty(k)));
    return new Contents(
        Long.parseLong(meta.getProperty("iteration")),
        meta.getProperty("configHash"),
        Long.parseLong(meta.getProperty("seed")),
        decode(manager, entries.get("model.ndlist")),
        decode(manager, entries.get("optimizer.ndlist")),
        hookMap);
  }

  /**
   * NDList.decode refuses the encoding of an empty list (the optimizer has no momentum buffers
   * before its first step), so an empty entry decodes here.
   */
  private static NDList decode(NDManager manager, byte[] bytes) {
    if (bytes.length == 0 || java.util.Arrays.equals(bytes, new NDList().encode())) {
      return new NDList();
    }
    return NDList.decode(manager, bytes);
  }

  /** Deletes all but the newest {@code keep} periodic checkpoints (never the final one). */
  private void prune() {
    if (keep <= 0) {
      return;
    }
    TreeMap<Long, Path> periodic = new TreeMap<>();
    try (Stream<Path> files = Files.list(runDir)) {
      files.forEach(f -> {
        Matcher m = PERIODIC.matcher(f.getFileName().toString());
        if (m.matches()) {
          periodic.put(Long.parseLong(m.group(1)), f);
        }
      });
      while (periodic.size() > keep) {
        Files.deleteIfExists(periodic.pollFirstEntry().getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prune checkpoints in " + runDir + ": " + e.getMessage(), e);
    }
  }

  private static NDList parameterList(Block block) {
    NDList out = new NDList();
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray a = p.getValue().getArray();
      a.setName(p.getKey());
      out.add(a);
    }
    return out;
  }

  private static void putEntry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(bytes);
    zip.closeEntry();
  }

  private static byte[] propertiesBytes(Properties p) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    p.store(b, null); // keys sorted since JDK 18
    return b.toByteArray();
  }

  private static Properties properties(byte[] bytes) {
    Properties p = new Properties();
    try {
      p.load(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
