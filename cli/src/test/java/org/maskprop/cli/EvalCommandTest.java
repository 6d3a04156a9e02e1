package org.maskprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.data.YtvisResults;
import org.maskprop.eval.EvalBenchmark;
import org.maskprop.eval.Metrics;
import org.maskprop.eval.YtvisEvaluator;
import picocli.CommandLine;

/** {@code maskprop eval} and {@code maskprop bench eval} end to end on small generated files. */
class EvalCommandTest {

  private static int run(StringWriter err, String... args) {
    CommandLine cl = MaskPropCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void evalWritesTheTwelveNumbers(@TempDir Path dir) throws Exception {
    EvalBenchmark.Case c = EvalBenchmark.generate(5, 3, 4, 2);
    Path gt = dir.resolve("gt.json");
    Path res = dir.resolve("results.json");
    c.gt().write(gt);
    YtvisResults.write(res, c.results());
    Path out = dir.resolve("sub/metrics.json");
    StringWriter err = new StringWriter();
    assertEquals(0, run(err, "eval", "--gt", gt.toString(), "--results", res.toString(),
        "--out", out.toString()), err.toString());
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of(Metrics.NAMES), keys);
    Metrics want = YtvisEvaluator.evaluate(c.gt(), c.results());
    assertEquals(want, Metrics.fromJson(Files.readString(out), out.toString()));
  }

  @Test
  void emptyResultsExitTwoWithOneLine(@TempDir Path dir) throws Exception {
    EvalBenchmark.Case c = EvalBenchmark.generate(2, 2, 1, 3);
    Path gt = dir.resolve("gt.json");
    c.gt().write(gt);
    Path res = Files.writeString(dir.resolve("results.json"), "[]");
    StringWriter err = new StringWriter();
    assertEquals(2, run(err, "eval", "--gt", gt.toString(), "--results", res.toString()));
    String msg = err.toString().trim();
    assertTrue(msg.startsWith("maskprop eval: ") && msg.contains("results.json")
        && !msg.contains("\n"), msg);
  }

  @Test
  void benchEvalAppendsJsonLines(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("bench.jsonl");
    String[] args = {"bench", "eval", "--out", out.toString(), "--videos", "3", "--frames", "2",
        "--results-per-video", "2", "--warmup", "0", "--runs", "1", "--threads", "1"};
    StringWriter err = new StringWriter();
    assertEquals(0, run(err, args), err.toString());
    assertEquals(0, run(err, args), err.toString());
    List<String> lines = Files.readAllLines(out);
    assertEquals(2, lines.size());
    JsonNode row = new ObjectMapper().readTree(lines.get(1));
    assertEquals(3, row.get("videos").asInt());
    assertEquals(6, row.get("results").asInt());
    assertTrue(row.get("eval_s").asDouble() >= 0 && row.get("load_s").asDouble() >= 0);
  }
}
