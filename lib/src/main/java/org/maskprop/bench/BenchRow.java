package org.maskprop.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One benchmark result in the peer harness's shape ({@code ../shared/bench/peer_torch.py}): the
 * {@code op} name and {@code params} keys must equal the peer's so rows pair up one to one.
 * {@code extra} holds fields beyond the common ones (e.g. {@code "warmup"}, notes).
 */
public record BenchRow(
    String op,
    Map<String, Object> params,
    double medianMs,
    double minMs,
    double maxMs,
    int threads,
    int runs,
    Map<String, Object> extra) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One JSON line: {@code {op, params, median_ms, min_ms, max_ms, threads, runs, ...extra}}. */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", op);
    m.put("params", params);
    m.put("median_ms", round3(medianMs));
    m.put("min_ms", round3(minMs));
    m.put("max_ms", round3(maxMs));
    m.put("threads", threads);
    m.put("runs", runs);
    m.put("impl", "maskprop-djl");
    if (extra != null) {
      m.putAll(extra);
    }
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double round3(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }
}
