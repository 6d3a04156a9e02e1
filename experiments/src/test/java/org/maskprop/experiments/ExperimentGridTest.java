package org.maskprop.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.config.BackboneConfig.Arch;

/** Grid files: every committed one parses and expands; bad ones fail in one line naming the file. */
class ExperimentGridTest {
  /** The module folder (surefire runs with the module as working directory). */
  static final Path GRIDS = Path.of("").toAbsolutePath();

  /** Committed grid -> expected points, runs (points x methods x splits). */
  static Map<String, int[]> expected() {
    Map<String, int[]> m = new LinkedHashMap<>();
    m.put("smoke.yaml", new int[] {2, 2});
    m.put("table2.yaml", new int[] {1, 5});
    m.put("table2-ytvis.yaml", new int[] {1, 4});
    m.put("table3.yaml", new int[] {1, 3});
    m.put("table3-ytvis.yaml", new int[] {1, 3});
    m.put("table4.yaml", new int[] {4, 4});
    m.put("table4-ytvis.yaml", new int[] {3, 3});
    m.put("fig6-clip-length.yaml", new int[] {9, 9});
    m.put("fig6-clip-length-ytvis.yaml", new int[] {9, 9});
    m.put("refinement-ablation.yaml", new int[] {2, 2});
    m.put("refinement-ablation-ytvis.yaml", new int[] {2, 2});
    m.put("threshold-sweep.yaml", new int[] {9, 18});
    m.put("threshold-sweep-ytvis.yaml", new int[] {9, 9});
    m.put("robustness.yaml", new int[] {4, 24});
    return m;
  }

