package org.maskprop.experiments;

import java.util.Map;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.experiments.ExperimentGrid.SynthVisData;

/**
 * One point of an expanded grid: the axis values (key -> value as {@code --set} writes it), the
 * resolved config (base + axis values), the SynthVIS spec at this point (null for YouTube-VIS) and
 * a short label ({@code R101}, {@code clipLength=5, preset=blur}; empty without axes).
 */
public record GridPoint(int index, Map<String, String> values, MaskPropConfig config, SynthVisData synthvis,
    String label) {
  public GridPoint {
    values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
  }
}
