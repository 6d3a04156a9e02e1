package org.maskprop.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Attaching arrays to a scope once each. Records often share an array (f_t and f_t' when t' = t, a
 * box tensor in two records), and attaching one array twice to a scope breaks DJL's bookkeeping
 * (the second temporary attach records the scope itself as the array's home). Nulls are skipped.
 */
public final class Scopes {
  private Scopes() {}

  /** Temporarily attaches each distinct array: it returns to its own manager when the scope closes. */
  public static void tempAttachOnce(NDManager scope, NDArray... arrays) {
    for (NDArray a : distinct(arrays)) {
      scope.tempAttachAll(a);
    }
  }

  /** Attaches each distinct array for good: it is closed with the scope. */
  public static void attachOnce(NDManager scope, NDArray... arrays) {
    for (NDArray a : distinct(arrays)) {
      scope.attachAll(a);
    }
  }

  private static Set<NDArray> distinct(NDArray... arrays) {
    Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (NDArray a : arrays) {
      if (a != null) {
        seen.add(a);
      }
    }
    return seen;
  }
}
