package org.maskprop.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** rest-transcript-2.17.2.txt: the requests and answers of a real MLflow 2.17.2 server. */
final class RestTranscript {
  /** One exchange: {@code pathAndQuery} as sent, body (may be empty), answer text and HTTP status. */
  record Exchange(String method, String pathAndQuery, String body, String answer, int status) {
    String path() {
      int q = pathAndQuery.indexOf('?');
      return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }
  }

  private RestTranscript() {}

  static List<Exchange> read(Path file) throws IOException {
    List<Exchange> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.startsWith(">>> ")) {
        continue;
      }
      String[] head = line.substring(4).split(" ", 3);
      StringBuilder answer = new StringBuilder();
      int j = i + 1;
      while (!lines.get(j).matches("\\[HTTP \\d+\\]")) {
        answer.append(lines.get(j)).append('\n');
        j++;
      }
      int status = Integer.parseInt(lines.get(j).replaceAll("\\D", ""));
      out.add(new Exchange(head[0], head[1], head.length > 2 ? head[2] : "", answer.toString(), status));
      i = j;
    }
    return out;
  }

  /** Fields that protobuf's JSON form sends as strings (int64) and Python's client as numbers. */
  private static final Set<String> INT64 = Set.of("timestamp", "step", "start_time", "end_time",
      "creation_time", "last_update_time", "max_results", "file_size");

  /**
   * A JSON tree where every number (and every int64 field given as a string, as the Java client's
   * protobuf printer does) is one decimal value, so 1, 1.0 and "1" compare equal where the server
   * reads them the same.
   */
  static JsonNode canon(JsonNode n) {
    return canon(n, null);
  }

  private static JsonNode canon(JsonNode n, String field) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (n.isNumber() || (n.isTextual() && field != null && INT64.contains(field) && n.asText().matches("-?\\d+"))) {
      return DecimalNode.valueOf(new BigDecimal(n.asText()).stripTrailingZeros());
    }
    if (n.isObject()) {
      ObjectNode o = f.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        o.set(e.getKey(), canon(e.getValue(), e.getKey()));
      }
      return o;
    }
    if (n.isArray()) {
      var a = f.arrayNode();
      n.forEach(x -> a.add(canon(x, field)));
      return a;
    }
    return n;
  }
}
