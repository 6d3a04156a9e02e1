package org.maskprop.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three shared cases with the numbers printed by the official evaluator (youtubevos/cocoapi
 * commit f3f9948a, {@code expected.json}). We reproduce numpy's arithmetic, so the match is exact.
 */
class YtvisEvaluatorRegressionTest {

  @ParameterizedTest
  @ValueSource(strings = {"small-random", "medium-random", "crowd-random"})
  void matchesOfficialNumbers(String name) throws IOException {
    String dir = "ytvis-eval-examples/" + name + "/";
    Metrics got = YtvisEvaluator.evaluate(
        TestJson.dataset(TestJson.resource(dir + "gt.json")),
        TestJson.results(TestJson.resource(dir + "results.json")));
    Metrics want = Metrics.fromJson(
        TestJson.resource(dir + "expected.json").toString(), dir + "expected.json");
    Map<String, Double> g = got.asMap();
    for (Map.Entry<String, Double> e : want.asMap().entrySet()) {
      assertEquals(e.getValue(), g.get(e.getKey()), 0.0, name + " " + e.getKey());
    }
  }
}
