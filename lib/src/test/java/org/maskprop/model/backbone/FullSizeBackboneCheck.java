package org.maskprop.model.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.maskprop.config.BackboneConfig;
import org.maskprop.config.BackboneConfig.Arch;
import org.maskprop.model.TorchvisionWeights;
import org.maskprop.model.TorchvisionWeights.AllowList;

/**
 * Local check at full size (not in CI: the fixtures are ~150 MB): torchvision resnet18 with
 * ImageNet-style keys and the maskrcnn_resnet50_fpn backbone, random weights and BN statistics.
 * Make the fixtures and run:
 * <pre>
 * /usr/bin/python3 lib/src/test/python/make_backbone_fixtures.py --full /tmp/backbone-full
 * mvn -o -B -q -pl lib test -Dtest=FullSizeBackboneCheck -Dmaskprop.fullFixtures=/tmp/backbone-full
 * </pre>
 */
@EnabledIfSystemProperty(named = "maskprop.fullFixtures", matches = ".+")
class FullSizeBackboneCheck {
  private final Path dir = Path.of(System.getProperty("maskprop.fullFixtures", "."));

  @Test
  void resnet18FromAnImagenetStateDict() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ResNet body = ResNet.builder().setArch(Arch.R18).build();
      Map<String, NDArray> io = TorchvisionWeights.readNpz(manager, dir.resolve("resnet18.io.npz"));
      body.initialize(manager, DataType.FLOAT32, io.get("input").getShape());
      TorchvisionWeights.load(dir.resolve("resnet18.weights.npz"), "", body, AllowList.imagenetClassifier());
      report("resnet18", body.features(new ParameterStore(manager, false), io.get("input"), false), io);
    }
  }

  @Test
  void maskRcnnResnet50FpnBackbone() {
    try (NDManager manager = NDManager.newBaseManager()) {
      FpnBackbone backbone = FpnBackbone.of(new BackboneConfig(Arch.R50, 256, true, 1, 1));
      Map<String, NDArray> io = TorchvisionWeights.readNpz(manager, dir.resolve("maskrcnn_resnet50_fpn.io.npz"));
      backbone.initialize(manager, DataType.FLOAT32, io.get("input").getShape());
      TorchvisionWeights.load(dir.resolve("maskrcnn_resnet50_fpn.weights.npz"), "backbone.", backbone,
          AllowList.strict());
      ParameterStore ps = new ParameterStore(manager, false);
      Map<String, NDArray> outs = new LinkedHashMap<>(backbone.body().features(ps, io.get("input"), false));
      outs.putAll(backbone.fpn().features(ps, new ArrayList<>(outs.values()), false));
      report("maskrcnn_resnet50_fpn", outs, io);
    }
  }

  private static void report(String name, Map<String, NDArray> ours, Map<String, NDArray> io) {
    Map<String, Double> err = new LinkedHashMap<>();
    for (String k : List.copyOf(ours.keySet())) {
      assertEquals(io.get(k).getShape(), ours.get(k).getShape(), k);
      err.put(k, BackboneFixtures.relativeError(ours.get(k), io.get(k)));
    }
    System.out.println(name + " full size, max |ours - torchvision| / max |torchvision|: " + err);
    err.forEach((k, v) -> assertTrue(v < TorchvisionEquivalenceTest.TOLERANCE, name + " " + k + " " + v));
  }
}
