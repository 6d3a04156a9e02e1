package org.maskprop.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.maskprop.InputException;

/**
 * The 12 numbers of the official YouTube-VIS evaluator ({@code ytvoseval.py} {@code summarize}), as
 * fractions in [0, 1], or -1 where the official code prints -1 (no GT in that area range).
 *
 * <p>AP is averaged over IoU thresholds 0.50:0.05:0.95, 101 recall points and the categories that
 * have GT; AR1/AR10/AR100 keep at most 1/10/100 predictions per (video, category). Size splits use a
 * track's average per-frame area: small up to 128², medium 128²..256², large from 256².
 */
public record Metrics(
    double ap,
    double ap50,
    double ap75,
    double apSmall,
    double apMedium,
    double apLarge,
    double ar1,
    double ar10,
    double ar100,
    double arSmall,
    double arMedium,
    double arLarge) {

  /** Metric names in the official print order; the keys of {@link #asMap()} and of the JSON. */
  public static final String[] NAMES = {
    "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"
  };

  private static final String[] OFFICIAL_LINES = {
    "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
    "Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
    "Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
  };

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Builds from the 12 values in {@link #NAMES} order. */
  public static Metrics of(double[] v) {
    if (v.length != NAMES.length) {
      throw new IllegalArgumentException("Metrics needs 12 values, got " + v.length);
    }
    return new Metrics(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
  }

  /** The 12 values in {@link #NAMES} order. */
  public double[] values() {
    return new double[] {
      ap, ap50, ap75, apSmall, apMedium, apLarge, ar1, ar10, ar100, arSmall, arMedium, arLarge
    };
  }

  /** Name to value, in the official order (keys {@link #NAMES}). */
  public Map<String, Double> asMap() {
    double[] v = values();
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < NAMES.length; i++) {
      m.put(NAMES[i], v[i]);
    }
    return m;
  }

  /** {@code {"AP":..,"AP50":..,...,"ARl":..}} with full double precision. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(asMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the 12 keys from a JSON object (other keys are ignored). */
  public static Metrics fromJson(String json, String source) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InputException(source + ": not JSON: " + e.getOriginalMessage());
    }
    double[] v = new double[NAMES.length];
    for (int i = 0; i < NAMES.length; i++) {
      JsonNode x = node == null ? null : node.get(NAMES[i]);
      if (x == null || !x.isNumber()) {
        throw new InputException(source + ": field " + NAMES[i] + " missing or not a number");
      }
      v[i] = x.asDouble();
    }
    return of(v);
  }

  /** A plain-text table: one line per metric, as the official summary prints it, plus our key. */
  public String toTable() {
    double[] v = values();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < NAMES.length; i++) {
      sb.append(String.format(Locale.ROOT, "%-6s %s = %7.4f%n", NAMES[i], OFFICIAL_LINES[i], v[i]));
    }
    return sb.toString();
  }
}