  @Test
  void everyCommittedGridParsesAndExpands() throws IOException {
    List<String> files;
    try (Stream<Path> s = Files.list(GRIDS)) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList();
    }
    assertEquals(expected().keySet().stream().sorted().toList(), files, "grid files vs the expected list");
    for (Map.Entry<String, int[]> e : expected().entrySet()) {
      ExperimentPlan plan = ExperimentPlan.expand(ExperimentGrid.load(GRIDS.resolve(e.getKey())));
      assertEquals(e.getValue()[0], plan.points().size(), e.getKey() + " points");
      assertEquals(e.getValue()[1], plan.runs().size(), e.getKey() + " runs");
      assertEquals(e.getKey().replace(".yaml", ""), plan.grid().name(), e.getKey() + " name = file name");
      assertEquals(e.getKey().contains("ytvis") ? Scale.YTVIS : Scale.SYNTHVIS, plan.grid().scale(), e.getKey());
      String text = plan.describe(MethodRegistry.BUILT_IN);
      assertTrue(text.contains(plan.runs().size() + " run(s)"), text);
    }
  }

  @Test
  void everyRunConfigLoadsAsItsPreset() throws IOException {
    List<Path> configs;
    try (Stream<Path> s = Files.list(GRIDS.resolve("configs"))) {
      configs = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertEquals(org.maskprop.config.Presets.names().stream().sorted().toList(),
        configs.stream().map(p -> p.getFileName().toString().replace(".yaml", "")).sorted().toList());
    for (Path c : configs) {
      String name = c.getFileName().toString().replace(".yaml", "");
      assertEquals(org.maskprop.config.Presets.get(name), org.maskprop.config.MaskPropConfig.load(c, List.of()), name);
    }
  }

  @Test
  void axisValuesReachTheResolvedConfigs() {
    ExperimentPlan t4 = ExperimentPlan.expand(ExperimentGrid.load(GRIDS.resolve("table4.yaml")));
    assertEquals(List.of(Arch.R18, Arch.R50, Arch.R101, Arch.X101_64X4D),
        t4.points().stream().map(p -> p.config().backbone().arch()).toList());
    assertTrue(t4.points().stream().allMatch(p -> p.config().backbone().widthDivisor() == 8), "base --set applies");
    assertTrue(t4.points().stream().allMatch(p -> p.config().train().iterations() == 1000
        && p.config().train().lrSteps().equals(List.of(800))), "table4's reduced schedule (budget)");
    assertEquals("cpu-synthetic", t4.points().get(0).config().preset());

    ExperimentPlan f6 = ExperimentPlan.expand(ExperimentGrid.load(GRIDS.resolve("fig6-clip-length.yaml")));
    assertEquals(List.of(1, 3, 5, 7, 9, 11, 13, 15, 17),
        f6.points().stream().map(p -> p.config().infer().clipLength()).toList());

    // one detector per training config: infer.* axes share one, backbone and data axes do not
    assertEquals(1, f6.detectorTrainings());
    assertEquals(4, t4.detectorTrainings());
    assertTrue(t4.describe(MethodRegistry.BUILT_IN).contains("\n4 detector training(s)"), t4.describe(MethodRegistry.BUILT_IN));
    for (String[] gt : new String[][] {{"smoke", "1"}, {"table2", "1"}, {"table3", "1"}, {"threshold-sweep", "1"},
        {"refinement-ablation", "2"}, {"robustness", "4"}, {"table4-ytvis", "3"}}) {
      ExperimentPlan p = ExperimentPlan.expand(ExperimentGrid.load(GRIDS.resolve(gt[0] + ".yaml")));
      assertEquals(Integer.parseInt(gt[1]), p.detectorTrainings(), gt[0]);
    }

    ExperimentPlan rob = ExperimentPlan.expand(ExperimentGrid.load(GRIDS.resolve("robustness.yaml")));
    assertEquals(List.of("easy", "occlusion", "blur", "crowded"),
        rob.points().stream().map(p -> p.synthvis().preset()).toList());
    assertEquals(16, rob.points().get(3).synthvis().videos());
  }

  @Test
  void productVariesTheLastAxisFastestAndZipPairs(@TempDir Path dir) throws IOException {
    String axes = """
        axes:
          - key: infer.clipLength
            values: [1, 3]
          - key: infer.assignThreshold
            values: [0.2, 0.4]
        """;
    ExperimentPlan prod = ExperimentPlan.expand(ExperimentGrid.load(grid(dir, "p.yaml", axes)));
    assertEquals(List.of("clipLength=1, assignThreshold=0.2", "clipLength=1, assignThreshold=0.4",
        "clipLength=3, assignThreshold=0.2", "clipLength=3, assignThreshold=0.4"),
        prod.points().stream().map(GridPoint::label).toList());
    ExperimentPlan zip = ExperimentPlan.expand(ExperimentGrid.load(grid(dir, "z.yaml", axes + "mode: zip\n")));
    assertEquals(List.of(1, 3), zip.points().stream().map(p -> p.config().infer().clipLength()).toList());
    assertEquals(List.of(0.2, 0.4), zip.points().stream().map(p -> p.config().infer().assignThreshold()).toList());
  }

  @Test
  void badGridsFailInOneLineNamingFileAndKey(@TempDir Path dir) throws IOException {
    assertOneLine(grid(dir, "a.yaml", "colour: blue\n"), "colour");
    assertOneLine(grid(dir, "b.yaml", "axes:\n  - key: infer.nope\n    values: [1]\n"), "infer.nope");
    assertOneLine(grid(dir, "c.yaml", "axes:\n  - key: infer.clipLength\n    values: [4]\n"), "infer.clipLength");
    assertOneLine(grid(dir, "d.yaml", "axes:\n  - key: infer.clipLength\n    value: [3]\n"), "unknown config key 'axes[0].value'");
    assertOneLine(grid(dir, "e.yaml", "axes:\n  - key: synthvis.speed\n    values: [3]\n"), "synthvis.speed");
    assertOneLine(grid(dir, "f.yaml", "axes:\n  - key: synthvis.preset\n    values: [foggy]\n"), "foggy");
    assertOneLine(grid(dir, "g.yaml", """
        mode: zip
        axes:
          - key: infer.clipLength
            values: [1, 3]
          - key: infer.assignThreshold
            values: [0.2]
        """), "axes[1].values");
    Path badMethod = dir.resolve("h.yaml");
    Files.writeString(badMethod, Files.readString(grid(dir, "h0.yaml", ""))
        .replace("methods: [reference-gt]", "methods: [reference-gt, Mask_RCNN]"));
    assertOneLine(badMethod, "Mask_RCNN");
    Path badBase = dir.resolve("i.yaml");
    Files.writeString(badBase, Files.readString(grid(dir, "i0.yaml", ""))
        .replace("preset: cpu-tiny", "preset: cpu-huge"));
    assertOneLine(badBase, "cpu-huge");
  }

  @Test
  void unknownMethodFailsAtPlanTimeWithTheKnownNames(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("u.yaml"), Files.readString(grid(dir, "u0.yaml", ""))
        .replace("methods: [reference-gt]", "methods: [maskprop, maskrcnn]"));
    ExperimentPlan plan = ExperimentPlan.expand(ExperimentGrid.load(file));
    InputException e = assertThrows(InputException.class, () -> plan.validate(MethodRegistry.BUILT_IN));
    String msg = e.getMessage();
    assertTrue(msg.startsWith("grid test-grid: method maskrcnn is not registered (known: maskprop"), msg);
    for (String known : org.maskprop.infer.VideoMethods.names()) {
      assertTrue(msg.contains(known), known + " in " + msg);
    }
    assertTrue(msg.endsWith("reference-first-frame-copy, reference-gt)"), msg);
    assertFalse(msg.contains("\n"), msg);
    String text = plan.describe(MethodRegistry.BUILT_IN);
    assertTrue(text.contains("run p0-maskrcnn-valid  [cannot run: not registered; known: maskprop"), text);
    assertFalse(text.contains("run p0-maskprop-valid  [cannot run"), text);

    ExperimentPlan smoke = ExperimentPlan.expand(ExperimentGrid.load(GRIDS.resolve("smoke.yaml")));
    smoke.validate(MethodRegistry.BUILT_IN);
    assertFalse(smoke.describe(MethodRegistry.BUILT_IN).contains("cannot run"));
    assertEquals(List.of(Method.MASKPROP), smoke.grid().methods(), "smoke runs the model");
  }

  @Test
  void everyRegisteredVideoMethodGetsARunnerAndReferencesStayReferences() {
    for (String name : org.maskprop.infer.VideoMethods.names()) {
      MethodRunner r = MethodRegistry.BUILT_IN.runnerFor(Method.of(name), "g");
      assertTrue(r instanceof VideoMethodRunner, name);
      assertEquals(name, r.toString());
      assertFalse(Method.of(name).usesGroundTruth(), name);
    }
    for (Method ref : Method.REFERENCES) {
      assertTrue(MethodRegistry.BUILT_IN.runnerFor(ref, "g") instanceof ReferenceMethodRunner);
      assertTrue(ref.usesGroundTruth());
    }
  }

  private static void assertOneLine(Path file, String key) {
    InputException e = assertThrows(InputException.class,
        () -> ExperimentPlan.expand(ExperimentGrid.load(file)), file.toString());
    String msg = e.getMessage();
    assertTrue(msg.startsWith(file.toString() + ": "), msg);
    assertTrue(msg.contains(key), msg);
    assertFalse(msg.contains("\n"), msg);
  }

  /** A minimal valid grid on cpu-tiny with {@code extra} appended. */
  static Path grid(Path dir, String name, String extra) throws IOException {
    String text = """
        name: test-grid
        description: a test grid
        reproduces: smoke
        scale: synthvis
        base:
          preset: cpu-tiny
        methods: [reference-gt]
        data:
          synthvis: {preset: easy, videos: 2, frames: 3, size: 32x32}
        splits: [valid]
        """ + extra;
    return Files.writeString(dir.resolve(name), text);
  }
}
