package org.maskprop.experiments;

import java.nio.file.Path;
import org.maskprop.experiments.ExperimentGrid.SynthVisData;

/**
 * Makes a grid's SynthVIS data: the experiments module depends on lib only, so the generator
 * (data-prep) is wired in by the CLI. YouTube-VIS roots need no provider: they are prepared
 * beforehand ({@code maskprop prepare}).
 */
@FunctionalInterface
public interface DataProvider {

  /**
   * Generates (or reuses, if it is already there with the same spec) {@code spec} under {@code dir}
   * and returns the root holding {@code <split>.json} and {@code <split>/JPEGImages}.
   */
  Path synthvis(SynthVisData spec, Path dir);

  /** For grids on YouTube-VIS only: any SynthVIS grid is an error. */
  DataProvider NONE = (spec, dir) -> {
    throw new org.maskprop.InputException("SynthVIS data " + spec.label()
        + ": no SynthVIS generator wired in here (run the grid through `maskprop experiment`)");
  };
}
