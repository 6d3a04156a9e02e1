package org.maskprop.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Gradient clipping by global norm with {@code torch.nn.utils.clip_grad_norm_} semantics: the total
 * norm is the L2 norm of the per-gradient L2 norms; every gradient is scaled in place by {@code
 * min(1, maxNorm / (total + 1e-6))}.
 */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * Clips {@code grads} in place and returns the total norm before clipping. {@code maxNorm <= 0}
   * disables clipping (the norm is still returned, for tracking).
   */
  public static float clipByGlobalNorm(List<NDArray> grads, double maxNorm) {
    if (grads.isEmpty()) {
      return 0f;
    }
    float total;
    try (NDManager tmp = grads.get(0).getManager().newSubManager()) {
      tmp.tempAttachAll(grads.toArray(NDArray[]::new));
      NDArray sq = null;
      for (NDArray g : grads) {
        NDArray n = g.norm(); // 0-d, as torch.norm(g, 2)
        NDArray n2 = n.mul(n); // 0-d float32 times itself stays float32
        sq = sq == null ? n2 : sq.add(n2);
      }
      total = (float) Math.sqrt(sq.getFloat());
    }
    if (maxNorm > 0) {
      float coef = (float) maxNorm / (total + 1e-6f);
      if (coef < 1f) { // torch multiplies by the clamped coefficient; 1 is the identity
        for (NDArray g : grads) {
          g.muli(coef); // in place: keeps float32
        }
      }
    }
    return total;
  }
}
