package org.maskprop.model.backbone;

import ai.djl.ndarray.NDArray;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths of the torchvision fixtures made by lib/src/test/python/make_backbone_fixtures.py. */
final class BackboneFixtures {
  private BackboneFixtures() {}

  static Path resource(String name) {
    URL url = BackboneFixtures.class.getResource("/model/backbone/" + name);
    if (url == null) {
      throw new IllegalStateException("missing fixture /model/backbone/" + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** max |ours - ref| / max |ref|: the relative error of a whole feature map. */
  static double relativeError(NDArray ours, NDArray ref) {
    double diff = ours.sub(ref).abs().max().getFloat();
    double scale = ref.abs().max().getFloat();
    return diff / Math.max(scale, 1e-12);
  }
}
