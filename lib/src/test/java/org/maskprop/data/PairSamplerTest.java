package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.maskprop.data.PairFixtures.ann;
import static org.maskprop.data.PairFixtures.rect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;

class PairSamplerTest {
  static final int H = 6;
  static final int W = 6;

  /** Segmentations present (a 2x2 square) in frames [from, to), null elsewhere. */
  static List<Rle> presentIn(int length, int from, int to) {
    List<Rle> s = new ArrayList<>();
    for (int f = 0; f < length; f++) {
      s.add(f >= from && f < to ? rect(H, W, 1, 1, 3, 3) : null);
    }
    return s;
  }

  /**
   * Video 1: 30 frames, ann 10 in all frames, ann 11 in frames 0..9. Video 2: 12 frames, ann 20
   * only in frames 3..5, ann 21 crowd everywhere, ann 22 empty masks everywhere. Video 3: 8 frames,
   * only a crowd annotation (never sampled). Video 4: one frame with one instance.
   */
  static YtvisDataset dataset() {
    YtvisDataset.Video v1 = PairFixtures.video(1, H, W, 30);
    YtvisDataset.Video v2 = PairFixtures.video(2, H, W, 12);
    YtvisDataset.Video v3 = PairFixtures.video(3, H, W, 8);
    YtvisDataset.Video v4 = PairFixtures.video(4, H, W, 1);
    List<Rle> empty = new ArrayList<>();
    for (int f = 0; f < 12; f++) {
      empty.add(Rle.empty(H, W));
    }
    return new YtvisDataset(null, null, null, List.of(v1, v2, v3, v4), PairFixtures.categories(1, 2),
        List.of(
            ann(10, v1, 1, 0, presentIn(30, 0, 30)),
            ann(11, v1, 2, 0, presentIn(30, 0, 10)),
            ann(20, v2, 1, 0, presentIn(12, 3, 6)),
            ann(21, v2, 2, 1, presentIn(12, 0, 12)),
            ann(22, v2, 2, 0, empty),
            ann(30, v3, 1, 1, presentIn(8, 0, 8)),
            ann(40, v4, 2, 0, presentIn(1, 0, 1))));
  }

  @Test
  void sameSeedAndIterationGiveTheSamePairInAnyOrder() {
    YtvisDataset d = dataset();
    PairSampler a = new PairSampler(d, 5, 123);
    List<FramePair> forward = new ArrayList<>();
    for (long i = 0; i < 100; i++) {
      forward.add(a.sample(i));
    }
    PairSampler b = new PairSampler(d, 5, 123);
    for (long i = 99; i >= 0; i--) { // backwards: no hidden state
      assertEquals(forward.get((int) i), b.sample(i));
    }
    assertEquals(forward.get(57), a.sample(57));
  }

  @Test
  void differentSeedsGiveDifferentSequences() {
    YtvisDataset d = dataset();
    PairSampler a = new PairSampler(d, 5, 1);
    PairSampler b = new PairSampler(d, 5, 2);
    int differ = 0;
    for (long i = 0; i < 60; i++) {
      if (!a.sample(i).equals(b.sample(i))) {
        differ++;
      }
    }
    assertTrue(differ > 30, "pairs differing between seeds: " + differ);
  }

  @Test
  void framesWithoutInstancesAreNeverCentreFramesAndEpochsVisitEachVideoOnce() {
    PairSampler s = new PairSampler(dataset(), 5, 9);
    assertArrayEquals(new int[] {1, 2, 4}, s.videoIds()); // video 3 has only a crowd track
    assertEquals(3, s.epochLength());
    Set<Integer> tOfVideo2 = new HashSet<>();
    for (long e = 0; e < 200; e++) {
      Set<Integer> inEpoch = new HashSet<>();
      for (long k = 0; k < 3; k++) {
        FramePair p = s.sample(3 * e + k);
        inEpoch.add(p.videoId());
        if (p.videoId() == 2) {
          tOfVideo2.add(p.t());
          assertArrayEquals(new int[] {20}, p.trackIds()); // crowd 21 and empty 22 are no targets
        }
      }
      assertEquals(Set.of(1, 2, 4), inEpoch);
    }
    assertEquals(Set.of(3, 4, 5), tOfVideo2);
  }

