package org.maskprop.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BalancedSamplerTest {
  /** 10 positives at i % 11 == 0, ignores at i % 11 == 1, negatives elsewhere (100 labels). */
  private static NDArray labels(NDManager m, int n) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = i % 11 == 0 ? Matcher.POSITIVE : i % 11 == 1 ? Matcher.IGNORE : Matcher.NEGATIVE;
    }
    return m.create(l);
  }

  @Test
  void countsAndMembership() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray labels = labels(m, 110); // 10 positive, 10 ignored, 90 negative
      BalancedSampler.Sample s = new BalancedSampler(32, 0.25).sample(labels, new Random(1));
      checkSample(s, 8, 24);
      // too few positives: negatives fill the batch
      BalancedSampler.Sample s2 = new BalancedSampler(64, 0.5).sample(labels, new Random(1));
      checkSample(s2, 10, 54);
      // too few of both: everything available, ignores never
      BalancedSampler.Sample s3 = new BalancedSampler(512, 0.25).sample(labels, new Random(1));
      checkSample(s3, 10, 90);
    }
  }

  private static void checkSample(BalancedSampler.Sample s, int pos, int neg) {
    long[] p = s.positive().toLongArray();
    long[] n = s.negative().toLongArray();
    assertEquals(pos, p.length);
    assertEquals(neg, n.length);
    Set<Long> seen = new HashSet<>();
    for (long i : p) {
      assertEquals(0, i % 11, "positive " + i);
      assertTrue(seen.add(i));
    }
    for (long i : n) {
      assertTrue(i % 11 > 1, "negative " + i);
      assertTrue(seen.add(i));
    }
  }

  @Test
  void deterministicBySeed() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray labels = labels(m, 110);
      BalancedSampler sampler = new BalancedSampler(16, 0.25);
      long[] a = sampler.sample(labels, new SplittableRandom(5)).negative().toLongArray();
      long[] b = sampler.sample(labels, new SplittableRandom(5)).negative().toLongArray();
      long[] c = sampler.sample(labels, new SplittableRandom(6)).negative().toLongArray();
      assertArrayEquals(a, b);
      assertFalse(Arrays.equals(a, c));
    }
  }

  /** Each of the 10 positives is drawn about equally often (1 of 10 per draw, 3000 draws). */
  @Test
  void uniformOverCandidates() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray labels = labels(m, 110);
      BalancedSampler sampler = new BalancedSampler(4, 0.25);
      Random rnd = new Random(9);
      int[] count = new int[110];
      for (int t = 0; t < 3000; t++) {
        count[(int) sampler.sample(labels, rnd).positive().getLong(0)]++;
      }
      for (int i = 0; i < 110; i += 11) {
        assertTrue(count[i] > 220 && count[i] < 380, "positive " + i + " drawn " + count[i] + " times");
      }
    }
  }
}
