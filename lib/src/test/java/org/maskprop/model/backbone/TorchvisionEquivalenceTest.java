package org.maskprop.model.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskprop.config.BackboneConfig;
import org.maskprop.config.BackboneConfig.Arch;
import org.maskprop.model.TorchvisionWeights;
import org.maskprop.model.TorchvisionWeights.AllowList;
import org.maskprop.model.TorchvisionWeights.ImportReport;

/**
 * Our ResNet + FPN with imported torchvision weights reproduce torchvision's C2..C5 and P2..P6
 * (fixtures from torchvision's own ResNet/FeaturePyramidNetwork code, reduced widths; see
 * make_backbone_fixtures.py). Input 72 x 56 is not a multiple of 32, so the top-down upsampling
 * meets odd sizes (3 -> 5 -> 9).
 */
class TorchvisionEquivalenceTest {
  static final double TOLERANCE = 1e-4;

  @Test
  void resnet18WithFrozenBatchNormAndFpnMatchTorchvision() {
    Map<String, Double> err = compare("r18w8-fpn16", new BackboneConfig(Arch.R18, 16, true, 0, 8));
    err.forEach((k, v) -> assertTrue(v < TOLERANCE, "r18w8 " + k + " relative error " + v));
  }

  @Test
  void resnext101GroupedWithBatchNormInEvalModeMatchesTorchvision() {
    Map<String, Double> err = compare("x101w16-fpn16", new BackboneConfig(Arch.X101_64X4D, 16, false, 0, 16));
    err.forEach((k, v) -> assertTrue(v < TOLERANCE, "x101w16 " + k + " relative error " + v));
  }

  /** Relative error of every output, c2..c5 then p2..p6. */
  static Map<String, Double> compare(String name, BackboneConfig config) {
    try (NDManager manager = NDManager.newBaseManager()) {
      FpnBackbone backbone = FpnBackbone.of(config);
      Map<String, NDArray> io = TorchvisionWeights.readNpz(manager, BackboneFixtures.resource(name + ".io.npz"));
      NDArray x = io.get("input");
      backbone.initialize(manager, DataType.FLOAT32, x.getShape());
      ImportReport report = TorchvisionWeights.load(BackboneFixtures.resource(name + ".weights.npz"),
          "backbone.", backbone, AllowList.strict());
      assertEquals(TorchvisionWeights.parametersByKey(backbone).size(), report.loaded().size());
      ParameterStore ps = new ParameterStore(manager, false);
      Map<String, NDArray> c = backbone.body().features(ps, x, false);
      Map<String, NDArray> p = backbone.fpn().features(ps, new ArrayList<>(c.values()), false);
      Map<String, Double> err = new LinkedHashMap<>();
      for (Map<String, NDArray> outs : java.util.List.of(c, p)) {
        outs.forEach((k, v) -> {
          assertEquals(io.get(k).getShape(), v.getShape(), k);
          err.put(k, BackboneFixtures.relativeError(v, io.get(k)));
        });
      }
      System.out.println(name + " relative errors " + err);
      return err;
    }
  }
}
