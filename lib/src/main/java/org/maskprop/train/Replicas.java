package org.maskprop.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.maskprop.InputException;

/**
 * The data-parallel replicas of a model for {@link Trainer}: one {@link ParameterStore} per device
 * (DESIGN.md section 8: one clip per device, gradients combined across devices).
 *
 * <p>DJL's own multi-device path (one {@code ParameterStore} with a {@code ParameterServer}) keeps a
 * mirror of each parameter per device and lets the server sum the mirrors' gradients and run a DJL
 * optimizer; our optimizer is {@link OwnedSgd} (its state must be checkpointed) and a device may
 * appear twice (two replicas on the CPU, which is how this path is tested without GPUs), so each
 * replica gets its own store instead: replica 0 reads the weights themselves when they live on its
 * device, every other replica its own leaf copy of every parameter on its device, made up front. After the backward passes {@link #meanGradient}
 * averages a parameter's gradients onto the weights' device; after the update {@link
 * #zeroGradientsAndSync} zeroes every gradient and copies the updated weights into the copies.
 *
 * <p>Parameters without gradient (frozen weights, BatchNorm running statistics) are copied once,
 * at construction; statistics a trainable BatchNorm updates in a replica other than
 * the weights' own stay in that replica (the checkpoint holds replica 0's, as DJL's does). Replicas
 * run one after another on the trainer's thread. Not verified on a GPU here.
 */
public final class Replicas implements AutoCloseable {
  private final List<Device> devices;
  private final List<ParameterStore> stores = new ArrayList<>();
  private final List<NDManager> managers = new ArrayList<>();

