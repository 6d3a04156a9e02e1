package org.maskprop.dataprep.synth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.util.AtomicFiles;

/**
 * Writes a {@link YtvisDataset} as a YouTube-VIS 2019 JSON: fixed key order, compressed RLE
 * strings, atomic (temp file + rename). A stand-in until {@code YtvisDataset.write} exists; it
 * writes the same layout, so swapping it is a one-line change in {@link SynthVis}.
 */
final class SplitJsonWriter {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SplitJsonWriter() {}

  static void write(YtvisDataset ds, Path target) {
    AtomicFiles.write(
        target,
        out -> {
          JsonGenerator g = new JsonFactory(MAPPER).createGenerator(out);
          g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
          g.writeStartObject();
          g.writeFieldName("info");
          MAPPER.writeTree(g, ds.info());
          g.writeFieldName("licenses");
          if (ds.licenses() == null) {
            g.writeStartArray();
            g.writeEndArray();
          } else {
            MAPPER.writeTree(g, ds.licenses());
          }
          g.writeArrayFieldStart("videos");
          for (YtvisDataset.Video v : ds.videos()) {
            g.writeStartObject();
            g.writeNumberField("id", v.id());
            g.writeNumberField("width", v.width());
            g.writeNumberField("height", v.height());
            g.writeNumberField("length", v.length());
            g.writeArrayFieldStart("file_names");
            for (String f : v.fileNames()) {
              g.writeString(f);
            }
            g.writeEndArray();
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeArrayFieldStart("categories");
          for (YtvisDataset.Category c : ds.categories()) {
            g.writeStartObject();
            g.writeNumberField("id", c.id());
            g.writeStringField("name", c.name());
            g.writeStringField("supercategory", c.supercategory());
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeArrayFieldStart("annotations");
          for (YtvisDataset.Annotation a : ds.annotations()) {
            writeAnnotation(g, a);
          }
          g.writeEndArray();
          g.writeEndObject();
          g.flush();
        });
  }

  private static void writeAnnotation(JsonGenerator g, YtvisDataset.Annotation a)
      throws IOException {
    g.writeStartObject();
    g.writeNumberField("id", a.id());
    g.writeNumberField("video_id", a.videoId());
    g.writeNumberField("category_id", a.categoryId());
    g.writeNumberField("iscrowd", a.iscrowd());
    g.writeNumberField("height", a.height());
    g.writeNumberField("width", a.width());
    g.writeArrayFieldStart("segmentations");
    for (Rle r : a.segmentations()) {
      if (r == null) {
        g.writeNull();
        continue;
      }
      g.writeStartObject();
      g.writeArrayFieldStart("size");
      g.writeNumber(r.height());
      g.writeNumber(r.width());
      g.writeEndArray();
      g.writeStringField("counts", r.toCompressedString());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("areas");
    for (Double area : a.areas()) {
      if (area == null) {
        g.writeNull();
      } else {
        g.writeNumber(area);
      }
    }
    g.writeEndArray();
    g.writeArrayFieldStart("bboxes");
    for (double[] box : a.bboxes()) {
      if (box == null) {
        g.writeNull();
      } else {
        g.writeArray(box, 0, box.length);
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }
}
