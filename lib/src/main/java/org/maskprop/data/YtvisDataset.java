package org.maskprop.data;

import static org.maskprop.data.YtvisJson.describe;
import static org.maskprop.data.YtvisJson.requireArray;
import static org.maskprop.data.YtvisJson.requireInt;
import static org.maskprop.data.YtvisJson.requireString;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.ToIntFunction;
import org.maskprop.InputException;
import org.maskprop.data.YtvisJson.Where;
import org.maskprop.util.AtomicFiles;

/**
 * A YouTube-VIS 2019 dataset split: videos, categories and (for splits with GT) annotations.
 *
 * <p>{@code source} is the JSON file it came from (null when built in memory), used in error
 * messages; it is not part of {@link #equals}. {@code info} and {@code licenses} are passed through
 * unchanged (may be null). The lists are immutable and indexed by id ({@link #videoById},
 * {@link #categoryById}, {@link #annotationsOf}); a split without GT has no annotations.
 *
 * <p>{@link #read} validates everything the evaluator and the data loader rely on and reports the
 * first problem as one {@link InputException} line naming file, video/annotation id, frame and
 * field. Video fields other than the five kept here ({@code date_captured}, {@code license}, ...)
 * are dropped.
 */
public record YtvisDataset(
    Path source,
    JsonNode info,
    JsonNode licenses,
    List<Video> videos,
    List<Category> categories,
    List<Annotation> annotations) {

  /** Copies the lists into immutable indexed lists; duplicate ids are a programming error here. */
  public YtvisDataset {
    videos = new IdList<>(videos, Video::id, "video");
    categories = new IdList<>(categories, Category::id, "category");
    annotations = new AnnotationList(annotations == null ? List.of() : annotations);
  }

  /** One video: frame size, and one file name per frame relative to the image root. */
  public record Video(int id, int width, int height, int length, List<String> fileNames) {
    public Video {
      fileNames = List.copyOf(fileNames);
    }
  }

  public record Category(int id, String name, String supercategory) {}

  /**
   * One GT instance track. The three per-frame lists have one entry per frame of the video; an
   * entry is null where the instance is absent. {@code bboxes} entries are {@code [x, y, w, h]}.
   */
  public record Annotation(
      int id,
      int videoId,
      int categoryId,
      int iscrowd,
      int height,
      int width,
      List<Rle> segmentations,
      List<Double> areas,
      List<double[]> bboxes) {

    public Annotation {
      segmentations = Collections.unmodifiableList(new ArrayList<>(segmentations));
      areas = Collections.unmodifiableList(new ArrayList<>(areas));
      bboxes = Collections.unmodifiableList(new ArrayList<>(bboxes));
    }

    /** Box arrays compare by content. */
    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Annotation a)) {
        return false;
      }
      if (a.id != id || a.videoId != videoId || a.categoryId != categoryId || a.iscrowd != iscrowd
          || a.height != height || a.width != width || !a.segmentations.equals(segmentations)
          || !a.areas.equals(areas) || a.bboxes.size() != bboxes.size()) {
        return false;
      }
      for (int i = 0; i < bboxes.size(); i++) {
        if (!Arrays.equals(a.bboxes.get(i), bboxes.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = Objects.hash(id, videoId, categoryId, iscrowd, height, width, segmentations, areas);
      for (double[] b : bboxes) {
        h = 31 * h + Arrays.hashCode(b);
      }
      return h;
    }

    @Override
    public String toString() {
      long present = segmentations.stream().filter(Objects::nonNull).count();
      return "Annotation[id=" + id + ", video=" + videoId + ", category=" + categoryId
          + ", iscrowd=" + iscrowd + ", " + height + "x" + width + ", frames=" + present + "/"
          + segmentations.size() + "]";
    }
  }

  // ---------------------------------------------------------------- lookups

  /** The video with this id, or null. */
  public Video videoById(int id) {
    return ((IdList<Video>) videos).byId(id);
  }

  /** The category with this id, or null. */
  public Category categoryById(int id) {
    return ((IdList<Category>) categories).byId(id);
  }

  /** The annotations of one video in file order (empty when none). */
  public List<Annotation> annotationsOf(int videoId) {
    return ((AnnotationList) annotations).ofVideo(videoId);
  }

  /** Equality of content; {@code source} is ignored. */
  @Override
  public boolean equals(Object o) {
    return o instanceof YtvisDataset d
        && Objects.equals(d.info, info)
        && Objects.equals(d.licenses, licenses)
        && d.videos.equals(videos)
        && d.categories.equals(categories)
        && d.annotations.equals(annotations);
  }

  @Override
  public int hashCode() {
    return Objects.hash(info, licenses, videos, categories, annotations);
  }

  @Override
  public String toString() {
    return "YtvisDataset[" + (source == null ? "in memory" : source) + ", " + videos.size()
        + " videos, " + categories.size() + " categories, " + annotations.size() + " annotations]";
  }

  // ---------------------------------------------------------------- reading

  /** Reads and validates a YouTube-VIS JSON file (frame files are not checked). */
  public static YtvisDataset read(Path json) {
    return read(json, null);
  }

  /**
   * Reads and validates a YouTube-VIS JSON file; with {@code imageRoot} non-null, also checks that
   * every frame file {@code imageRoot/file_names[f]} exists.
   *
   * @throws InputException on the first problem found, naming file, ids, frame and field
   */
  public static YtvisDataset read(Path json, Path imageRoot) {
    YtvisDataset fast = readFast(json, imageRoot);
    return fast != null ? fast : readTrees(json, imageRoot);
  }

  /**
   * The streaming fast path: annotations (almost all of a file) are read without JSON trees; it
   * accepts only plain valid files (ints as JSON ints, no duplicate keys, every check passing) and
   * returns null on anything else, so that {@link #read} takes the tree path, which reports the
   * first problem exactly. Both paths give equal datasets on the files the fast path accepts.
   */
  static YtvisDataset readFast(Path json, Path imageRoot) {
    String file = json.toString();
    JsonNode info = null;
    JsonNode licenses = null;
    List<Video> videos = null;
    List<Category> categories = null;
    List<Annotation> annotations = new ArrayList<>();
    boolean[] seen = new boolean[5];
    try (JsonParser p = YtvisJson.MAPPER.getFactory().createParser(json.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        int k = switch (name) {
          case "info" -> 0;
          case "licenses" -> 1;
          case "videos" -> 2;
          case "categories" -> 3;
          case "annotations" -> 4;
          default -> -1;
        };
        if (k >= 0) {
          if (seen[k]) {
            return null; // duplicate key: the tree path's last-wins reading decides
          }
          seen[k] = true;
        }
        switch (name) {
          case "info" -> info = orNull(YtvisJson.MAPPER.readTree(p));
          case "licenses" -> licenses = orNull(YtvisJson.MAPPER.readTree(p));
          case "videos" -> {
            if (t != JsonToken.START_ARRAY) {
              return null;
            }
            videos = new ArrayList<>();
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
              videos.add(parseVideo(YtvisJson.MAPPER.readTree(p), file, i));
            }
          }
          case "categories" -> {
            if (t != JsonToken.START_ARRAY) {
              return null;
            }
            categories = new ArrayList<>();
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
              categories.add(parseCategory(YtvisJson.MAPPER.readTree(p), file, i));
            }
          }
          case "annotations" -> {
            if (t == JsonToken.VALUE_NULL) {
              continue;
            }
            if (t != JsonToken.START_ARRAY) {
              return null;
            }
            java.util.Set<Integer> ids = new java.util.HashSet<>();
            YtvisJson.readArray(p, YtvisDataset::readRawAnnotation, (raw, i) -> raw.toAnnotation(),
                (a, i) -> {
                  if (!ids.add(a.id())) {
                    throw YtvisJson.Fallback.INSTANCE;
                  }
                  annotations.add(a);
                });
          }
          default -> p.skipChildren();
        }
      }
      if (videos == null || categories == null) {
        return null;
      }
      // duplicate video/category ids and every cross check: the constructor and the same
      // checks as the tree path, any failure sends the file there
      YtvisDataset d = new YtvisDataset(json, info, licenses, videos, categories, annotations);
      List<Annotation> sized = new ArrayList<>(annotations.size());
      for (Annotation a : d.annotations) {
        sized.add(d.checkAgainstVideo(a, file));
      }
      if (imageRoot != null) {
        d.checkFrameFiles(imageRoot, file);
      }
      return new YtvisDataset(json, info, licenses, d.videos, d.categories, sized);
    } catch (IOException | RuntimeException e) {
      // Fallback, InputException, IllegalArgumentException (duplicate ids), malformed JSON
      return null;
    }
  }

  /** One annotation as read by the fast path, before RLE decoding. */
  private record RawAnnotation(int id, int videoId, int categoryId, int iscrowd, int height,
      int width, int length, YtvisJson.RawRle[] segmentations, List<Double> areas,
      List<double[]> bboxes) {

    /** Decodes the masks (on a worker thread) and applies the element-level checks. */
    Annotation toAnnotation() {
      List<Rle> segs = new ArrayList<>(segmentations.length);
      for (YtvisJson.RawRle r : segmentations) {
        segs.add(r == null ? null : r.decode());
      }
      List<double[]> boxes = bboxes;
      if (boxes == null) {
        boxes = new ArrayList<>(segs.size());
        for (Rle r : segs) {
          boxes.add(r == null ? null : r.toBbox());
        }
      }
      if (areas.size() != segs.size() || boxes.size() != segs.size()
          || (length >= 0 && length != segs.size())) {
        throw YtvisJson.Fallback.INSTANCE;
      }
      return new Annotation(id, videoId, categoryId, iscrowd, height, width, segs, areas, boxes);
    }
  }

  /** A JSON number as the tree path reads it ({@code doubleValue()} of an int or double node). */
  private static double fastNumber(JsonToken t, JsonParser p) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
      return p.getIntValue();
    }
    if (t == JsonToken.VALUE_NUMBER_FLOAT && p.getNumberType() == JsonParser.NumberType.DOUBLE) {
      double v = p.getDoubleValue();
      if (Double.isFinite(v)) {
        return v;
      }
    }
    throw YtvisJson.Fallback.INSTANCE;
  }

  private static RawAnnotation readRawAnnotation(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw YtvisJson.Fallback.INSTANCE;
    }
    // height, width, length: -1 when absent or null (taken from the video later)
    int id = 0;
    int videoId = 0;
    int categoryId = 0;
    int iscrowd = 0;
    int height = -1;
    int width = -1;
    int length = -1;
    int seenMask = 0;
    List<YtvisJson.RawRle> segs = null;
    List<Double> areas = null;
    List<double[]> bboxes = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      t = p.nextToken();
      int bit = switch (name) {
        case "id" -> 1;
        case "video_id" -> 2;
        case "category_id" -> 4;
        case "iscrowd" -> 8;
        case "height" -> 16;
        case "width" -> 32;
        case "length" -> 64;
        case "segmentations" -> 128;
        case "areas" -> 256;
        case "bboxes" -> 512;
        default -> 0;
      };
      if ((seenMask & bit) != 0) {
        throw YtvisJson.Fallback.INSTANCE;
      }
      seenMask |= bit;
      switch (name) {
        case "id" -> id = YtvisJson.fastInt(t, p);
        case "video_id" -> videoId = YtvisJson.fastInt(t, p);
        case "category_id" -> categoryId = YtvisJson.fastInt(t, p);
        case "iscrowd" -> {
          if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            iscrowd = t == JsonToken.VALUE_TRUE ? 1 : 0;
          } else if (t != JsonToken.VALUE_NULL) {
            iscrowd = YtvisJson.fastInt(t, p);
            if (iscrowd != 0 && iscrowd != 1) {
              throw YtvisJson.Fallback.INSTANCE;
            }
          }
        }
        case "height" -> height = t == JsonToken.VALUE_NULL ? -1 : YtvisJson.fastInt(t, p);
        case "width" -> width = t == JsonToken.VALUE_NULL ? -1 : YtvisJson.fastInt(t, p);
        case "length" -> length = t == JsonToken.VALUE_NULL ? -1 : YtvisJson.fastInt(t, p);
        case "segmentations" -> {
          if (t != JsonToken.START_ARRAY) {
            throw YtvisJson.Fallback.INSTANCE;
          }
          segs = new ArrayList<>();
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            segs.add(YtvisJson.fastRle(t, p));
          }
        }
        case "areas" -> {
          if (t != JsonToken.START_ARRAY) {
            throw YtvisJson.Fallback.INSTANCE;
          }
          areas = new ArrayList<>();
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.VALUE_NULL) {
              areas.add(null);
            } else {
              double a = fastNumber(t, p);
              if (!(a >= 0)) {
                throw YtvisJson.Fallback.INSTANCE;
              }
              areas.add(a);
            }
          }
        }
        case "bboxes" -> {
          if (t == JsonToken.VALUE_NULL) {
            continue;
          }
          if (t != JsonToken.START_ARRAY) {
            throw YtvisJson.Fallback.INSTANCE;
          }
          bboxes = new ArrayList<>();
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.VALUE_NULL) {
              bboxes.add(null);
              continue;
            }
            if (t != JsonToken.START_ARRAY) {
              throw YtvisJson.Fallback.INSTANCE;
            }
            double[] box = new double[4];
            for (int q = 0; q < 4; q++) {
              box[q] = fastNumber(p.nextToken(), p);
            }
            if (p.nextToken() != JsonToken.END_ARRAY || box[2] < 0 || box[3] < 0) {
              throw YtvisJson.Fallback.INSTANCE;
            }
            bboxes.add(box);
          }
        }
        default -> p.skipChildren();
      }
    }
    if ((seenMask & (1 | 2 | 4 | 128 | 256)) != (1 | 2 | 4 | 128 | 256)) {
      throw YtvisJson.Fallback.INSTANCE;
    }
    return new RawAnnotation(id, videoId, categoryId, iscrowd, height, width, length,
        segs.toArray(new YtvisJson.RawRle[0]), areas, bboxes);
  }

  /** The tree path: validates everything and throws on the first problem. */
  static YtvisDataset readTrees(Path json, Path imageRoot) {
    String file = json.toString();
    JsonNode info = null;
    JsonNode licenses = null;
    List<Video> videos = null;
    List<Category> categories = null;
    List<Annotation> annotations = new ArrayList<>();
    try (JsonParser p = YtvisJson.open(json)) {
      YtvisJson.expect(p, JsonToken.START_OBJECT, json, "the top level");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case "info" -> info = orNull(YtvisJson.MAPPER.readTree(p));
          case "licenses" -> licenses = orNull(YtvisJson.MAPPER.readTree(p));
          case "videos" -> {
            checkArray(t, file, "videos");
            videos = new ArrayList<>();
            Map<Integer, Integer> seen = new HashMap<>();
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
              Video v = parseVideo(YtvisJson.MAPPER.readTree(p), file, i);
              Integer prev = seen.put(v.id(), i);
              if (prev != null) {
                throw new InputException(file + ": video " + v.id() + ", field videos[" + i
                    + "].id: duplicate id (also videos[" + prev + "])");
              }
              videos.add(v);
            }
          }
          case "categories" -> {
            checkArray(t, file, "categories");
            categories = new ArrayList<>();
            Map<Integer, Integer> seen = new HashMap<>();
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
              Category c = parseCategory(YtvisJson.MAPPER.readTree(p), file, i);
              Integer prev = seen.put(c.id(), i);
              if (prev != null) {
                throw new InputException(file + ": category " + c.id() + ", field categories[" + i
                    + "].id: duplicate id (also categories[" + prev + "])");
              }
              categories.add(c);
            }
          }
          // the official valid/test JSONs (no GT) carry "annotations": null
          case "annotations" -> {
            if (t == JsonToken.VALUE_NULL) {
              continue;
            }
            checkArray(t, file, "annotations");
            Map<Integer, Integer> seen = new HashMap<>();
            // parsed (RLE decoding) on worker threads, checked and kept here in file order
            YtvisJson.readArray(p, (n, i) -> parseAnnotation(n, file, i), (a, i) -> {
              Integer prev = seen.put(a.id(), i);
              if (prev != null) {
                throw new InputException(file + ": annotation " + a.id() + " (video " + a.videoId()
                    + "), field annotations[" + i + "].id: duplicate id (also annotations[" + prev
                    + "])");
              }
              annotations.add(a);
            });
          }
          default -> p.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw YtvisJson.malformed(json, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + json + ": " + e.getMessage(), e);
    }
    if (videos == null) {
      throw new InputException(file + ": field videos: missing required field");
    }
    if (categories == null) {
      throw new InputException(file + ": field categories: missing required field");
    }
    YtvisDataset d = new YtvisDataset(json, info, licenses, videos, categories, annotations);
    List<Annotation> sized = new ArrayList<>(annotations.size());
    for (Annotation a : d.annotations) {
      sized.add(d.checkAgainstVideo(a, file));
    }
    if (imageRoot != null) {
      d.checkFrameFiles(imageRoot, file);
    }
    return new YtvisDataset(json, info, licenses, d.videos, d.categories, sized);
  }

  /** JSON null reads as Java null, so that write(read(x)) == x for in-memory datasets. */
  private static JsonNode orNull(JsonNode n) {
    return n == null || n.isNull() ? null : n;
  }

  private static void checkArray(JsonToken t, String file, String field) {
    if (t != JsonToken.START_ARRAY) {
      throw new InputException(file + ": field " + field + ": expected an array, found "
          + (t == null ? "nothing" : t.name()));
    }
  }

  private static Video parseVideo(JsonNode n, String file, int index) {
    Where w = new Where(file, "videos[" + index + "]");
    if (!n.isObject()) {
      throw w.error("videos[" + index + "]", "expected an object, found " + describe(n));
    }
    int id = requireInt(n, "id", w);
    w = new Where(file, "video " + id);
    int width = requireInt(n, "width", w);
    int height = requireInt(n, "height", w);
    if (width <= 0 || height <= 0) {
      throw w.error(width <= 0 ? "width" : "height", "must be positive, found " + width + "x" + height);
    }
    JsonNode names = requireArray(n, "file_names", w);
    List<String> fileNames = new ArrayList<>(names.size());
    for (int f = 0; f < names.size(); f++) {
      JsonNode s = names.get(f);
      if (!s.isTextual()) {
        throw w.error(f, "file_names[" + f + "]", "expected a string, found " + describe(s));
      }
      fileNames.add(s.textValue());
    }
    int length;
    if (n.has("length")) {
      length = requireInt(n, "length", w);
      if (length != fileNames.size()) {
        throw w.error("length", length + " disagrees with the " + fileNames.size() + " file_names");
      }
    } else {
      length = fileNames.size();
    }
    return new Video(id, width, height, length, fileNames);
  }

  private static Category parseCategory(JsonNode n, String file, int index) {
    Where w = new Where(file, "categories[" + index + "]");
    if (!n.isObject()) {
      throw w.error("categories[" + index + "]", "expected an object, found " + describe(n));
    }
    int id = requireInt(n, "id", w);
    w = new Where(file, "category " + id);
    String name = requireString(n, "name", w);
    String sup = null;
    JsonNode s = n.get("supercategory");
    if (s != null && !s.isNull()) {
      if (!s.isTextual()) {
        throw w.error("supercategory", "expected a string, found " + describe(s));
      }
      sup = s.textValue();
    }
    return new Category(id, name, sup);
  }

  /**
   * Element-level checks only (types, lengths among the three lists, RLE syntax); checks against
   * the video and category lists follow once all of the file has been read.
   */
  private static Annotation parseAnnotation(JsonNode n, String file, int index) {
    Where w = new Where(file, "annotations[" + index + "]");
    if (!n.isObject()) {
      throw w.error("annotations[" + index + "]", "expected an object, found " + describe(n));
    }
    int id = requireInt(n, "id", w);
    w = new Where(file, "annotation " + id);
    int videoId = requireInt(n, "video_id", w);
    w = new Where(file, "annotation " + id + " (video " + videoId + ")");
    int categoryId = requireInt(n, "category_id", w);
    int iscrowd = 0;
    JsonNode c = n.get("iscrowd");
    if (c != null && !c.isNull()) {
      if (c.isBoolean()) {
        iscrowd = c.booleanValue() ? 1 : 0;
      } else {
        iscrowd = YtvisJson.toInt(c, "iscrowd", w);
        if (iscrowd != 0 && iscrowd != 1) {
          throw w.error("iscrowd", "expected 0 or 1, found " + iscrowd);
        }
      }
    }
    // -1 = absent: taken from the video later
    int height = optionalInt(n, "height", w);
    int width = optionalInt(n, "width", w);
    int length = optionalInt(n, "length", w);

    JsonNode segs = requireArray(n, "segmentations", w);
    List<Rle> segmentations = new ArrayList<>(segs.size());
    for (int f = 0; f < segs.size(); f++) {
      segmentations.add(YtvisJson.readRle(segs.get(f), f, "segmentations", w));
    }
    JsonNode ar = requireArray(n, "areas", w);
    List<Double> areas = new ArrayList<>(ar.size());
    for (int f = 0; f < ar.size(); f++) {
      JsonNode a = ar.get(f);
      if (a.isNull()) {
        areas.add(null);
      } else if (a.isNumber() && Double.isFinite(a.doubleValue()) && a.doubleValue() >= 0) {
        areas.add(a.doubleValue());
      } else {
        throw w.error(f, "areas[" + f + "]", "expected a non-negative number or null, found " + describe(a));
      }
    }
    List<double[]> bboxes;
    JsonNode bb = n.get("bboxes");
    if (bb == null || bb.isNull()) {
      // optional in the format: derived from the masks as pycocotools' toBbox would
      bboxes = new ArrayList<>(segmentations.size());
      for (Rle r : segmentations) {
        bboxes.add(r == null ? null : r.toBbox());
      }
    } else {
      if (!bb.isArray()) {
        throw w.error("bboxes", "expected an array, found " + describe(bb));
      }
      bboxes = new ArrayList<>(bb.size());
      for (int f = 0; f < bb.size(); f++) {
        bboxes.add(parseBox(bb.get(f), f, w));
      }
    }
    if (areas.size() != segmentations.size()) {
      throw w.error("areas", areas.size() + " entries but " + segmentations.size() + " segmentations");
    }
    if (bboxes.size() != segmentations.size()) {
      throw w.error("bboxes", bboxes.size() + " entries but " + segmentations.size() + " segmentations");
    }
    if (length >= 0 && length != segmentations.size()) {
      throw w.error("length", length + " disagrees with the " + segmentations.size() + " segmentations");
    }
    return new Annotation(id, videoId, categoryId, iscrowd, height, width, segmentations, areas, bboxes);
  }

  private static int optionalInt(JsonNode n, String field, Where w) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? -1 : YtvisJson.toInt(v, field, w);
  }

  private static double[] parseBox(JsonNode b, int f, Where w) {
    String field = "bboxes[" + f + "]";
    if (b.isNull()) {
      return null;
    }
    if (!b.isArray() || b.size() != 4) {
      throw w.error(f, field, "expected [x, y, w, h] or null, found " + describe(b));
    }
    double[] box = new double[4];
    for (int k = 0; k < 4; k++) {
      JsonNode v = b.get(k);
      if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
        throw w.error(f, field, "expected [x, y, w, h] or null, found " + describe(b));
      }
      box[k] = v.doubleValue();
    }
    if (box[2] < 0 || box[3] < 0) {
      throw w.error(f, field, "degenerate box with negative width or height " + describe(b));
    }
    return box;
  }

  /** Checks an annotation against its video and category; returns it with height/width filled. */
  private Annotation checkAgainstVideo(Annotation a, String file) {
    Where w = new Where(file, "annotation " + a.id() + " (video " + a.videoId() + ")");
    Video v = videoById(a.videoId());
    if (v == null) {
      throw w.error("video_id", "unknown video " + a.videoId());
    }
    if (categoryById(a.categoryId()) == null) {
      throw w.error("category_id", "unknown category " + a.categoryId());
    }
    if (a.height() >= 0 && a.height() != v.height()) {
      throw w.error("height", a.height() + " disagrees with the video's height " + v.height());
    }
    if (a.width() >= 0 && a.width() != v.width()) {
      throw w.error("width", a.width() + " disagrees with the video's width " + v.width());
    }
    if (a.segmentations().size() != v.length()) {
      throw w.error("segmentations", a.segmentations().size()
          + " entries but the video has " + v.length() + " frames");
    }
    for (int f = 0; f < v.length(); f++) {
      Rle r = a.segmentations().get(f);
      if (r != null && (r.height() != v.height() || r.width() != v.width())) {
        throw w.error(f, "segmentations[" + f + "].size", "[" + r.height() + ", " + r.width()
            + "] disagrees with the video's " + v.height() + "x" + v.width());
      }
    }
    if (a.height() >= 0 && a.width() >= 0) {
      return a;
    }
    return new Annotation(a.id(), a.videoId(), a.categoryId(), a.iscrowd(), v.height(), v.width(),
        a.segmentations(), a.areas(), a.bboxes());
  }

  private void checkFrameFiles(Path imageRoot, String file) {
    if (!Files.isDirectory(imageRoot)) {
      throw new InputException(file + ": image root " + imageRoot + " is not a directory");
    }
    for (Video v : videos) {
      for (int f = 0; f < v.length(); f++) {
        Path p = imageRoot.resolve(v.fileNames().get(f));
        if (!Files.isRegularFile(p)) {
          throw new InputException(file + ": video " + v.id() + ", frame " + f + ", field file_names["
              + f + "]: frame file " + p + " does not exist");
        }
      }
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes the dataset atomically in the YouTube-VIS layout: fixed key order, compressed RLE with
   * string counts, JSON null for absent entries, integral areas as integers. The same dataset
   * always gives a byte-identical file.
   */
  public void write(Path json) {
    AtomicFiles.write(json, out -> {
      try (JsonGenerator g = YtvisJson.generator(out)) {
        g.writeStartObject();
        g.writeFieldName("info");
        writeTreeOrNull(g, info);
        g.writeFieldName("licenses");
        writeTreeOrNull(g, licenses);
        g.writeArrayFieldStart("videos");
        for (Video v : videos) {
          g.writeStartObject();
          g.writeNumberField("id", v.id());
          g.writeNumberField("width", v.width());
          g.writeNumberField("height", v.height());
          g.writeNumberField("length", v.length());
          g.writeArrayFieldStart("file_names");
          for (String s : v.fileNames()) {
            g.writeString(s);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("categories");
        for (Category c : categories) {
          g.writeStartObject();
          g.writeNumberField("id", c.id());
          g.writeStringField("name", c.name());
          g.writeFieldName("supercategory");
          if (c.supercategory() == null) {
            g.writeNull();
          } else {
            g.writeString(c.supercategory());
          }
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("annotations");
        for (Annotation a : annotations) {
          writeAnnotation(g, a);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
    });
  }

  private static void writeTreeOrNull(JsonGenerator g, JsonNode n) throws IOException {
    if (n == null) {
      g.writeNull();
    } else {
      YtvisJson.MAPPER.writeTree(g, n);
    }
  }

  private static void writeAnnotation(JsonGenerator g, Annotation a) throws IOException {
    g.writeStartObject();
    g.writeNumberField("id", a.id());
    g.writeNumberField("video_id", a.videoId());
    g.writeNumberField("category_id", a.categoryId());
    g.writeNumberField("iscrowd", a.iscrowd());
    g.writeNumberField("height", a.height());
    g.writeNumberField("width", a.width());
    g.writeNumberField("length", a.segmentations().size());
    g.writeArrayFieldStart("segmentations");
    for (Rle r : a.segmentations()) {
      YtvisJson.writeRle(g, r);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("areas");
    for (Double ar : a.areas()) {
      if (ar == null) {
        g.writeNull();
      } else if (ar == Math.rint(ar) && Math.abs(ar) < 1e15) {
        g.writeNumber(ar.longValue());
      } else {
        g.writeNumber(ar);
      }
    }
    g.writeEndArray();
    g.writeArrayFieldStart("bboxes");
    for (double[] b : a.bboxes()) {
      if (b == null) {
        g.writeNull();
      } else {
        g.writeArray(b, 0, b.length);
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  // ---------------------------------------------------------------- indexed lists

  /** Immutable list with an id index; equality is the list's. */
  private static final class IdList<T> extends AbstractList<T> implements RandomAccess {
    private final List<T> items;
    private final Map<Integer, T> byId;

    IdList(List<T> src, ToIntFunction<T> id, String what) {
      if (src instanceof IdList<T> l) {
        items = l.items;
        byId = l.byId;
        return;
      }
      items = List.copyOf(src);
      byId = new HashMap<>(items.size() * 2);
      for (T t : items) {
        if (byId.put(id.applyAsInt(t), t) != null) {
          throw new IllegalArgumentException("duplicate " + what + " id " + id.applyAsInt(t));
        }
      }
    }

    T byId(int id) {
      return byId.get(id);
    }

    @Override
    public T get(int i) {
      return items.get(i);
    }

    @Override
    public int size() {
      return items.size();
    }
  }

  /** Immutable annotation list grouped by video. */
  private static final class AnnotationList extends AbstractList<Annotation> implements RandomAccess {
    private final List<Annotation> items;
    private final Map<Integer, List<Annotation>> byVideo;

    AnnotationList(List<Annotation> src) {
      if (src instanceof AnnotationList l) {
        items = l.items;
        byVideo = l.byVideo;
        return;
      }
      items = List.copyOf(src);
      Map<Integer, List<Annotation>> m = new LinkedHashMap<>();
      java.util.Set<Integer> ids = new java.util.HashSet<>();
      for (Annotation a : items) {
        if (!ids.add(a.id())) {
          throw new IllegalArgumentException("duplicate annotation id " + a.id());
        }
        m.computeIfAbsent(a.videoId(), k -> new ArrayList<>()).add(a);
      }
      m.replaceAll((k, v) -> List.copyOf(v));
      byVideo = m;
    }

    List<Annotation> ofVideo(int videoId) {
      return byVideo.getOrDefault(videoId, List.of());
    }

    @Override
    public Annotation get(int i) {
      return items.get(i);
    }

    @Override
    public int size() {
      return items.size();
    }
  }
}
