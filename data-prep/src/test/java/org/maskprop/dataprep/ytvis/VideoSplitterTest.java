package org.maskprop.dataprep.ytvis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Video;

class VideoSplitterTest {
  private static List<Integer> ids(YtvisDataset d) {
    return d.videos().stream().map(Video::id).toList();
  }

  @Test
  void everyVideoInExactlyOneSplitWithItsAnnotations() {
    YtvisDataset d = FakeYtvis.dataset(20, true);
    Map<String, YtvisDataset> s = VideoSplitter.split(d, new VideoSplitter.Fractions(0.12, 0.25), 3);
    assertEquals(List.of("train", "valid", "test"), List.copyOf(s.keySet()));
    // round(0.12 * 20) = 2, round(0.25 * 20) = 5, the rest 13
    assertEquals(13, s.get("train").videos().size());
    assertEquals(2, s.get("valid").videos().size());
    assertEquals(5, s.get("test").videos().size());
    Set<Integer> seen = new HashSet<>();
    int anns = 0;
    for (YtvisDataset part : s.values()) {
      for (Video v : part.videos()) {
        assertTrue(seen.add(v.id()), "video " + v.id() + " in two splits");
        assertEquals(d.videoById(v.id()), v);
        assertEquals(d.annotationsOf(v.id()), part.annotationsOf(v.id()));
      }
      for (Annotation a : part.annotations()) {
        assertTrue(part.videoById(a.videoId()) != null);
      }
      anns += part.annotations().size();
      assertEquals(d.categories(), part.categories());
      // file order kept inside a split
      List<Integer> sorted = new ArrayList<>(ids(part));
      sorted.sort(null);
      assertEquals(sorted, ids(part));
    }
    assertEquals(20, seen.size());
    assertEquals(d.annotations().size(), anns);
  }

  @Test
  void sameSeedSameSplitOtherSeedOtherSplit() {
    YtvisDataset d = FakeYtvis.dataset(20, true);
    VideoSplitter.Fractions f = new VideoSplitter.Fractions(0.25, 0);
    Map<String, YtvisDataset> a = VideoSplitter.split(d, f, 7);
    Map<String, YtvisDataset> b = VideoSplitter.split(d, f, 7);
    Map<String, YtvisDataset> c = VideoSplitter.split(d, f, 8);
    assertEquals(a, b);
    assertEquals(List.of("train", "valid"), List.copyOf(a.keySet()));
    assertNotEquals(ids(a.get("valid")), ids(c.get("valid")));
  }

  @Test
  void theShuffleIsTheDocumentedFisherYates() {
    // independent re-derivation: ids 1..6 sorted, j = nextInt(i + 1) for i = 5..1, first 2 -> valid
    java.util.Random rng = new java.util.Random(11);
    int[] ids = {1, 2, 3, 4, 5, 6};
    for (int i = 5; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
    }
    Set<Integer> expected = Set.of(ids[0], ids[1]);
    Map<String, YtvisDataset> s =
        VideoSplitter.split(FakeYtvis.dataset(6, true), new VideoSplitter.Fractions(0.3, 0), 11);
    assertEquals(expected, Set.copyOf(ids(s.get("valid"))));
  }

  @Test
  void smallFractionsGetOneVideoAndImpossibleSplitsAreRefused() {
    assertEquals(1, VideoSplitter.count(0.01, 10));
    assertEquals(0, VideoSplitter.count(0, 10));
    assertEquals(3, VideoSplitter.count(0.25, 10)); // round(2.5) = 3
    YtvisDataset two = FakeYtvis.dataset(2, true);
    InputException e = assertThrows(InputException.class,
        () -> VideoSplitter.split(two, new VideoSplitter.Fractions(0.1, 0.1), 0));
    assertTrue(e.getMessage().contains("2 videos cannot give 1 valid + 1 test videos"),
        e.getMessage());
    assertTrue(assertThrows(InputException.class, () -> new VideoSplitter.Fractions(1.0, 0))
        .getMessage().startsWith("--valid-fraction 1.0"));
    assertTrue(assertThrows(InputException.class, () -> new VideoSplitter.Fractions(0.1, -0.1))
        .getMessage().startsWith("--test-fraction -0.1"));
    assertTrue(assertThrows(InputException.class, () -> new VideoSplitter.Fractions(0.5, 0.5))
        .getMessage().contains("leave no videos for train"));
  }
}
