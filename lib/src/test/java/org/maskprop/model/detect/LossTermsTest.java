package org.maskprop.model.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskprop.ops.LossNames;
import org.maskprop.ops.LossTerms;

class LossTermsTest {
  @Test
  void mergeKeepsOrderAndRefusesDuplicates() {
    try (NDManager m = NDManager.newBaseManager()) {
      LossTerms a = LossTerms.of(LossNames.RPN_OBJECTNESS, m.create(1f)).with(LossNames.RPN_BOX_REG, m.create(2f));
      LossTerms b = LossTerms.of(LossNames.cls(0), m.create(3f));
      LossTerms ab = a.merge(b);
      assertEquals(List.of("loss_objectness", "loss_rpn_box_reg", "loss_cls_stage0"), List.copyOf(ab.asMap().keySet()));
      assertEquals(6f, ab.sum().getFloat());
      assertThrows(IllegalArgumentException.class, () -> ab.merge(b));
      assertThrows(IllegalArgumentException.class, () -> a.with(LossNames.RPN_BOX_REG, m.create(0f)));
      assertThrows(IllegalArgumentException.class, () -> ab.get("loss_mask"));
      assertEquals(2, a.size()); // a is unchanged by merges
    }
  }
}
