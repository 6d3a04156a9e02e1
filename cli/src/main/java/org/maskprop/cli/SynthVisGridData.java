package org.maskprop.cli;

import java.nio.file.Path;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;
import org.maskprop.experiments.DataProvider;
import org.maskprop.experiments.ExperimentGrid.SynthVisData;

/** Wires the SynthVIS generator (data-prep) into grid runs: the experiments module depends on lib only. */
final class SynthVisGridData implements DataProvider {
  private final boolean progress;

  SynthVisGridData(boolean progress) {
    this.progress = progress;
  }

  /** The generator spec of a grid's data block (valid/test: max(2, videos/4), as {@code maskprop synth}). */
  static SynthVisSpec spec(SynthVisData d) {
    return SynthVisSpec.of(SynthPreset.parse(d.preset()), d.videos(), null, null, d.frames(), d.size(), d.seed(),
        SynthVisSpec.DEFAULT_THREADS);
  }

  @Override
  public Path synthvis(SynthVisData data, Path dir) {
    // Regenerated on every grid run (seconds at grid sizes): the folder always matches the spec.
    SynthVis.generate(spec(data), dir, progress);
    return dir;
  }
}
