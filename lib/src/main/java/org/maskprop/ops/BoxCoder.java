package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Box regression targets (R-CNN parametrisation, Girshick et al. 2014, App. C; torchvision {@code
 * BoxCoder}): for a proposal P and target G, {@code dx = wx (Gx - Px) / Pw}, {@code dy = wy (Gy -
 * Py) / Ph}, {@code dw = ww log(Gw / Pw)}, {@code dh = wh log(Gh / Ph)} with centres and sizes of
 * XYXY boxes (no +1). Decoding clamps dw, dh at {@code clip} before {@code exp}, so one bad delta
 * cannot create a huge box.
 */
public final class BoxCoder {
  /** torchvision's and detectron2's default clamp: log(1000 / 16). */
  public static final double DEFAULT_CLIP = Math.log(1000.0 / 16);

  private final double[] weights;
  private final double clip;

  /**
   * @param weights (wx, wy, ww, wh), e.g. (1, 1, 1, 1) for the RPN, (10, 10, 5, 5) for the first
   *     box head stage
   * @param clip upper bound of dw, dh before exp
   */
  public BoxCoder(double[] weights, double clip) {
    if (weights.length != 4) {
      throw new IllegalArgumentException("BoxCoder needs 4 weights (wx, wy, ww, wh), got " + weights.length);
    }
    this.weights = weights.clone();
    this.clip = clip;
  }

  /** With the default clip log(1000 / 16). */
  public BoxCoder(double... weights) {
    this(weights, DEFAULT_CLIP);
  }

  public double[] weights() {
    return weights.clone();
  }

  public double clip() {
    return clip;
  }

  /**
   * Regression targets that move {@code proposals} onto {@code targets}.
   *
   * @return {@code [N, 4]} (dx, dy, dw, dh)
   */
  public NDArray encode(Boxes targets, Boxes proposals) {
    NDManager m = proposals.tensor().getManager();
    try (NDManager scope = m.newSubManager()) {
      scope.tempAttachAll(targets.tensor(), proposals.tensor());
      NDList p = centreSize(proposals.tensor());
      NDList g = centreSize(targets.tensor());
      NDArray dx = g.get(0).sub(p.get(0)).div(p.get(2)).mul(weights[0]);
      NDArray dy = g.get(1).sub(p.get(1)).div(p.get(3)).mul(weights[1]);
      NDArray dw = g.get(2).div(p.get(2)).log().mul(weights[2]);
      NDArray dh = g.get(3).div(p.get(3)).log().mul(weights[3]);
      return scope.ret(NDArrays.stack(new NDList(dx, dy, dw, dh), 1));
    }
  }

  /**
   * Applies deltas to proposals.
   *
   * @param deltas {@code [N, 4k]}: k sets of (dx, dy, dw, dh) per proposal (class-specific heads)
   * @return {@code [N, 4k]} XYXY boxes
   */
  public NDArray decode(NDArray deltas, Boxes proposals) {
    long n = proposals.size();
    if (deltas.getShape().dimension() != 2 || deltas.getShape().get(0) != n || deltas.getShape().get(1) % 4 != 0) {
      throw new IllegalArgumentException(
          "BoxCoder.decode: deltas " + deltas.getShape() + " do not fit " + n + " proposals");
    }
    long k = deltas.getShape().get(1) / 4;
    try (NDManager scope = deltas.getManager().newSubManager()) {
      scope.tempAttachAll(deltas, proposals.tensor());
      NDList p = centreSize(proposals.tensor().toType(deltas.getDataType(), false));
      NDArray d = deltas.reshape(n, k, 4);
      NDArray px = p.get(0).expandDims(1); // [N, 1]
      NDArray py = p.get(1).expandDims(1);
      NDArray pw = p.get(2).expandDims(1);
      NDArray ph = p.get(3).expandDims(1);
      NDArray dx = d.get(":, :, 0").div(weights[0]);
      NDArray dy = d.get(":, :, 1").div(weights[1]);
      NDArray dw = d.get(":, :, 2").div(weights[2]).minimum(clip);
      NDArray dh = d.get(":, :, 3").div(weights[3]).minimum(clip);
      NDArray cx = dx.mul(pw).add(px);
      NDArray cy = dy.mul(ph).add(py);
      NDArray halfW = dw.exp().mul(pw).mul(0.5);
      NDArray halfH = dh.exp().mul(ph).mul(0.5);
      NDArray out = NDArrays.stack(new NDList(cx.sub(halfW), cy.sub(halfH), cx.add(halfW), cy.add(halfH)), 2);
      return scope.ret(out.reshape(n, 4 * k));
    }
  }

  /** Decodes one set of deltas per proposal into {@link Boxes}. */
  public Boxes decodeBoxes(NDArray deltas, Boxes proposals) {
    if (deltas.getShape().get(1) != 4) {
      throw new IllegalArgumentException("BoxCoder.decodeBoxes: expected [N, 4] deltas, got " + deltas.getShape());
    }
    return new Boxes(decode(deltas, proposals));
  }

  /** (centre x, centre y, width, height), each {@code [N]}. */
  private static NDList centreSize(NDArray xyxy) {
    NDArray w = xyxy.get(":, 2").sub(xyxy.get(":, 0"));
    NDArray h = xyxy.get(":, 3").sub(xyxy.get(":, 1"));
    NDArray cx = xyxy.get(":, 0").add(w.mul(0.5));
    NDArray cy = xyxy.get(":, 1").add(h.mul(0.5));
    return new NDList(cx, cy, w, h);
  }
}
