package org.maskprop.dataprep.custom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Category;

/**
 * Which category each instance of each custom video belongs to, read from a CSV with the header
 * {@code video,instance,category} (one row per instance; {@code instance} is the pixel value in the
 * video's masks, {@code category} a category name; blank lines and lines starting with {@code #}
 * are skipped; fields are trimmed and cannot contain commas).
 *
 * <p>Category ids come from a vocabulary: either given ({@link #readVocabulary}: a CSV
 * {@code id,name[,supercategory]} or the categories of a YouTube-VIS JSON, so that custom data can
 * share YouTube-VIS's ids), or, without one, the distinct names of the CSV sorted by name get ids
 * 1..K.
 *
 * @param categories the vocabulary, in id order
 * @param byVideo video folder name -> instance id -> category id
 * @param lines video folder name -> instance id -> CSV line number (for messages)
 */
public record InstanceCategories(
    Path file, List<Category> categories, Map<String, Map<Integer, Integer>> byVideo,
    Map<String, Map<Integer, Integer>> lines) {

  static final String HEADER = "video,instance,category";

  /** The category id of {@code instance} in {@code video}, or null when the CSV has no row. */
  public Integer categoryOf(String video, int instance) {
    Map<Integer, Integer> m = byVideo.get(video);
    return m == null ? null : m.get(instance);
  }

  /**
   * Reads the CSV; {@code vocabulary} null derives it from the names in the file.
   *
   * @throws InputException naming file and line for a bad row, an unknown category (one missing
   *     from the vocabulary), or a repeated (video, instance)
   */
  public static InstanceCategories read(Path csv, List<Category> vocabulary) {
    List<String[]> rows = new ArrayList<>();
    List<Integer> rowLines = new ArrayList<>();
    List<String> text = lines(csv);
    boolean header = false;
    for (int i = 0; i < text.size(); i++) {
      String line = text.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(",", -1);
      for (int k = 0; k < f.length; k++) {
        f[k] = f[k].strip();
      }
      if (!header) {
        if (!String.join(",", f).toLowerCase(Locale.ROOT).equals(HEADER)) {
          throw new InputException(csv + ", line " + (i + 1) + ": expected the header " + HEADER
              + ", found '" + line + "'");
        }
        header = true;
        continue;
      }
      if (f.length != 3 || f[0].isEmpty() || f[2].isEmpty()) {
        throw new InputException(csv + ", line " + (i + 1) + ": expected video,instance,category,"
            + " found '" + line + "'");
      }
      rows.add(f);
      rowLines.add(i + 1);
    }
    if (!header) {
      throw new InputException(csv + ": empty; expected the header " + HEADER + " and one row per"
          + " instance");
    }
    List<Category> vocab = vocabulary;
    if (vocab == null) {
      TreeSet<String> names = new TreeSet<>();
      rows.forEach(r -> names.add(r[2]));
      vocab = new ArrayList<>();
      int id = 1;
      for (String n : names) {
        vocab.add(new Category(id++, n, null));
      }
    }
    Map<String, Integer> idOf = new HashMap<>();
    vocab.forEach(c -> idOf.put(c.name(), c.id()));
    Map<String, Map<Integer, Integer>> byVideo = new LinkedHashMap<>();
    Map<String, Map<Integer, Integer>> lineOf = new LinkedHashMap<>();
    for (int k = 0; k < rows.size(); k++) {
      String[] r = rows.get(k);
      int line = rowLines.get(k);
      int instance;
      try {
        instance = Integer.parseInt(r[1]);
      } catch (NumberFormatException e) {
        instance = -1;
      }
      if (instance < 1) {
        throw new InputException(csv + ", line " + line + ", video " + r[0] + ": instance '" + r[1]
            + "' is not a mask pixel value >= 1");
      }
      Integer cat = idOf.get(r[2]);
      if (cat == null) {
        throw new InputException(csv + ", line " + line + ", video " + r[0] + ", instance "
            + instance + ": unknown category '" + r[2] + "' (not in the category list)");
      }
      Integer prev = lineOf.computeIfAbsent(r[0], v -> new LinkedHashMap<>()).put(instance, line);
      if (prev != null) {
        throw new InputException(csv + ", line " + line + ", video " + r[0] + ", instance "
            + instance + ": repeats line " + prev);
      }
      byVideo.computeIfAbsent(r[0], v -> new LinkedHashMap<>()).put(instance, cat);
    }
    return new InstanceCategories(csv, List.copyOf(vocab), byVideo, lineOf);
  }

  /**
   * A category vocabulary: the {@code categories} of a YouTube-VIS JSON ({@code .json}), or a CSV
   * with the header {@code id,name} or {@code id,name,supercategory}.
   */
  public static List<Category> readVocabulary(Path file) {
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
      return YtvisDataset.read(file).categories();
    }
    List<Category> out = new ArrayList<>();
    Map<Integer, Integer> ids = new HashMap<>();
    Map<String, Integer> names = new HashMap<>();
    boolean header = false;
    boolean sup = false;
    List<String> text = lines(file);
    for (int i = 0; i < text.size(); i++) {
      String line = text.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(",", -1);
      for (int k = 0; k < f.length; k++) {
        f[k] = f[k].strip();
      }
      if (!header) {
        String h = String.join(",", f).toLowerCase(Locale.ROOT);
        if (!h.equals("id,name") && !h.equals("id,name,supercategory")) {
          throw new InputException(file + ", line " + (i + 1) + ": expected the header id,name or"
              + " id,name,supercategory, found '" + line + "'");
        }
        sup = f.length == 3;
        header = true;
        continue;
      }
      int id;
      try {
        id = f.length == (sup ? 3 : 2) ? Integer.parseInt(f[0]) : -1;
      } catch (NumberFormatException e) {
        id = -1;
      }
      if (id < 1 || f[1].isEmpty()) {
        throw new InputException(file + ", line " + (i + 1) + ": expected a positive id and a name,"
            + " found '" + line + "'");
      }
      Integer prevId = ids.put(id, i + 1);
      Integer prevName = names.put(f[1], i + 1);
      if (prevId != null || prevName != null) {
        throw new InputException(file + ", line " + (i + 1) + ": category "
            + (prevId != null ? "id " + id : "name '" + f[1] + "'") + " repeats line "
            + (prevId != null ? prevId : prevName));
      }
      out.add(new Category(id, f[1], sup && !f[2].isEmpty() ? f[2] : null));
    }
    if (out.isEmpty()) {
      throw new InputException(file + ": no categories");
    }
    out.sort((a, b) -> Integer.compare(a.id(), b.id()));
    return out;
  }

  private static List<String> lines(Path file) {
    try {
      List<String> l = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (!l.isEmpty() && l.get(0).startsWith("\uFEFF")) {
        l.set(0, l.get(0).substring(1)); // a byte-order mark from spreadsheet exports
      }
      return l;
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": file not found");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
