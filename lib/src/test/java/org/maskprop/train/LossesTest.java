package org.maskprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskprop.ops.LossTerms;

class LossesTest {
  @Test
  void plainSumAndWeightedSumByHand() {
    try (NDManager m = NDManager.newBaseManager()) {
      LossTerms t = LossTerms.of("loss_a", m.create(1.5f)).with("loss_b", m.create(0.25f));
      Losses.Total plain = Losses.total(t);
      assertEquals(1.75f, plain.total().getFloat(), 0f);
      assertEquals(List.of("loss_a", "loss_b"), List.copyOf(plain.values().keySet()));
      Losses.Total w = Losses.total(t, Map.of("loss_a", 2.0, "loss_b", 4.0));
      assertEquals(4.0f, w.total().getFloat(), 0f); // 2 * 1.5 + 4 * 0.25
      assertEquals(DataType.FLOAT32, w.total().getDataType());
      assertEquals(1.0f, w.values().get("loss_b"), 0f);
    }
  }

  @Test
  void weightsMustMatchTermsExactly() {
    try (NDManager m = NDManager.newBaseManager()) {
      LossTerms t = LossTerms.of("loss_a", m.create(1f)).with("loss_b", m.create(1f));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Losses.total(t, Map.of("loss_a", 1.0, "loss_c", 1.0)));
      assertTrue(e.getMessage().contains("[loss_b]") && e.getMessage().contains("[loss_c]"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> Losses.total(LossTerms.empty()));
    }
  }
}
