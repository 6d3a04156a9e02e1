package org.maskprop.infer.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear backward warping of masks by a dense flow field, in engine ops: {@code out_i(y, x) =
 * m_i(y + dy(y, x), x + dx(y, x))}, sampling between pixel centres bilinearly and reading 0 outside
 * the frame (what OpenCV's {@code remap} with {@code INTER_LINEAR} and a zero constant border does).
 * With the flow from {@code t'} to {@code t} this carries masks of frame {@code t} to {@code t'}.
 */
public final class BackwardWarp {
  private BackwardWarp() {}

  /**
   * @param masks {@code [n, H, W]} float
   * @param flow {@code [H, W, 2]} {@code (dx, dy)} in pixels
   * @return {@code [n, H, W]} float32 on {@code masks}' manager
   */
  public static NDArray warp(NDArray masks, NDArray flow) {
    Shape s = masks.getShape();
    if (s.dimension() != 3 || !flow.getShape().equals(new Shape(s.get(1), s.get(2), 2))) {
      throw new IllegalArgumentException("BackwardWarp: masks " + s + " and flow " + flow.getShape());
    }
    long n = s.get(0);
    int h = (int) s.get(1);
    int w = (int) s.get(2);
    try (NDManager sub = masks.getManager().newSubManager()) {
      sub.tempAttachAll(masks, flow);
      NDArray f = flow.toType(DataType.FLOAT32, false);
      NDArray sx = f.get(":, :, 0").add(sub.arange(0f, (float) w, 1f).reshape(1, w)); // [H, W]
      NDArray sy = f.get(":, :, 1").add(sub.arange(0f, (float) h, 1f).reshape(h, 1));
      NDArray x0 = sx.floor();
      NDArray y0 = sy.floor();
      NDArray lx = sx.sub(x0); // weight of the right neighbour
      NDArray ly = sy.sub(y0);
      NDArray x0i = x0.toType(DataType.INT64, false);
      NDArray y0i = y0.toType(DataType.INT64, false);
      NDArray flat = masks.toType(DataType.FLOAT32, false).reshape(n, (long) h * w); // [n, H*W]
      NDArray out = null;
      for (int a = 0; a < 2; a++) {
        NDArray yi = a == 0 ? y0i : y0i.add(1);
        NDArray wy = a == 0 ? ly.neg().add(1) : ly;
        for (int b = 0; b < 2; b++) {
          NDArray xi = b == 0 ? x0i : x0i.add(1);
          NDArray wx = b == 0 ? lx.neg().add(1) : lx;
          NDArray inside = yi.gte(0).logicalAnd(yi.lt(h)).logicalAnd(xi.gte(0)).logicalAnd(xi.lt(w));
          NDArray weight = wy.mul(wx).mul(inside.toType(DataType.FLOAT32, false)).reshape(1, (long) h * w);
          NDArray index = yi.clip(0, h - 1).mul(w).add(xi.clip(0, w - 1)).reshape(1, (long) h * w)
              .broadcast(n, (long) h * w); // [n, H*W] pixel read by each output pixel
          NDArray term = flat.gather(index, 1).mul(weight);
          out = out == null ? term : out.add(term);
        }
      }
      return sub.ret(out.reshape(n, h, w));
    }
  }
}
