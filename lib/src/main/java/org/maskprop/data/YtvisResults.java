package org.maskprop.data;

import static org.maskprop.data.YtvisJson.describe;
import static org.maskprop.data.YtvisJson.require;
import static org.maskprop.data.YtvisJson.requireArray;
import static org.maskprop.data.YtvisJson.requireInt;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maskprop.InputException;
import org.maskprop.data.YtvisJson.Where;
import org.maskprop.util.AtomicFiles;

/**
 * Results files in the official YouTube-VIS submission format: a JSON array of
 * {@code {video_id, category_id, score, segmentations: [RLE or null per frame]}}.
 *
 * <p>What the official code ({@code ytvos.py} {@code loadRes}, {@code ytvoseval.py}
 * {@code computeIoU}) does with bad entries, and what we do:
 *
 * <ul>
 *   <li>unknown video id: {@code loadRes} fails an assertion. Here: {@link InputException}.
 *   <li>empty list: {@code loadRes} crashes on {@code anns[0]}. Here: {@link InputException}.
 *   <li>unknown category id: silently never evaluated (only GT categories are). Here: error.
 *   <li>a mask whose size differs from its video: {@code rleMerge} gives an empty mask, so the
 *       frame adds nothing to intersection and union, with a printed warning. Here: error.
 *   <li>a {@code segmentations} list longer or shorter than the video: {@code loadRes} keeps it
 *       as is; {@code computeIoU} pairs frames with {@code zip}, which silently stops at the shorter
 *       of the two lists (so for a short prediction the GT's later frames count in neither
 *       intersection nor union), while the detection's {@code avg_area} (area-range filter) is the
 *       mean over all its non-empty entries, including those past the video's end. Strict reading:
 *       error. Lenient reading: the list is kept unchanged, exactly as {@code loadRes} does; an
 *       evaluator reproducing the official numbers must then zip to the shorter length for IoU and
 *       average areas over the whole list. (Padding with null or truncating would change the
 *       official numbers, so neither is done.)
 * </ul>
 */
public final class YtvisResults {
  private YtvisResults() {}

  /**
   * Reads and validates a results file against the GT split it is meant for.
   *
   * @param lenient accept per-frame lists whose length differs from the video's (see class doc)
   * @throws InputException on the first problem, naming the file, the entry, its video, the frame
   *     and the field
   */
  public static List<YtvisResult> read(Path results, YtvisDataset gt, boolean lenient) {
    List<YtvisResult> fast = readFast(results, gt, lenient);
    return fast != null ? fast : readTrees(results, gt, lenient);
  }

