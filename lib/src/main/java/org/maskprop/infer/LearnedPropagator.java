package org.maskprop.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import org.maskprop.model.VideoMaskRcnn;
import org.maskprop.model.propagation.PropagatedMasks;
import org.maskprop.util.Scopes;

/**
 * MaskProp's propagation step: {@link VideoMaskRcnn#propagate} on the cached P3 features of the two
 * frames (Sec. 4.2). When the P3 grid tiles the model input exactly, the branch's own grid masks are
 * the working-resolution masks; otherwise its frame-resolution masks are area-averaged onto the
 * cells that tile the frame ({@link WorkingGrid#cells}).
 */
final class LearnedPropagator implements MaskPropagator {
  private final VideoMaskRcnn model;
  private final ParameterStore ps;

  LearnedPropagator(VideoMaskRcnn model, ParameterStore ps) {
    this.model = model;
    this.ps = ps;
  }

  @Override
  public NDArray propagate(NDManager scope, WindowFrame t, WindowFrame tPrime, NDArray masksT, WorkingGrid grid) {
    PropagatedMasks p = model.propagate(ps, t.output(), tPrime.output(), masksT);
    // propagate attaches its results to t's P3 manager: move them here so they die with the scope
    Scopes.attachOnce(scope, p.masks(), p.gridMasks(), p.instanceProbabilities(), p.attention());
    return grid.exact() ? p.gridMasks() : grid.cells(p.masks()); // [n, h, w]
  }
}
