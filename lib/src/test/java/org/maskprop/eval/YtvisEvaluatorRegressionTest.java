package org.maskprop.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResults;

/**
 * The three shared cases with the numbers printed by the official evaluator (youtubevos/cocoapi
 * commit f3f9948a, {@code expected.json}), read with the project's JSON readers. We reproduce
 * numpy's arithmetic, so the match is exact (difference 0.0, not only within 1e-12).
 */
class YtvisEvaluatorRegressionTest {

  @ParameterizedTest
  @ValueSource(strings = {"small-random", "medium-random", "crowd-random"})
  void matchesOfficialNumbers(String name) throws Exception {
    Path dir = resource("ytvis-eval-examples/" + name);
    YtvisDataset gt = YtvisDataset.read(dir.resolve("gt.json"));
    Metrics got = YtvisEvaluator.evaluate(gt, YtvisResults.read(dir.resolve("results.json"), gt, false));
    Metrics want = Metrics.fromJson(Files.readString(dir.resolve("expected.json")), name);
    Map<String, Double> g = got.asMap();
    for (Map.Entry<String, Double> e : want.asMap().entrySet()) {
      assertEquals(e.getValue(), g.get(e.getKey()), 0.0, name + " " + e.getKey());
    }
  }

  /** Our own test-only reader gives the same numbers (it feeds the official comparison). */
  @ParameterizedTest
  @ValueSource(strings = {"small-random", "crowd-random"})
  void independentReaderAgrees(String name) throws Exception {
    String dir = "ytvis-eval-examples/" + name + "/";
    Metrics viaTestJson = YtvisEvaluator.evaluate(
        TestJson.dataset(TestJson.resource(dir + "gt.json")),
        TestJson.results(TestJson.resource(dir + "results.json")));
    Path d = resource(dir);
    YtvisDataset gt = YtvisDataset.read(d.resolve("gt.json"));
    assertEquals(YtvisEvaluator.evaluate(gt, YtvisResults.read(d.resolve("results.json"), gt, false)),
        viaTestJson);
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(YtvisEvaluatorRegressionTest.class.getResource("/" + name).toURI());
  }
}
