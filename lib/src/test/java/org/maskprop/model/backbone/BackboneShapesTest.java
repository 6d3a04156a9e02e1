package org.maskprop.model.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.maskprop.config.BackboneConfig;
import org.maskprop.config.BackboneConfig.Arch;
import org.maskprop.ops.ShapeSpec;

/** Output shapes and strides of every arch agree with outputShapes() and getOutputShapes(). */
class BackboneShapesTest {

  /** arch, widthDivisor, expected C2..C5 channels (paper channels / divisor). */
  @ParameterizedTest
  @CsvSource({
    "R18, 8, 8 16 32 64",
    "R50, 8, 32 64 128 256",
    "R101, 16, 16 32 64 128",
    "X101_64X4D, 16, 16 32 64 128",
  })
  void everyOutputHasTheAdvertisedChannelsAndStride(Arch arch, int divisor, String channels) {
    int[] want = java.util.Arrays.stream(channels.split(" ")).mapToInt(Integer::parseInt).toArray();
    int fpnChannels = 12;
    FpnBackbone backbone = FpnBackbone.of(new BackboneConfig(arch, fpnChannels, true, 0, divisor));
    int h = 38;
    int w = 45; // neither a multiple of 32: strides are ceil divisions all the way down
    try (NDManager manager = NDManager.newBaseManager()) {
      Shape in = new Shape(1, 3, h, w);
      backbone.initialize(manager, DataType.FLOAT32, in);
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(in);
      Map<String, NDArray> c = backbone.body().features(ps, x, false);
      Map<String, ShapeSpec> cSpec = backbone.body().outputShapes();
      assertEquals(ResNet.OUTPUTS, List.copyOf(c.keySet()));
      assertEquals(ResNet.OUTPUTS, List.copyOf(cSpec.keySet()));
      Shape[] cDeclared = backbone.body().getOutputShapes(new Shape[] {in});
      for (int i = 0; i < 4; i++) {
        String k = ResNet.OUTPUTS.get(i);
        int stride = 4 << i;
        assertEquals(new ShapeSpec(want[i], stride), cSpec.get(k), k);
        assertEquals(new Shape(1, want[i], ceilDiv(h, stride), ceilDiv(w, stride)), c.get(k).getShape(), k);
        assertEquals(c.get(k).getShape(), cDeclared[i], k);
      }
      Map<String, NDArray> p = backbone.features(ps, x, false);
      Map<String, ShapeSpec> pSpec = backbone.outputShapes();
      assertEquals(Fpn.OUTPUTS, List.copyOf(p.keySet()));
      assertEquals(Fpn.OUTPUTS, List.copyOf(pSpec.keySet()));
      Shape[] pDeclared = backbone.getOutputShapes(new Shape[] {in});
      for (int i = 0; i < 5; i++) {
        String k = Fpn.OUTPUTS.get(i);
        int stride = 4 << i; // 4, 8, 16, 32, 64
        assertEquals(new ShapeSpec(fpnChannels, stride), pSpec.get(k), k);
        assertEquals(new Shape(1, fpnChannels, ceilDiv(h, stride), ceilDiv(w, stride)), p.get(k).getShape(), k);
        assertEquals(p.get(k).getShape(), pDeclared[i], k);
      }
    }
  }

  /** Temporaries stay in the caller's scope: a capped model manager throws if anything lands in it. */
  @ParameterizedTest
  @CsvSource({"true, false", "true, true", "false, true"})
  void forwardAttachesNothingToTheModelManager(boolean frozenBatchNorm, boolean training) {
    FpnBackbone backbone = FpnBackbone.of(new BackboneConfig(Arch.R50, 8, frozenBatchNorm, 1, 16));
    Shape in = new Shape(1, 3, 40, 40);
    try (NDManager model = NDManager.newBaseManager()) {
      backbone.initialize(model, DataType.FLOAT32, in);
      model.cap();
      ParameterStore ps = new ParameterStore(model, false);
      try (NDManager frame = NDManager.newBaseManager()) {
        Map<String, NDArray> p = backbone.features(ps, frame.randomNormal(in), training);
        for (NDArray a : p.values()) {
          assertEquals(frame, a.getManager());
        }
      }
    }
  }

  @Test
  void builderRejectsWhatItCannotBuild() {
    assertThrows(IllegalArgumentException.class, () -> ResNet.builder().build());
    assertThrows(IllegalArgumentException.class, () -> ResNet.builder().setArch(Arch.R50).optWidthDivisor(3).build());
    assertThrows(IllegalArgumentException.class, () -> ResNet.builder().setArch(Arch.R50).optFrozenStages(5).build());
    assertThrows(IllegalArgumentException.class, () -> Fpn.builder().setOutChannels(8).build());
    assertThrows(IllegalArgumentException.class, () -> Fpn.builder().setOutChannels(8)
        .setInputShapes(Map.of("c2", new ShapeSpec(8, 4), "c3", new ShapeSpec(8, 16))).build());
  }

  @Test
  void nearestUpsamplingIsTorchsForOddSizes() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // torch: interpolate(size=5, mode="nearest") of 3 values takes source floor(i * 3 / 5) = 0 0 1 1 2
      NDArray x = manager.create(new float[] {1, 2, 3}, new Shape(1, 1, 1, 3));
      NDArray up = Fpn.upsampleNearest(x, new Shape(1, 1, 2, 5));
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          new float[] {1, 1, 2, 2, 3, 1, 1, 2, 2, 3}, up.toFloatArray());
      assertThrows(IllegalArgumentException.class, () -> Fpn.upsampleNearest(x, new Shape(1, 1, 2, 7)));
    }
  }

  private static long ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
