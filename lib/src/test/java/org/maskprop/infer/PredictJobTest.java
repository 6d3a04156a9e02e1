package org.maskprop.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.train.TrainedModel;

/** The pure parts of {@link PredictJob}; the job end to end runs in the CLI's PredictCommandTest. */
class PredictJobTest {

  @Test
  void evenlySpacedFramesIncludeBothEnds() {
    assertArrayEquals(new int[] {0, 3, 6, 9}, PredictJob.evenlySpaced(10, 4));
    assertArrayEquals(new int[] {0, 2, 4}, PredictJob.evenlySpaced(5, 3));
    assertArrayEquals(new int[] {0, 1, 2}, PredictJob.evenlySpaced(3, 5));
    assertArrayEquals(new int[] {0}, PredictJob.evenlySpaced(7, 1));
    assertArrayEquals(new int[0], PredictJob.evenlySpaced(7, 0));
  }

  @Test
  void nullFramesAreNullInEveryTrackAndLengthsKept() {
    byte[] m = new byte[6];
    m[2] = 1;
    Rle r = Rle.encode(m, 2, 3);
    List<YtvisResult> in = List.of(new YtvisResult(4, 1, 0.9, Arrays.asList(r, r, null, r)),
        new YtvisResult(4, 2, 0.5, Arrays.asList(r, r, r, r)));
    List<YtvisResult> out = PredictJob.withNullFrames(in, new TreeSet<>(List.of(1, 3)));
    assertEquals(Arrays.asList(r, null, null, null), out.get(0).segmentations());
    assertEquals(Arrays.asList(r, null, r, null), out.get(1).segmentations());
    assertEquals(0.5, out.get(1).score());
    assertSame(in, PredictJob.withNullFrames(in, new TreeSet<>()));
    assertNull(out.get(0).segmentations().get(3));
  }

  static List<YtvisDataset.Category> cats(int... ids) {
    List<YtvisDataset.Category> out = new ArrayList<>();
    for (int id : ids) {
      out.add(new YtvisDataset.Category(id, "c" + id, null));
    }
    return out;
  }

  /** A model record with only what {@link PredictJob#categories} reads (config, run folder, categories). */
  static TrainedModel model(int numClasses, Optional<List<YtvisDataset.Category>> runCats) {
    MaskPropConfig cfg = MaskPropConfig.fromPreset("cpu-tiny", List.of("data.numClasses=" + numClasses));
    return new TrainedModel(cfg, null, null, Path.of("run/model_final.ckpt"), Path.of("run"), runCats);
  }

  static YtvisDataset split(List<YtvisDataset.Category> cats) {
    return new YtvisDataset(Path.of("valid.json"), null, null, List.of(), cats, List.of());
  }

  @Test
  void categoriesComeFromTheRunThenTheDatasetThenOneToK() {
    List<String> warnings = new ArrayList<>();
    assertEquals(cats(11, 12), PredictJob.categories(model(2, Optional.of(cats(11, 12))), null, warnings::add));
    assertEquals(cats(11, 12), PredictJob.categories(model(2, Optional.of(cats(11, 12))), split(cats(12, 11)),
        warnings::add));
    assertEquals(cats(3, 4), PredictJob.categories(model(2, Optional.empty()), split(cats(3, 4)), warnings::add));
    assertTrue(warnings.isEmpty(), warnings.toString());
    List<YtvisDataset.Category> assumed = PredictJob.categories(model(3, Optional.empty()), null, warnings::add);
    assertEquals(List.of(1, 2, 3), assumed.stream().map(YtvisDataset.Category::id).toList());
    assertEquals("class 2", assumed.get(1).name());
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("categories.json") && warnings.get(0).contains("1..3"), warnings.get(0));
  }

  @Test
  void categoriesThatDisagreeAreInputErrors() {
    InputException differ = assertThrows(InputException.class,
        () -> PredictJob.categories(model(2, Optional.of(cats(1, 2))), split(cats(1, 3)), w -> {}));
    assertTrue(differ.getMessage().contains("valid.json: category ids [1, 3] differ from the training run's [1, 2]"),
        differ.getMessage());
    InputException count = assertThrows(InputException.class,
        () -> PredictJob.categories(model(3, Optional.of(cats(1, 2))), null, w -> {}));
    assertTrue(count.getMessage().contains("2 categories, but data.numClasses is 3"), count.getMessage());
  }
}
