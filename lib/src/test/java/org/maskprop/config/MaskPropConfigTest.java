package org.maskprop.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;

class MaskPropConfigTest {
  @TempDir Path dir;

  @Test
  void everyPresetBuildsAndRoundTripsThroughYaml() throws IOException {
    for (String name : Presets.names()) {
      MaskPropConfig c = Presets.get(name);
      Path f = dir.resolve(name + ".yaml");
      Files.writeString(f, c.toYaml());
      MaskPropConfig back = MaskPropConfig.load(f, List.of());
      assertEquals(c, back, name);
      assertEquals(c.hash(), back.hash());
    }
  }

  @Test
  void setOverridesParseYamlValues() {
    MaskPropConfig c =
        MaskPropConfig.fromPreset(
            "cpu-tiny", List.of("train.baseLr=0.02", "propagation.dilations=[1, 2]", "backbone.arch=R50"));
    assertEquals(0.02, c.train().baseLr());
    assertEquals(List.of(1, 2), c.propagation().dilations());
    assertEquals(BackboneConfig.Arch.R50, c.backbone().arch());
    assertNotEquals(Presets.get("cpu-tiny").hash(), c.hash());
  }

  @Test
  void fileOverridesOnlySomeKeysOfThePreset() throws IOException {
    Path f = dir.resolve("run.yaml");
    Files.writeString(f, "preset: ytvis-r50\ninfer:\n  clipLength: 7\nseed: 3\n");
    MaskPropConfig c = MaskPropConfig.load(f, List.of("infer.assignThreshold=0.6"));
    assertEquals(7, c.infer().clipLength());
    assertEquals(0.6, c.infer().assignThreshold());
    assertEquals(3, c.seed());
    assertEquals(Presets.get("ytvis-r50").roiHeads(), c.roiHeads());
  }

