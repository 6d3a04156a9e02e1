package org.maskprop.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.maskprop.bench.BenchRow;
import org.maskprop.util.AtomicFiles;

/**
 * The JSON lines of a {@code bench} command: each printed on stdout as it comes and, with {@code
 * --out}, all written atomically to the file at the end.
 */
final class BenchLines {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<String> lines = new ArrayList<>();

  /**
   * As the peer harness runs ({@code ../shared/bench/run_peer.sh}): 2 intra-op threads, 1 inter-op
   * thread, unless set by the user. Call before the engine starts.
   */
  static void peerThreads() {
    System.setProperty("ai.djl.pytorch.num_threads", System.getProperty("ai.djl.pytorch.num_threads", "2"));
    System.setProperty("ai.djl.pytorch.num_interop_threads",
        System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
  }

  void add(BenchRow row) {
    print(row.toJson());
  }

  void add(Map<String, Object> row) {
    try {
      print(JSON.writeValueAsString(row));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void print(String json) {
    System.out.println(json);
    System.out.flush();
    lines.add(json);
  }

  /** Writes all lines to {@code out} (nothing when null). */
  void write(Path out) {
    if (out != null) {
      AtomicFiles.writeBytes(out, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