  @Test
  void gapsStayWithinBoundsAndInsideTheVideo() {
    PairSampler s = new PairSampler(dataset(), 5, 4);
    for (long i = 0; i < 3000; i++) {
      FramePair p = s.sample(i);
      int length = p.videoId() == 1 ? 30 : p.videoId() == 2 ? 12 : 1;
      assertTrue(p.tPrime() >= 0 && p.tPrime() < length, p.toString());
      assertTrue(Math.abs(p.gap()) <= 5, p.toString());
      if (length > 1) {
        assertNotEquals(0, p.gap(), p.toString());
      } else {
        assertEquals(0, p.gap()); // the one-frame video pairs its frame with itself
      }
    }
    PairSampler still = new PairSampler(dataset(), 0, 4);
    for (long i = 0; i < 30; i++) {
      assertEquals(0, still.sample(i).gap());
    }
  }

  @Test
  void gapsAreRoughlyUniformOverTheAllowedOnes() {
    PairSampler s = new PairSampler(dataset(), 5, 77);
    int[] counts = new int[11]; // gap + 5
    int n = 0;
    for (long i = 0; n < 20_000; i++) {
      FramePair p = s.sample(i);
      if (p.videoId() == 1 && p.t() >= 5 && p.t() < 25) { // all ten gaps allowed here
        counts[p.gap() + 5]++;
        n++;
      }
    }
    assertEquals(0, counts[5]);
    double expected = n / 10.0;
    double chi2 = 0;
    for (int g = 0; g < 11; g++) {
      if (g != 5) {
        chi2 += (counts[g] - expected) * (counts[g] - expected) / expected;
      }
    }
    // 9 degrees of freedom: P(chi2 > 27.88) = 0.001
    assertTrue(chi2 < 27.88, "chi2 " + chi2 + " counts " + Arrays.toString(counts));
    // near the start of the video only the gaps that stay inside are used, each about equally
    int[] atZero = new int[6];
    int m = 0;
    for (long i = 0; m < 2000; i++) {
      FramePair p = s.sample(i);
      if (p.videoId() == 1 && p.t() == 0) {
        atZero[p.gap()]++;
        m++;
      }
    }
    assertEquals(0, atZero[0]);
    for (int g = 1; g <= 5; g++) {
      assertEquals(400, atZero[g], 80, Arrays.toString(atZero));
    }
  }

  @Test
  void pairRecordsWhichInstancesOfTAreInTPrime() {
    PairSampler s = new PairSampler(dataset(), 5, 5);
    int crossing = 0;
    for (long i = 0; i < 600; i++) {
      FramePair p = s.sample(i);
      if (p.videoId() != 1) {
        continue;
      }
      int[] expectedT = p.t() < 10 ? new int[] {10, 11} : new int[] {10};
      assertArrayEquals(expectedT, p.trackIds());
      boolean elevenInTPrime = p.tPrime() < 10;
      if (p.t() < 10) {
        assertArrayEquals(elevenInTPrime ? new int[] {10, 11} : new int[] {10}, p.presentInTPrime(), p.toString());
        assertArrayEquals(elevenInTPrime ? new int[] {} : new int[] {11}, p.absentInTPrime(), p.toString());
        crossing += elevenInTPrime ? 0 : 1;
      } else {
        assertArrayEquals(new int[] {10}, p.presentInTPrime());
        assertArrayEquals(new int[] {}, p.absentInTPrime());
      }
    }
    assertTrue(crossing > 0, "some pairs have an instance of t that is gone in t'");
  }

  @Test
  void datasetWithoutInstancesIsAnInputError() {
    YtvisDataset.Video v = PairFixtures.video(3, H, W, 4);
    YtvisDataset d = new YtvisDataset(null, null, null, List.of(v), PairFixtures.categories(1),
        List.of(ann(30, v, 1, 1, presentIn(4, 0, 4))));
    InputException e = assertThrows(InputException.class, () -> new PairSampler(d, 5, 0));
    assertTrue(e.getMessage().startsWith("dataset: field annotations: no frame"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PairSampler(dataset(), 5, 0).sample(-1));
  }
}