  /**
   * Replicas of {@code block}'s parameters on {@code devices} (in order; repeats allowed), copies
   * under {@code parent}. Call outside any gradient collector (the copies must be leaves).
   */
  public Replicas(Block block, List<Device> devices, NDManager parent) {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("Replicas: no device");
    }
    this.devices = List.copyOf(devices);
    Device home = null;
    for (Pair<String, Parameter> e : block.getParameters()) {
      home = e.getValue().getArray().getDevice();
      break;
    }
    for (int r = 0; r < devices.size(); r++) {
      Device d = devices.get(r);
      NDManager m = parent.newSubManager(d);
      managers.add(m);
      if (r == 0 && (home == null || home.equals(d))) {
        stores.add(new ParameterStore(m, false)); // the weights themselves
      } else {
        stores.add(new CopyStore(m, copies(block, d, m)));
      }
    }
  }

  /**
   * A leaf copy of every parameter on {@code device}. Not {@code toDevice(device, true)}: on the
   * same device that returns the tensor itself (sharing its gradient), which is also why DJL's
   * {@code ParameterStore(manager, copy = true)} cannot replicate on one device.
   */
  private static Map<String, NDArray> copies(Block block, Device device, NDManager m) {
    Map<String, NDArray> out = new HashMap<>();
    for (Pair<String, Parameter> e : block.getParameters()) {
      Parameter p = e.getValue();
      NDArray w = p.getArray();
      NDArray c = w.getDevice().equals(device) ? w.duplicate() : w.toDevice(device, true);
      c.attach(m);
      if (p.requiresGradient()) {
        c.setRequiresGradient(true);
      }
      out.put(p.getId(), c);
    }
    return out;
  }

  /** A replica's store: its own copy of each parameter, whatever device the caller names. */
  private static final class CopyStore extends ParameterStore {
    private final Map<String, NDArray> copies;

    CopyStore(NDManager manager, Map<String, NDArray> copies) {
      super(manager, false);
      this.copies = copies;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
      if (parameter == null) {
        return null; // optional parameters, as DJL's store
      }
      NDArray c = copies.get(parameter.getId());
      if (c == null) {
        throw new IllegalStateException("Replicas: parameter " + parameter.getName() + " is not in the trained block");
      }
      return c;
    }
  }

  /**
   * {@code train.devices} as DJL devices: each name through {@link Device#fromName} ({@code cpu},
   * {@code gpu0}, ...); empty means every GPU of the host, else the CPU.
   *
   * @throws InputException naming the key and the value for an unknown device
   */
  public static List<Device> devices(List<String> names) {
    if (names.isEmpty()) {
      int gpus = Engine.getInstance().getGpuCount();
      List<Device> all = new ArrayList<>();
      for (int i = 0; i < gpus; i++) {
        all.add(Device.gpu(i));
      }
      return all.isEmpty() ? List.of(Device.cpu()) : all;
    }
    List<Device> out = new ArrayList<>();
    int gpus = Engine.getInstance().getGpuCount();
    for (String name : names) {
      Device d;
      try {
        d = Device.fromName(name.trim());
      } catch (RuntimeException e) {
        throw new InputException("config key 'train.devices': unknown device '" + name + "' (e.g. cpu, gpu0)");
      }
      if (!d.isGpu() && !Device.Type.CPU.equals(d.getDeviceType())) {
        throw new InputException("config key 'train.devices': unknown device '" + name + "' (e.g. cpu, gpu0)");
      }
      if (d.isGpu() && d.getDeviceId() >= gpus) {
        throw new InputException("config key 'train.devices': '" + name + "' but this host has " + gpus + " GPU(s)");
      }
      out.add(d);
    }
    return out;
  }

  public int size() {
    return devices.size();
  }

  public List<Device> devices() {
    return devices;
  }

  public Device device(int replica) {
    return devices.get(replica);
  }

  /** The parameter store replica {@code r}'s forward reads its weights from. */
  public ParameterStore store(int replica) {
    return stores.get(replica);
  }

  /**
   * The mean over replicas of the gradient of {@code p}, on the weights' device, attached to {@code
   * step}. With one replica sharing the weights this is the engine's own {@code .grad} (a handle on
   * it), so clipping it in place clips what the optimizer reads.
   */
  public NDArray meanGradient(Parameter p, NDManager step) {
    NDArray w = p.getArray();
    NDArray g = replicaArray(0, p).getGradient();
    g.attach(step);
    if (!g.getDevice().equals(w.getDevice())) {
      g = g.toDevice(w.getDevice(), true);
      g.attach(step);
    }
    for (int r = 1; r < size(); r++) {
      NDArray gr = replicaArray(r, p).getGradient();
      gr.attach(step);
      NDArray moved = gr.toDevice(w.getDevice(), false); // same array when already there
      moved.attach(step);
      g.addi(moved); // into replica 0's gradient: zeroed after the update anyway
    }
    if (size() > 1) {
      g.divi(step.create((float) size())); // float32 0-d divisor keeps float32
    }
    return g;
  }

  /**
   * Zeroes the gradient of every trainable parameter in every replica (the engine accumulates
   * them) and copies the updated weights into the replicas that hold copies. Outside any gradient
   * collector.
   */
  public void zeroGradientsAndSync(Block block, NDManager step) {
    for (Pair<String, Parameter> e : block.getParameters()) {
      Parameter p = e.getValue();
      if (!p.requiresGradient()) {
        continue;
      }
      NDArray w = p.getArray();
      for (int r = 0; r < size(); r++) {
        NDArray a = replicaArray(r, p);
        NDArray g = a.getGradient();
        g.attach(step);
        g.subi(g);
        if (a != w) {
          NDArray fresh = w.toDevice(a.getDevice(), true);
          fresh.attach(step);
          a.subi(a).addi(fresh); // in place: keeps the array (and its gradient) the replica's forward reads
        }
      }
    }
  }

  /**
   * Copies every parameter (trainable or not) into the replicas that hold copies: after weights
   * were loaded into the block in place (a resume, a weights-only load).
   */
  public void syncWeights(Block block) {
    try (NDManager tmp = managers.get(0).newSubManager()) {
      for (Pair<String, Parameter> e : block.getParameters()) {
        Parameter p = e.getValue();
        NDArray w = p.getArray();
        for (int r = 0; r < size(); r++) {
          NDArray a = replicaArray(r, p);
          if (a != w) {
            NDArray fresh = w.toDevice(a.getDevice(), true);
            fresh.attach(tmp);
            a.subi(a).addi(fresh);
          }
        }
      }
    }
  }

  private NDArray replicaArray(int r, Parameter p) {
    return stores.get(r).getValue(p, devices.get(r), true); // replica 0 on the home device: the weights
  }

  @Override
  public void close() {
    managers.forEach(NDManager::close);
  }
}
