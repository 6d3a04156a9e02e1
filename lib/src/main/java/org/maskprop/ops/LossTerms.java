package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named scalar losses of one forward pass, in insertion order (torchvision's loss dicts, STYLE.md
 * TV2). Unlike {@code dict.update}, {@link #merge} and {@link #with} refuse a name that is already
 * present, so two stages can never silently overwrite each other's term. Names come from {@link
 * LossNames}. Immutable: every operation returns a new instance; the arrays are shared.
 */
public final class LossTerms {
  private static final LossTerms EMPTY = new LossTerms(new LinkedHashMap<>());

  private final Map<String, NDArray> terms;

  private LossTerms(LinkedHashMap<String, NDArray> terms) {
    this.terms = Collections.unmodifiableMap(terms);
  }

  /** No terms (what every stage returns when not training). */
  public static LossTerms empty() {
    return EMPTY;
  }

  /** One term. */
  public static LossTerms of(String name, NDArray value) {
    return EMPTY.with(name, value);
  }

  /** These terms plus {@code name}; throws if {@code name} is already present. */
  public LossTerms with(String name, NDArray value) {
    if (name == null || value == null) {
      throw new IllegalArgumentException("LossTerms: null name or value (" + name + ")");
    }
    if (terms.containsKey(name)) {
      throw new IllegalArgumentException("LossTerms: duplicate loss '" + name + "'");
    }
    LinkedHashMap<String, NDArray> m = new LinkedHashMap<>(terms);
    m.put(name, value);
    return new LossTerms(m);
  }

  /** These terms followed by {@code other}'s; throws on the first name both contain. */
  public LossTerms merge(LossTerms other) {
    LossTerms out = this;
    for (Map.Entry<String, NDArray> e : other.terms.entrySet()) {
      out = out.with(e.getKey(), e.getValue());
    }
    return out;
  }

  /** Merges all, in order. */
  public static LossTerms mergeAll(List<LossTerms> parts) {
    LossTerms out = EMPTY;
    for (LossTerms p : parts) {
      out = out.merge(p);
    }
    return out;
  }

  /** Read-only name-to-array view, in insertion order. */
  public Map<String, NDArray> asMap() {
    return terms;
  }

  public NDArray get(String name) {
    NDArray v = terms.get(name);
    if (v == null) {
      throw new IllegalArgumentException("LossTerms: no loss '" + name + "' (have " + terms.keySet() + ")");
    }
    return v;
  }

  public boolean contains(String name) {
    return terms.containsKey(name);
  }

  public boolean isEmpty() {
    return terms.isEmpty();
  }

  public int size() {
    return terms.size();
  }

  /** Unweighted sum of all terms (a scalar); for tests and diagnostics, weighting is the trainer's. */
  public NDArray sum() {
    if (terms.isEmpty()) {
      throw new IllegalStateException("LossTerms.sum: no terms");
    }
    NDArray total = null;
    for (NDArray v : terms.values()) {
      total = total == null ? v : total.add(v);
    }
    return total;
  }

  @Override
  public String toString() {
    return "LossTerms" + terms.keySet();
  }
}
