package org.maskprop.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskprop.config.BackboneConfig;
import org.maskprop.config.BackboneConfig.Arch;
import org.maskprop.model.TorchvisionWeights;

/** DJL's parameter files carry every array, including FrozenBatchNorm's statistics. */
class ParameterFileTest {
  @Test
  void saveThenLoadGivesTheSameFeatures() throws IOException, MalformedModelException {
    BackboneConfig config = new BackboneConfig(Arch.R18, 8, true, 1, 16);
    Shape in = new Shape(1, 3, 40, 40);
    try (NDManager manager = NDManager.newBaseManager()) {
      FpnBackbone a = FpnBackbone.of(config);
      a.initialize(manager, DataType.FLOAT32, in);
      for (Map.Entry<String, Parameter> e : TorchvisionWeights.parametersByKey(a).entrySet()) {
        if (e.getKey().endsWith("running_var")) {
          NDArray v = e.getValue().getArray();
          v.set(manager.randomUniform(0.5f, 1.5f, v.getShape()).toFloatArray());
        }
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      a.saveParameters(new DataOutputStream(bytes));
      FpnBackbone b = FpnBackbone.of(config);
      b.initialize(manager, DataType.FLOAT32, in);
      b.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(in);
      Map<String, NDArray> pa = a.features(ps, x, false);
      Map<String, NDArray> pb = b.features(ps, x, false);
      pa.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), pb.get(k).toFloatArray(), k));
    }
  }
}
