package org.maskprop.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;

class EvalBenchmarkTest {

  /** The column-run ellipse equals rasterising "pixel centre inside the ellipse" per pixel. */
  @Test
  void ellipseEqualsPixelRaster() {
    SplittableRandom rng = new SplittableRandom(3);
    for (int trial = 0; trial < 100; trial++) {
      int h = 5 + rng.nextInt(40);
      int w = 5 + rng.nextInt(40);
      double cx = rng.nextDouble() * w * 1.4 - 0.2 * w;
      double cy = rng.nextDouble() * h * 1.4 - 0.2 * h;
      double rx = 0.3 + rng.nextDouble() * w;
      double ry = 0.3 + rng.nextDouble() * h;
      byte[] m = new byte[h * w];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double u = (x + 0.5 - cx) / rx;
          double v = (y + 0.5 - cy) / ry;
          // same predicate as the run builder: |v| <= sqrt(1 - u^2), u^2 < 1
          if (Math.abs(u) < 1 && Math.abs(y + 0.5 - cy) <= ry * Math.sqrt(1 - u * u)) {
            m[y * w + x] = 1;
          }
        }
      }
      Rle want = Rle.encode(m, h, w);
      Rle got = EvalBenchmark.ellipse(h, w, cx, cy, rx, ry);
      assertArrayEquals(want.decode(), got.decode(), "trial " + trial);
    }
  }

  @Test
  void generateIsSeededAndShaped() {
    EvalBenchmark.Case a = EvalBenchmark.generate(6, 5, 4, 11);
    EvalBenchmark.Case b = EvalBenchmark.generate(6, 5, 4, 11);
    assertEquals(6, a.gt().videos().size());
    assertEquals(24, a.results().size());
    assertEquals(YtvisEvaluator.evaluate(a.gt(), a.results()), YtvisEvaluator.evaluate(b.gt(), b.results()));
    for (YtvisDataset.Annotation ann : a.gt().annotations()) {
      assertEquals(5, ann.segmentations().size());
      assertTrue(ann.segmentations().stream().anyMatch(r -> r != null));
    }
    Metrics m = YtvisEvaluator.evaluate(a.gt(), a.results());
    assertTrue(m.ap() > 0.1 && m.ap() < 1, "noisy predictions give a middling AP: " + m.ap());
  }

  /** Through the written files and the project's readers the numbers equal the in-memory ones. */
  @Test
  void runRoundTripsThroughJson(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    EvalBenchmark.Timing t = EvalBenchmark.run(4, 3, 5, 9, 1, 0, 1, dir);
    EvalBenchmark.Case c = EvalBenchmark.generate(4, 3, 5, 9);
    assertEquals(YtvisEvaluator.evaluate(c.gt(), c.results()), t.metrics());
    assertEquals(20, t.results());
    com.fasterxml.jackson.databind.JsonNode line =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(t.toJson());
    java.util.List<String> keys = new java.util.ArrayList<>();
    line.fieldNames().forEachRemaining(keys::add);
    assertEquals(java.util.List.of("videos", "frames", "results", "load_s", "eval_s", "threads",
        "warmup", "runs", "load_cpu_s", "eval_cpu_s"), keys);
    assertTrue(java.nio.file.Files.exists(dir.resolve("gt.json")));
  }
}