  @Test
  void unknownKeyNamesTheFileAndThePath() throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "preset: cpu-tiny\ninfer:\n  clipLenght: 7\n");
    InputException e = assertThrows(InputException.class, () -> MaskPropConfig.load(f, List.of()));
    assertTrue(e.getMessage().contains("bad.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains("'infer.clipLenght'"), e.getMessage());
    assertTrue(e.getMessage().contains("clipLength"), e.getMessage());
  }

  @Test
  void pathThroughALeafIsRejected() {
    InputException e =
        assertThrows(
            InputException.class,
            () -> MaskPropConfig.fromPreset("cpu-tiny", List.of("train.baseLr.value=1")));
    assertTrue(e.getMessage().contains("train.baseLr.value"), e.getMessage());
  }

  @Test
  void invalidValuesAreOneLineErrorsNamingTheKey() {
    InputException even =
        assertThrows(
            InputException.class, () -> MaskPropConfig.fromPreset("cpu-tiny", List.of("infer.clipLength=12")));
    assertTrue(even.getMessage().contains("infer.clipLength"), even.getMessage());
    assertTrue(!even.getMessage().contains("\n"));
    InputException type =
        assertThrows(
            InputException.class, () -> MaskPropConfig.fromPreset("cpu-tiny", List.of("train.iterations=lots")));
    assertTrue(type.getMessage().contains("train.iterations"), type.getMessage());
    InputException arch =
        assertThrows(
            InputException.class, () -> MaskPropConfig.fromPreset("cpu-tiny", List.of("backbone.arch=R34")));
    assertTrue(arch.getMessage().contains("backbone.arch"), arch.getMessage());
  }

  @Test
  void unknownPresetListsTheKnownOnes() {
    InputException e = assertThrows(InputException.class, () -> Presets.get("gpu-huge"));
    assertTrue(e.getMessage().contains("cpu-tiny"));
  }

  @Test
  void paperValuesInThePaperScalePresets() {
    MaskPropConfig c = Presets.get("ytvis-x101");
    assertEquals(13, c.infer().clipLength());
    assertEquals(List.of(3, 6, 12), c.propagation().dilations());
    assertEquals(List.of(0.5, 0.6, 0.7), c.roiHeads().stageIous());
    assertEquals(40, c.data().numClasses());
    assertTrue(StandIns.KEYS.containsKey("infer.assignThreshold"));
  }

  @Test
  void flattenedKeysRebuildTheConfigThroughSet() {
    MaskPropConfig c = MaskPropConfig.fromPreset("cpu-tiny", List.of("propagation.dilations=[2, 4]", "seed=9"));
    java.util.Map<String, String> flat = c.flatten();
    assertEquals("[2,4]", flat.get("propagation.dilations"));
    assertEquals("9", flat.get("seed"));
    List<String> sets = flat.entrySet().stream()
        .filter(e -> !e.getKey().equals("preset") && !e.getValue().equals("null"))
        .map(e -> e.getKey() + "=" + e.getValue())
        .toList();
    // from another preset: every leaf must come from the flattened values
    java.util.Map<String, String> rebuilt = new java.util.LinkedHashMap<>(MaskPropConfig.fromPreset("ytvis-r50", sets).flatten());
    java.util.Map<String, String> expected = new java.util.LinkedHashMap<>(flat);
    rebuilt.remove("preset");
    expected.remove("preset");
    assertEquals(expected, rebuilt);
  }

  @Test
  void iterationOverrideMovesTheDerivedScheduleUnlessItIsSet() throws IOException {
    MaskPropConfig tiny = MaskPropConfig.fromPreset("cpu-tiny", List.of("train.iterations=2000"));
    assertEquals(2000, tiny.train().iterations());
    assertEquals(List.of(1600), tiny.train().lrSteps()); // 80 %
    assertEquals(100, tiny.train().warmupIterations()); // min(100, 2000 / 10)
    assertEquals(400, tiny.train().checkpointPeriod()); // 2000 / 5
    assertEquals(Presets.get("cpu-tiny").roiHeads(), tiny.roiHeads());

    // an explicit derived value wins, before or after the count
    for (List<String> sets : List.of(List.of("train.lrSteps=[7]", "train.iterations=200"),
        List.of("train.iterations=200", "train.lrSteps=[7]"))) {
      MaskPropConfig c = MaskPropConfig.fromPreset("cpu-tiny", sets);
      assertEquals(List.of(7), c.train().lrSteps(), sets.toString());
      assertEquals(20, c.train().warmupIterations(), sets.toString());
      assertEquals(40, c.train().checkpointPeriod(), sets.toString());
    }

    MaskPropConfig r50 = MaskPropConfig.fromPreset("ytvis-r50", List.of("train.iterations=1000"));
    assertEquals(List.of(800, 950), r50.train().lrSteps()); // epochs 16 and 19 of 20
    assertEquals(500, r50.train().warmupIterations());
    assertEquals(50, r50.train().checkpointPeriod());
    MaskPropConfig r50Short = MaskPropConfig.fromPreset("ytvis-r50", List.of("train.iterations=100"));
    assertEquals(100, r50Short.train().warmupIterations());

    // the same through a run config file, with a --set of one derived value
    Path f = dir.resolve("run.yaml");
    Files.writeString(f, "preset: cpu-synthetic\ntrain:\n  iterations: 300\n");
    MaskPropConfig file = MaskPropConfig.load(f, List.of("train.checkpointPeriod=7"));
    assertEquals(List.of(240), file.train().lrSteps());
    assertEquals(30, file.train().warmupIterations());
    assertEquals(7, file.train().checkpointPeriod());

    // no override, or the preset's own count: the preset as it is
    assertEquals(Presets.get("cpu-tiny"), MaskPropConfig.fromPreset("cpu-tiny", List.of()));
    assertEquals(Presets.get("cpu-tiny"), MaskPropConfig.fromPreset("cpu-tiny", List.of("train.iterations=30")));
  }
}
