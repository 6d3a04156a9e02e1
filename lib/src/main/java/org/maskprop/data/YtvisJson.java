package org.maskprop.data;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.maskprop.InputException;

/**
 * JSON plumbing shared by {@link YtvisDataset} and {@link YtvisResults}: typed field access that
 * fails with a one-line {@link InputException} naming file, subject (video/annotation/result id),
 * frame and field; RLE objects in both directions.
 */
final class YtvisJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private YtvisJson() {}

  /**
   * Where an error is: {@code file} plus a subject such as {@code "annotation 17 (video 4)"}.
   * Messages read {@code "<file>: <subject>, frame <f>, field <field>: <problem>"}.
   */
  record Where(String file, String subject) {
    InputException error(String field, String problem) {
      return new InputException(file + ": " + subject + ", field " + field + ": " + problem);
    }

    InputException error(int frame, String field, String problem) {
      return new InputException(
          file + ": " + subject + ", frame " + frame + ", field " + field + ": " + problem);
    }
  }

  /** Parser over a file; a missing file becomes an {@link InputException}. */
  static JsonParser open(Path file) {
    try {
      return MAPPER.createParser(Files.newInputStream(file));
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": file not found");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static InputException malformed(Path file, JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    return new InputException(
        file + ": malformed JSON" + at + ": " + e.getOriginalMessage().replace('\n', ' '));
  }

  /** Expects the parser's next token to be {@code expected} (start of the top-level value). */
  static void expect(JsonParser p, JsonToken expected, Path file, String what) throws IOException {
    JsonToken t = p.nextToken();
    if (t != expected) {
      throw new InputException(
          file + ": " + what + " must be a JSON " + (expected == JsonToken.START_OBJECT ? "object" : "array")
              + ", found " + (t == null ? "nothing" : t.asString() == null ? t.name() : t.asString()));
    }
  }

  static String type(JsonNode n) {
    return n == null ? "missing" : n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  static JsonNode require(JsonNode obj, String field, Where w) {
    JsonNode n = obj.get(field);
    if (n == null) {
      throw w.error(field, "missing required field");
    }
    return n;
  }

  static int requireInt(JsonNode obj, String field, Where w) {
    return toInt(require(obj, field, w), field, w);
  }

  static int toInt(JsonNode n, String field, Where w) {
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw w.error(field, "expected an integer, found " + describe(n));
    }
    return n.intValue();
  }

  static String requireString(JsonNode obj, String field, Where w) {
    JsonNode n = require(obj, field, w);
    if (!n.isTextual()) {
      throw w.error(field, "expected a string, found " + describe(n));
    }
    return n.textValue();
  }

  static JsonNode requireArray(JsonNode obj, String field, Where w) {
    JsonNode n = require(obj, field, w);
    if (!n.isArray()) {
      throw w.error(field, "expected an array, found " + describe(n));
    }
    return n;
  }

  static String describe(JsonNode n) {
    if (n == null) {
      return "nothing";
    }
    String s = n.toString();
    return type(n) + " " + (s.length() > 40 ? s.substring(0, 37) + "..." : s);
  }

  /**
   * An RLE object {@code {"size": [h, w], "counts": "..." | [int, ...]}} or JSON null (returns
   * null). Its own size is used; the caller checks it against the video.
   */
  static Rle readRle(JsonNode seg, int frame, String list, Where w) {
    if (seg == null || seg.isNull()) {
      return null;
    }
    if (seg.isObject()) {
      JsonNode size = seg.get("size");
      JsonNode counts = seg.get("counts");
      // fast path for the well-formed common case; any doubt goes through the checks below
      if (size != null && size.size() == 2 && size.isArray() && counts != null && counts.isTextual()) {
        JsonNode h = size.get(0);
        JsonNode wd = size.get(1);
        if (h.isInt() && wd.isInt() && h.intValue() >= 0 && wd.intValue() >= 0) {
          try {
            return Rle.fromCompressedString(counts.textValue(), h.intValue(), wd.intValue());
          } catch (InputException e) {
            // fall through: the general path reports it with its context
          }
        }
      }
    }
    String field = list + "[" + frame + "]";
    if (!seg.isObject()) {
      throw w.error(frame, field, "expected an RLE object or null, found " + describe(seg));
    }
    JsonNode size = seg.get("size");
    if (size == null) {
      throw w.error(frame, field + ".size", "missing required field");
    }
    if (!size.isArray() || size.size() != 2 || !size.get(0).canConvertToInt()
        || !size.get(1).canConvertToInt() || !size.get(0).isIntegralNumber()
        || !size.get(1).isIntegralNumber() || size.get(0).intValue() < 0
        || size.get(1).intValue() < 0) {
      throw w.error(frame, field + ".size", "expected [height, width], found " + describe(size));
    }
    int h = size.get(0).intValue();
    int wd = size.get(1).intValue();
    JsonNode counts = seg.get("counts");
    if (counts == null) {
      throw w.error(frame, field + ".counts", "missing required field");
    }
    try {
      if (counts.isTextual()) {
        return Rle.fromCompressedString(counts.textValue(), h, wd);
      }
      if (counts.isArray()) {
        int[] c = new int[counts.size()];
        for (int i = 0; i < c.length; i++) {
          JsonNode ci = counts.get(i);
          if (!ci.isIntegralNumber() || !ci.canConvertToInt()) {
            throw w.error(frame, field + ".counts[" + i + "]", "expected an integer, found " + describe(ci));
          }
          c[i] = ci.intValue();
        }
        return Rle.fromCounts(c, h, wd);
      }
    } catch (InputException e) {
      if (e.getMessage().startsWith(w.file() + ": ")) {
        throw e;
      }
      throw w.error(frame, field + ".counts", e.getMessage());
    }
    throw w.error(frame, field + ".counts", "expected a string or an integer array, found " + describe(counts));
  }

  /** Reads one element of a JSON array from the parser, which is on its first token. */
  @FunctionalInterface
  interface ElementReader<R> {
    R read(JsonParser p) throws IOException;
  }

  /** Converts one element of a JSON array (as read, and its index) into a value; may throw. */
  @FunctionalInterface
  interface ElementParser<R, T> {
    T parse(R element, int index);
  }

  /** Receives converted elements in index order (on the reading thread). */
  @FunctionalInterface
  interface ElementSink<T> {
    void accept(T value, int index);
  }

  /** Elements per task: large enough to amortise hand-over, small enough to balance. */
  private static final int BATCH = 32;

  /** {@link #readArray(JsonParser, ElementReader, ElementParser, ElementSink)} over JSON trees. */
  static <T> void readArray(JsonParser p, ElementParser<JsonNode, T> parser, ElementSink<T> sink)
      throws IOException {
    readArray(p, MAPPER::readTree, parser, sink);
  }

  /**
   * Reads the elements of the JSON array whose {@code START_ARRAY} the parser is on. This thread
   * reads the elements (the parser is sequential) while worker threads convert batches of them
   * (RLE decoding is most of the work); {@code sink} sees every value in index order, and the
   * first problem in index order is the one thrown, exactly as a sequential loop would: an
   * element's conversion error before a later element's malformed JSON.
   */
  static <R, T> void readArray(JsonParser p, ElementReader<R> reader, ElementParser<R, T> parser,
      ElementSink<T> sink) throws IOException {
    int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
    if (threads < 2) {
      for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
        sink.accept(parser.parse(reader.read(p), i), i);
      }
      return;
    }
    ExecutorService pool = null; // started with the first full batch: small arrays stay here
    ArrayDeque<Future<List<T>>> pending = new ArrayDeque<>();
    int delivered = 0;
    try {
      List<R> batch = new ArrayList<>(BATCH);
      int read = 0;
      while (true) {
        R element;
        try {
          if (p.nextToken() == JsonToken.END_ARRAY) {
            break;
          }
          element = reader.read(p);
        } catch (IOException | RuntimeException e) {
          // earlier elements' errors come first, as in a sequential read: the submitted batches,
          // then the elements read since
          while (!pending.isEmpty()) {
            delivered = deliver(pending.poll(), delivered, sink);
          }
          deliver(done(convert(batch, read - batch.size(), parser)), delivered, sink);
          throw e;
        }
        batch.add(element);
        read++;
        if (batch.size() == BATCH) {
          if (pool == null) {
            pool = Executors.newFixedThreadPool(threads, r -> {
              Thread t = new Thread(r, "maskprop-json");
              t.setDaemon(true);
              return t;
            });
          }
          pending.add(pool.submit(convert(batch, read - batch.size(), parser)));
          batch = new ArrayList<>(BATCH);
          // bound the elements held in memory; deliver finished work as we go
          while (pending.size() > 4 * threads || (!pending.isEmpty() && pending.peek().isDone())) {
            delivered = deliver(pending.poll(), delivered, sink);
          }
        }
      }
      if (!batch.isEmpty()) {
        Callable<List<T>> last = convert(batch, read - batch.size(), parser);
        pending.add(pool == null ? done(last) : pool.submit(last));
      }
      while (!pending.isEmpty()) {
        delivered = deliver(pending.poll(), delivered, sink);
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** Runs the task on this thread; its error is rethrown when delivered, as a worker's. */
  private static <T> Future<List<T>> done(Callable<List<T>> task) {
    java.util.concurrent.FutureTask<List<T>> f = new java.util.concurrent.FutureTask<>(task);
    f.run();
    return f;
  }

  private static <R, T> Callable<List<T>> convert(List<R> batch, int first, ElementParser<R, T> parser) {
    return () -> {
      List<T> out = new ArrayList<>(batch.size());
      for (int k = 0; k < batch.size(); k++) {
        out.add(parser.parse(batch.get(k), first + k));
      }
      return out;
    };
  }

  private static <T> int deliver(Future<List<T>> f, int index, ElementSink<T> sink) {
    List<T> values;
    try {
      values = f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("reading interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
    for (T v : values) {
      sink.accept(v, index++);
    }
    return index;
  }

  // ------------------------------------------------------------ streaming fast path

  /**
   * Thrown by the streaming fast path on anything but plain well-formed input; the caller then
   * reads the file again through the tree path, which finds and reports the problem exactly.
   */
  static final class Fallback extends RuntimeException {
    static final Fallback INSTANCE = new Fallback();

    private Fallback() {
      super("not on the fast path", null, false, false);
    }
  }

  /** A compressed RLE as read, decoded later (on a worker thread). */
  record RawRle(int height, int width, String counts) {
    Rle decode() {
      try {
        return Rle.fromCompressedString(counts, height, width);
      } catch (InputException e) {
        throw Fallback.INSTANCE;
      }
    }
  }

  /** The parser's current token as a non-negative {@code int}, or {@link Fallback}. */
  static int fastInt(JsonToken t, JsonParser p) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw Fallback.INSTANCE;
    }
    return p.getIntValue();
  }

  /**
   * Fast path for one per-frame entry, the parser on its first token: JSON null, or an object
   * with {@code "size": [int, int]} (non-negative) and a string {@code "counts"}; other keys are
   * skipped as the tree path ignores them. Anything else: {@link Fallback}.
   */
  static RawRle fastRle(JsonToken t, JsonParser p) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw Fallback.INSTANCE;
    }
    int h = -1;
    int w = -1;
    String counts = null;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      t = p.nextToken();
      switch (name) {
        case "size" -> {
          if (h >= 0 || t != JsonToken.START_ARRAY) {
            throw Fallback.INSTANCE;
          }
          h = fastInt(p.nextToken(), p);
          w = fastInt(p.nextToken(), p);
          if (h < 0 || w < 0 || p.nextToken() != JsonToken.END_ARRAY) {
            throw Fallback.INSTANCE;
          }
        }
        case "counts" -> {
          if (counts != null || t != JsonToken.VALUE_STRING) {
            throw Fallback.INSTANCE;
          }
          counts = p.getText();
        }
        default -> p.skipChildren();
      }
    }
    if (h < 0 || counts == null) {
      throw Fallback.INSTANCE;
    }
    return new RawRle(h, w, counts);
  }

  /** Writes an RLE as COCO's compressed form, or null. */
  static void writeRle(JsonGenerator g, Rle r) throws IOException {
    if (r == null) {
      g.writeNull();
      return;
    }
    g.writeStartObject();
    g.writeArrayFieldStart("size");
    g.writeNumber(r.height());
    g.writeNumber(r.width());
    g.writeEndArray();
    g.writeStringField("counts", r.toCompressedString());
    g.writeEndObject();
  }

  /** A generator that leaves closing the stream to its owner ({@code AtomicFiles}). */
  static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator g = MAPPER.getFactory().createGenerator(out);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return g;
  }

}
