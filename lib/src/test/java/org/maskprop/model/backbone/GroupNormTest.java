package org.maskprop.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class GroupNormTest {

  @Test
  void normalisesEachGroupOfEachSampleByHand() {
    try (NDManager m = NDManager.newBaseManager()) {
      GroupNorm gn = new GroupNorm(4, 2);
      gn.initialize(m, DataType.FLOAT32, new Shape(2, 4, 1, 2));
      // sample 0, group 0 = channels 0,1 = {1, 3, 5, 7}: mean 4, biased var 5
      float[] x = {1, 3, 5, 7, /* group 1 */ 2, 2, 2, 2, /* sample 1 */ 0, 0, 0, 4, -1, 1, -1, 1};
      NDArray in = m.create(x, new Shape(2, 4, 1, 2));
      float[] y = gn.forward(new ParameterStore(m, false), new NDList(in), false).singletonOrThrow().toFloatArray();
      double s0 = Math.sqrt(5 + GroupNorm.EPSILON);
      double s2 = Math.sqrt(3 + GroupNorm.EPSILON); // {0,0,0,4}: mean 1, var (1+1+1+9)/4 = 3
      double s3 = Math.sqrt(1 + GroupNorm.EPSILON);
      float[] expected = {
        (float) (-3 / s0), (float) (-1 / s0), (float) (1 / s0), (float) (3 / s0),
        0, 0, 0, 0,
        (float) (-1 / s2), (float) (-1 / s2), (float) (-1 / s2), (float) (3 / s2),
        (float) (-1 / s3), (float) (1 / s3), (float) (-1 / s3), (float) (1 / s3)};
      assertArrayEquals(expected, y, 1e-5f);
    }
  }

  @Test
  void defaultGroupsDivideTheChannels() {
    assertEquals(32, GroupNorm.defaultGroups(256));
    assertEquals(8, GroupNorm.defaultGroups(16));
    assertEquals(1, GroupNorm.defaultGroups(1));
    assertEquals(0, 48 % GroupNorm.defaultGroups(48));
    assertThrows(IllegalArgumentException.class, () -> new GroupNorm(6, 4));
  }
}
