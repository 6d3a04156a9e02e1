package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the torchvision fixtures in {@code src/test/resources/ops/} (made by make_roi_nms_fixtures.py). */
final class Fixtures {
  private Fixtures() {}

  /** All arrays of {@code /ops/<name>.npz} by key (DJL's NDList.decode reads .npz). */
  static Map<String, NDArray> load(NDManager manager, String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/ops/" + name + ".npz")) {
      if (in == null) {
        throw new IllegalStateException("missing fixture /ops/" + name + ".npz");
      }
      NDList list = NDList.decode(manager, in);
      Map<String, NDArray> out = new LinkedHashMap<>();
      for (NDArray a : list) {
        String key = a.getName();
        if (key.endsWith(".npy")) {
          key = key.substring(0, key.length() - 4);
        }
        out.put(key, a);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
