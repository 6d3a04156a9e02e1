package org.maskprop.model.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskprop.config.BackboneConfig;
import org.maskprop.config.BackboneConfig.Arch;
import org.maskprop.model.TorchvisionWeights;

/** Frozen stages get no gradient; frozen BatchNorm neither changes nor depends on the mode. */
class FreezingTest {
  private static final Shape INPUT = new Shape(2, 3, 48, 48);

  @Test
  void frozenStagesGetNoGradientAndTheRestDoes() {
    // frozenBatchNorm false: the unfrozen stages use trainable BatchNorm, the frozen ones FrozenBatchNorm
    FpnBackbone backbone = FpnBackbone.of(new BackboneConfig(Arch.R18, 8, false, 2, 8));
    try (NDManager manager = NDManager.newBaseManager()) {
      backbone.initialize(manager, DataType.FLOAT32, INPUT);
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(INPUT);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = manager.create(0f);
        for (NDArray p : backbone.features(ps, x, true).values()) {
          loss = loss.add(p.square().mean());
        }
        gc.backward(loss);
      }
      int frozen = 0;
      int trained = 0;
      for (Map.Entry<String, Parameter> e : TorchvisionWeights.parametersByKey(backbone).entrySet()) {
        String k = e.getKey();
        NDArray a = e.getValue().getArray();
        boolean inFrozenPart = k.startsWith("body.conv1.") || k.startsWith("body.bn1.")
            || k.startsWith("body.layer1.") || k.startsWith("body.layer2.");
        if (inFrozenPart) {
          frozen++;
          assertFalse(e.getValue().requiresGradient(), k);
          assertFalse(a.hasGradient(), k + " has a gradient");
        } else if (k.endsWith(".weight") && a.getShape().dimension() == 4) { // conv weights of layer3/4 and FPN
          trained++;
          assertTrue(a.hasGradient(), k + " has no gradient");
          assertTrue(a.getGradient().abs().sum().getFloat() > 0, k + " has a zero gradient");
        }
      }
      // stem: conv + 4 norm arrays; a unit: 2 convs + 2 x 4; layer2's first unit adds a 1x1 conv + 4
      assertEquals(5 + 2 * 10 + 2 * 10 + 5, frozen);
      // frozen stages use FrozenBatchNorm even though frozenBatchNorm is false; the others BatchNorm
      assertTrue(child(backbone.body(), "bn1") instanceof FrozenBatchNorm);
      assertTrue(child(child(backbone.body(), "layer2.1"), "bn2") instanceof FrozenBatchNorm);
      assertTrue(child(child(backbone.body(), "layer3.0"), "bn1") instanceof ai.djl.nn.norm.BatchNorm);
      assertTrue(trained > 10, "trained conv weights " + trained);
    }
  }

  private static ai.djl.nn.Block child(ai.djl.nn.Block block, String name) {
    return block.getChildren().stream().filter(p -> p.getKey().substring(2).equals(name))
        .findFirst().orElseThrow().getValue();
  }

  @Test
  void frozenBatchNormDoesNotChangeInTraining() {
    FpnBackbone backbone = FpnBackbone.of(new BackboneConfig(Arch.R50, 8, true, 0, 16));
    try (NDManager manager = NDManager.newBaseManager()) {
      backbone.initialize(manager, DataType.FLOAT32, INPUT);
      Map<String, Parameter> params = TorchvisionWeights.parametersByKey(backbone);
      // non-trivial statistics, so that the norm matters
      for (Map.Entry<String, Parameter> e : params.entrySet()) {
        NDArray a = e.getValue().getArray();
        if (e.getKey().endsWith("running_var")) {
          a.set(manager.randomUniform(0.5f, 1.5f, a.getShape()).toFloatArray());
        } else if (e.getKey().endsWith("running_mean")) {
          a.set(manager.randomNormal(0f, 0.2f, a.getShape(), DataType.FLOAT32).toFloatArray());
        }
      }
      Map<String, float[]> before = new HashMap<>();
      params.forEach((k, p) -> before.put(k, p.getArray().toFloatArray()));
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(INPUT);
      Map<String, NDArray> eval = backbone.features(ps, x, false);
      Map<String, NDArray> train = backbone.features(ps, x, true);
      Map<String, NDArray> train2 = backbone.features(ps, x.mul(3), true);
      eval.forEach((k, v) -> assertEquals(0.0, BackboneFixtures.relativeError(train.get(k), v), 1e-6, k));
      assertTrue(train2.get("p2").sub(train.get("p2")).abs().max().getFloat() > 0);
      params.forEach((k, p) -> org.junit.jupiter.api.Assertions.assertArrayEquals(
          before.get(k), p.getArray().toFloatArray(), k + " changed"));
    }
  }

  @Test
  void trainableBatchNormDoesUpdateItsStatisticsInTraining() {
    // the control for the test above: the same check fails for torch-style BatchNorm
    ResNet body = ResNet.builder().setArch(Arch.R18).optWidthDivisor(16).optFrozenBatchNorm(false).build();
    try (NDManager manager = NDManager.newBaseManager()) {
      body.initialize(manager, DataType.FLOAT32, INPUT);
      Parameter mean = TorchvisionWeights.parametersByKey(body).get("layer4.1.bn2.running_mean");
      float[] before = mean.getArray().toFloatArray();
      body.features(new ParameterStore(manager, false), manager.randomNormal(INPUT), true);
      float[] after = mean.getArray().toFloatArray();
      assertFalse(java.util.Arrays.equals(before, after), "running mean did not move");
    }
  }
}