  /** The tree path: validates every entry and throws on the first problem. */
  static List<YtvisResult> readTrees(Path results, YtvisDataset gt, boolean lenient) {
    String file = results.toString();
    List<YtvisResult> out = new ArrayList<>();
    try (JsonParser p = YtvisJson.open(results)) {
      YtvisJson.expect(p, JsonToken.START_ARRAY, results, "a results file");
      // parsed (RLE decoding) on worker threads, kept here in file order
      YtvisJson.readArray(p, (n, i) -> parse(n, file, i, gt, lenient), (r, i) -> out.add(r));
    } catch (JsonProcessingException e) {
      throw YtvisJson.malformed(results, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + results + ": " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new InputException(
          file + ": contains no results; the official evaluator crashes on an empty list");
    }
    return out;
  }

  /** One entry as read by the fast path, before RLE decoding. */
  private record RawResult(int videoId, int categoryId, double score, YtvisJson.RawRle[] masks) {}

  /**
   * The streaming fast path: no JSON trees, and it accepts only plain valid files (ints as JSON
   * ints, no duplicate keys, every check passing). On anything else it returns null and
   * {@link #read} takes the tree path, which reports the first problem exactly. Both paths give
   * equal results on the files the fast path accepts.
   */
  static List<YtvisResult> readFast(Path results, YtvisDataset gt, boolean lenient) {
    List<YtvisResult> out = new ArrayList<>();
    try (JsonParser p = YtvisJson.MAPPER.getFactory().createParser(results.toFile())) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        return null;
      }
      YtvisJson.readArray(p, q -> readRaw(q, gt, lenient), (raw, i) -> {
        List<Rle> masks = new ArrayList<>(raw.masks().length);
        for (YtvisJson.RawRle m : raw.masks()) {
          masks.add(m == null ? null : m.decode());
        }
        return new YtvisResult(raw.videoId(), raw.categoryId(), raw.score(), masks);
      }, (r, i) -> out.add(r));
    } catch (IOException | YtvisJson.Fallback e) {
      return null;
    }
    return out.isEmpty() ? null : out;
  }

  private static RawResult readRaw(JsonParser p, YtvisDataset gt, boolean lenient)
      throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw YtvisJson.Fallback.INSTANCE;
    }
    int videoId = -1;
    int categoryId = -1;
    boolean hasVideo = false;
    boolean hasCategory = false;
    double score = Double.NaN;
    List<YtvisJson.RawRle> masks = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      t = p.nextToken();
      switch (name) {
        case "video_id" -> {
          if (hasVideo) {
            throw YtvisJson.Fallback.INSTANCE;
          }
          videoId = YtvisJson.fastInt(t, p);
          hasVideo = true;
        }
        case "category_id" -> {
          if (hasCategory) {
            throw YtvisJson.Fallback.INSTANCE;
          }
          categoryId = YtvisJson.fastInt(t, p);
          hasCategory = true;
        }
        case "score" -> {
          // as the tree: JSON ints and doubles read through the parser's own conversion
          boolean ok = !Double.isNaN(score) ? false
              : t == JsonToken.VALUE_NUMBER_INT ? p.getNumberType() == JsonParser.NumberType.INT
              : t == JsonToken.VALUE_NUMBER_FLOAT && p.getNumberType() == JsonParser.NumberType.DOUBLE;
          if (!ok) {
            throw YtvisJson.Fallback.INSTANCE;
          }
          score = t == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : p.getDoubleValue();
          if (!Double.isFinite(score)) {
            throw YtvisJson.Fallback.INSTANCE;
          }
        }
        case "segmentations" -> {
          if (masks != null || t != JsonToken.START_ARRAY) {
            throw YtvisJson.Fallback.INSTANCE;
          }
          masks = new ArrayList<>();
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            masks.add(YtvisJson.fastRle(t, p));
          }
        }
        default -> p.skipChildren();
      }
    }
    if (!hasVideo || !hasCategory || Double.isNaN(score) || masks == null) {
      throw YtvisJson.Fallback.INSTANCE;
    }
    YtvisDataset.Video v = gt.videoById(videoId);
    if (v == null || gt.categoryById(categoryId) == null
        || (masks.size() != v.length() && !lenient)) {
      throw YtvisJson.Fallback.INSTANCE;
    }
    for (YtvisJson.RawRle m : masks) {
      if (m != null && (m.height() != v.height() || m.width() != v.width())) {
        throw YtvisJson.Fallback.INSTANCE;
      }
    }
    return new RawResult(videoId, categoryId, score, masks.toArray(new YtvisJson.RawRle[0]));
  }

  private static YtvisResult parse(
      JsonNode n, String file, int index, YtvisDataset gt, boolean lenient) {
    String at = "results[" + index + "]";
    Where w = new Where(file, at);
    if (!n.isObject()) {
      throw w.error(at, "expected an object, found " + describe(n));
    }
    int videoId = requireInt(n, "video_id", w);
    w = new Where(file, at + " (video " + videoId + ")");
    YtvisDataset.Video v = gt.videoById(videoId);
    if (v == null) {
      throw w.error("video_id", "unknown video " + videoId + " (not in " + gtName(gt) + ")");
    }
    int categoryId = requireInt(n, "category_id", w);
    if (gt.categoryById(categoryId) == null) {
      throw w.error("category_id", "unknown category " + categoryId + " (not in " + gtName(gt) + ")");
    }
    JsonNode s = require(n, "score", w);
    if (!s.isNumber() || !Double.isFinite(s.doubleValue())) {
      throw w.error("score", "expected a finite number, found " + describe(s));
    }
    JsonNode segs = requireArray(n, "segmentations", w);
    if (segs.size() != v.length() && !lenient) {
      throw w.error("segmentations", segs.size() + " entries but the video has " + v.length()
          + " frames (the official evaluator silently compares only the first "
          + Math.min(segs.size(), v.length()) + "; read leniently to accept that)");
    }
    List<Rle> masks = new ArrayList<>(segs.size());
    for (int f = 0; f < segs.size(); f++) {
      Rle r = YtvisJson.readRle(segs.get(f), f, "segmentations", w);
      if (r != null && (r.height() != v.height() || r.width() != v.width())) {
        throw w.error(f, "segmentations[" + f + "].size", "[" + r.height() + ", " + r.width()
            + "] disagrees with the video's " + v.height() + "x" + v.width());
      }
      masks.add(r);
    }
    return new YtvisResult(videoId, categoryId, s.doubleValue(), masks);
  }

  private static String gtName(YtvisDataset gt) {
    return gt.source() == null ? "the GT" : gt.source().toString();
  }

  /** Writes results atomically; fixed key order, compressed RLE, null for absent frames. */
  public static void write(Path results, List<YtvisResult> list) {
    AtomicFiles.write(results, out -> {
      try (JsonGenerator g = YtvisJson.generator(out)) {
        g.writeStartArray();
        for (YtvisResult r : list) {
          g.writeStartObject();
          g.writeNumberField("video_id", r.videoId());
          g.writeNumberField("category_id", r.categoryId());
          g.writeNumberField("score", r.score());
          g.writeArrayFieldStart("segmentations");
          for (Rle m : r.segmentations()) {
            YtvisJson.writeRle(g, m);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
    });
  }
}
