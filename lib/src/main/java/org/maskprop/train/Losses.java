package org.maskprop.train;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.maskprop.ops.LossTerms;
import org.maskprop.ops.TorchOwned;

/**
 * The scalar that backpropagates, from a model's {@link LossTerms}. The detector applies its stage
 * weights inside (cascade stage weights, the propagation loss weight), so the trainer's default is
 * the plain sum; {@link #total(LossTerms, Map)} multiplies by explicit weights and fails on the
 * first step if a term has no weight or a weight names no term (STYLE.md {@code train}).
 */
public final class Losses {
  private Losses() {}

  /** The total loss and each term's value copied out as a float (for hooks and tracking). */
  public record Total(NDArray total, Map<String, Float> values) {
    public Total {
      values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
  }

  /** Sum of all terms as they are. */
  public static Total total(LossTerms terms) {
    if (terms.isEmpty()) {
      throw new IllegalStateException("Losses.total: the model returned no loss terms");
    }
    Map<String, Float> values = new LinkedHashMap<>();
    terms.asMap().forEach((k, v) -> values.put(k, v.getFloat()));
    return new Total(terms.sum(), values);
  }

  /** {@code sum_k w_k * L_k}; every term needs a weight and every weight a term. */
  public static Total total(LossTerms terms, Map<String, Double> weights) {
    if (!terms.asMap().keySet().equals(weights.keySet())) {
      TreeSet<String> noWeight = new TreeSet<>(terms.asMap().keySet());
      noWeight.removeAll(weights.keySet());
      TreeSet<String> noTerm = new TreeSet<>(weights.keySet());
      noTerm.removeAll(terms.asMap().keySet());
      throw new IllegalArgumentException(
          "Losses.total: terms without a weight " + noWeight + ", weights without a term " + noTerm);
    }
    Map<String, Float> values = new LinkedHashMap<>();
    NDArray total = null;
    for (Map.Entry<String, NDArray> e : terms.asMap().entrySet()) {
      NDArray v = e.getValue();
      // a float32 0-d weight: mul(double) on a 0-d float32 array would give float64 (DJL-NOTES.md)
      NDArray w = v.mul(TorchOwned.scalar(v.getManager(), weights.get(e.getKey()).floatValue()));
      values.put(e.getKey(), w.getFloat());
      total = total == null ? w : total.add(w);
    }
    return new Total(total, values);
  }
}
