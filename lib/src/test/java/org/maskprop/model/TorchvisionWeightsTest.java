package org.maskprop.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.initializer.Initializer;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskprop.InputException;
import org.maskprop.config.BackboneConfig;
import org.maskprop.config.BackboneConfig.Arch;
import org.maskprop.model.TorchvisionWeights.AllowList;
import org.maskprop.model.TorchvisionWeights.ImportReport;
import org.maskprop.model.backbone.FpnBackbone;
import org.maskprop.model.backbone.ResNet;

/**
 * Name mapping against the key names and shapes of the real torchvision 0.14 state dicts
 * ({@code torchvision-keys.json}, written by make_backbone_fixtures.py; no weights), plus the
 * failure modes of the import.
 */
class TorchvisionWeightsTest {
  private static Map<String, Map<String, List<Long>>> keys;

  @BeforeAll
  static void readKeys() throws IOException {
    try (InputStream in = TorchvisionWeightsTest.class.getResourceAsStream("/model/backbone/torchvision-keys.json")) {
      keys = new ObjectMapper().readValue(in, new TypeReference<>() {});
    }
  }

  private static Map<String, Shape> shapes(String model) {
    Map<String, Shape> out = new LinkedHashMap<>();
    keys.get(model).forEach((k, v) -> out.put(k, new Shape(v.stream().mapToLong(Long::longValue).toArray())));
    return out;
  }

  /** Zero-initialised (fast: only shapes matter here) at a small input. */
  private static void initialize(Block block, NDManager manager) {
    block.setInitializer(Initializer.ZEROS, p -> true);
    block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
  }

  @ParameterizedTest
  @CsvSource({"resnet18, R18", "resnet50, R50", "resnet101, R101", "resnext101_64x4d, X101_64X4D"})
  void everyImagenetKeyMapsToAParameterOfTheSameShape(String model, Arch arch) {
    ResNet body = ResNet.builder().setArch(arch).build();
    try (NDManager manager = NDManager.newBaseManager()) {
      initialize(body, manager);
      Map<String, Shape> theirs = shapes(model);
      ImportReport r = TorchvisionWeights.check(theirs, model, "", body, AllowList.imagenetClassifier());
      assertEquals(List.of(), r.missing());
      assertEquals(List.of(), r.wrongShape());
      assertEquals(List.of("fc.weight", "fc.bias"), r.unexpected());
      long counters = theirs.keySet().stream().filter(k -> k.endsWith("num_batches_tracked")).count();
      assertEquals(counters, r.ignored().size());
      assertEquals(theirs.size() - 2 - counters, r.loaded().size());
      assertEquals(TorchvisionWeights.parametersByKey(body).size(), r.loaded().size());
      // the classifier is not allow-listed by default
      assertThrows(InputException.class, () -> TorchvisionWeights.check(theirs, model, "", body, AllowList.strict()));
    }
  }

  @Test
  void maskRcnnBackboneKeysMapToFpnBackbone() {
    FpnBackbone backbone = FpnBackbone.of(new BackboneConfig(Arch.R50, 256, true, 1, 1));
    try (NDManager manager = NDManager.newBaseManager()) {
      initialize(backbone, manager);
      Map<String, Shape> theirs = shapes("maskrcnn_resnet50_fpn");
      ImportReport r = TorchvisionWeights.check(theirs, "maskrcnn", "backbone.", backbone, AllowList.maskRcnnHeads());
      assertEquals(List.of(), r.missing());
      assertEquals(List.of(), r.wrongShape());
      assertTrue(r.unexpected().stream().allMatch(k -> k.startsWith("rpn.") || k.startsWith("roi_heads.")));
      assertEquals(TorchvisionWeights.parametersByKey(backbone).size(), r.loaded().size());
      assertTrue(r.loaded().contains("backbone.fpn.inner_blocks.0.0.weight"));
      assertTrue(r.loaded().contains("backbone.body.layer4.2.bn3.running_var"));
      // the same keys as torchvision < 0.13 wrote them (FPN convs without the ".0." level)
      Map<String, Shape> legacy = new LinkedHashMap<>();
      theirs.forEach((k, v) -> legacy.put(k.replaceAll("(_blocks\\.\\d+)\\.0\\.", "$1."), v));
      assertTrue(legacy.containsKey("backbone.fpn.layer_blocks.3.bias"));
      ImportReport old = TorchvisionWeights.check(legacy, "old", "backbone.", backbone, AllowList.maskRcnnHeads());
      assertEquals(r.loaded().size(), old.loaded().size());
    }
  }

  @Test
  void missingUnexpectedAndWronglyShapedNamesFailUnlessAllowed() {
    ResNet body = ResNet.builder().setArch(Arch.R18).optWidthDivisor(16).build();
    try (NDManager manager = NDManager.newBaseManager()) {
      initialize(body, manager);
      Map<String, NDArray> sd = new LinkedHashMap<>();
      TorchvisionWeights.parametersByKey(body).forEach((k, p) ->
          sd.put(k, manager.randomNormal(p.getArray().getShape())));
      sd.put("bn1.num_batches_tracked", manager.create(7L));
      ImportReport ok = TorchvisionWeights.load(sd, "sd", "", body, AllowList.strict());
      assertEquals(List.of("bn1.num_batches_tracked"), ok.ignored());
      assertArrayEquals(sd.get("layer3.0.conv2.weight").toFloatArray(),
          TorchvisionWeights.parametersByKey(body).get("layer3.0.conv2.weight").getArray().toFloatArray());

      Map<String, NDArray> missing = new LinkedHashMap<>(sd);
      missing.remove("layer2.0.downsample.1.running_var");
      InputException e = assertThrows(InputException.class,
          () -> TorchvisionWeights.load(missing, "w.npz", "", body, AllowList.strict()));
      assertTrue(e.getMessage().contains("w.npz") && e.getMessage().contains("missing layer2.0.downsample.1.running_var"),
          e.getMessage());
      TorchvisionWeights.load(missing, "w.npz", "", body, new AllowList(List.of("layer2.0.downsample."), List.of()));

      Map<String, NDArray> extra = new LinkedHashMap<>(sd);
      extra.put("layer5.0.conv1.weight", manager.zeros(new Shape(1)));
      e = assertThrows(InputException.class, () -> TorchvisionWeights.load(extra, "w.npz", "", body, AllowList.strict()));
      assertTrue(e.getMessage().contains("unexpected layer5.0.conv1.weight"), e.getMessage());

      Map<String, NDArray> wrong = new LinkedHashMap<>(sd);
      wrong.put("conv1.weight", manager.zeros(new Shape(4, 3, 3, 3)));
      e = assertThrows(InputException.class, () -> TorchvisionWeights.load(wrong, "w.npz", "", body, AllowList.strict()));
      assertTrue(e.getMessage().contains("wrong shape conv1.weight (4, 3, 3, 3)"), e.getMessage());
    }
  }

  @Test
  void unreadableFilesAreInputErrors(@TempDir Path dir) throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      Path none = dir.resolve("none.npz");
      assertTrue(assertThrows(InputException.class, () -> TorchvisionWeights.readNpz(manager, none))
          .getMessage().contains("none.npz"));
      Path junk = dir.resolve("w.pth");
      Files.writeString(junk, "PK not really a zip");
      assertTrue(assertThrows(InputException.class, () -> TorchvisionWeights.readNpz(manager, junk))
          .getMessage().contains("w.pth"));
    }
  }
}
