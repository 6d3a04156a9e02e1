package org.maskprop.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum and L2 weight decay exactly as {@code torch.optim.SGD} (dampening 0, nesterov
 * false): {@code d = g + wd * w}; {@code buf = d} on a parameter's first step, else {@code buf =
 * momentum * buf + d}; {@code w -= lr * buf}. Unlike DJL's {@code Sgd}, whose momentum lives in a
 * private map, the buffers are ours, keyed by parameter name, so a checkpoint can save and restore
 * them and a resumed run continues bit for bit (STYLE.md {@code train}).
 *
 * <p>One difference from torch: torch skips a parameter whose {@code .grad} is None (not reached by
 * this step's graph), while DJL hands us a zero gradient for it, so such a parameter still decays and
 * moves with its momentum. Parameters that never train should be frozen ({@code requiresGradient}
 * false); the {@link Trainer} skips those.
 *
 * <p>Call {@link #update} outside any gradient collector (the engine is then in no-grad mode and the
 * in-place update of a leaf is allowed). Buffers live in a sub-manager of the given parent.
 */
public final class OwnedSgd implements AutoCloseable {
  private final double momentum;
  private final double weightDecay;
  private final NDManager manager;
  private final Map<String, NDArray> buffers = new LinkedHashMap<>();

  public OwnedSgd(double momentum, double weightDecay, NDManager parent) {
    if (momentum < 0 || weightDecay < 0) {
      throw new IllegalArgumentException("OwnedSgd: momentum " + momentum + " and weight decay " + weightDecay
          + " must be >= 0");
    }
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.manager = parent.newSubManager();
  }

  /** One update of {@code weight} in place from {@code grad} (same shape) at learning rate {@code lr}. */
  public void update(String name, NDArray weight, NDArray grad, double lr) {
    NDArray buf = buffers.get(name);
    try (NDManager tmp = manager.newSubManager()) {
      // Temporaries land in the first input's manager: borrow every input so they all land in tmp.
      tmp.tempAttachAll(weight, grad);
      if (buf != null) {
        tmp.tempAttachAll(buf);
      }
      NDArray d = grad;
      if (weightDecay != 0) {
        d = grad.add(weight.mul(scalar(tmp, weightDecay))); // g + wd * w
      }
      if (momentum != 0) {
        if (buf == null) {
          buf = d.duplicate(); // torch: buf = clone(d) on the first step
          buf.attach(manager);
          buffers.put(name, buf);
        } else {
          buf.muli(scalar(tmp, momentum)).addi(d); // dampening 0
        }
        d = buf;
      }
      weight.subi(d.mul(scalar(tmp, lr)));
    }
  }

  // A float32 0-d array: a Java double would promote a 0-d float32 operand to float64 (DJL-NOTES.md).
  private static NDArray scalar(NDManager m, double v) {
    return m.create((float) v);
  }

  /** The momentum buffers by parameter name (read-only view; the arrays are owned by this optimizer). */
  public Map<String, NDArray> buffers() {
    return Collections.unmodifiableMap(buffers);
  }

  /** The buffers as a named list, for a checkpoint. */
  public NDList state() {
    NDList out = new NDList();
    for (Map.Entry<String, NDArray> e : buffers.entrySet()) {
      NDArray a = e.getValue();
      a.setName(e.getKey());
      out.add(a);
    }
    return out;
  }

  /** Replaces all buffers with copies of {@code state} (arrays named by parameter). */
  public void restore(NDList state) {
    buffers.values().forEach(NDArray::close);
    buffers.clear();
    for (NDArray a : state) {
      if (a.getName() == null) {
        throw new IllegalArgumentException("OwnedSgd.restore: unnamed momentum buffer");
      }
      NDArray copy = a.duplicate();
      copy.attach(manager);
      buffers.put(a.getName(), copy);
    }
  }

  public double momentum() {
    return momentum;
  }

  public double weightDecay() {
    return weightDecay;
  }

  @Override
  public void close() {
    buffers.clear();
    manager.close();
  }
}
