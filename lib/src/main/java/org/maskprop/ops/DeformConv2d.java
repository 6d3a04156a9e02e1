package org.maskprop.ops;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

/**
 * Deformable 2-D convolution (Dai et al. 2017; with a modulation mask, DCNv2, Zhu et al. 2019), with
 * the semantics of torchvision's {@code deform_conv2d}. The propagation branch (Sec. 4.2 of the paper)
 * uses it to warp instance features {@code g_t -> g_{t->t'}} with offsets predicted from
 * {@code f_t - f_t'}, at dilations 3, 6 and 12.
 *
 * <p>Output pixel {@code (oy, ox)}, kernel tap {@code (i, j)} of offset group {@code g} samples the
 * input at {@code y = oy*strideH - padH + i*dilationH + dy}, {@code x = ox*strideW - padW +
 * j*dilationW + dx}, with {@code (dy, dx)} at offset channels {@code g*2*kh*kw + 2*(i*kw + j)} and
 * {@code +1} (torchvision's layout: for each tap the pair (dy, dx)). Sampling is bilinear; a corner
 * pixel outside the map contributes 0 (so a sample with {@code y <= -1}, {@code y >= H},
 * {@code x <= -1} or {@code x >= W} is 0). The optional mask {@code [N, G*kh*kw, Ho, Wo]} multiplies
 * each sample.
 *
 * <p>Formulation (im2col with a bilinear gather): the input is laid out channels-last as a table of
 * rows {@code [N*H*W*G, C/G]}; for each of the four bilinear corners one row gather (an embedding
 * lookup) yields {@code [N*Ho*Wo*kh*kw*G, C/G]}, which is weighted by the corner's bilinear weight
 * and summed into the columns {@code [N, Ho*Wo, kh*kw*C]}; one matrix product with the weight gives
 * the output. Everything is engine ops, so autograd gives gradients to the input (through the gather),
 * to the offsets (through the bilinear weights), to the mask, the weight and the bias, on any device.
 */
public final class DeformConv2d extends AbstractBlock {

  private static final byte VERSION = 1;

  private final int filters;
  private final Shape kernel;
  private final Shape stride;
  private final Shape padding;
  private final Shape dilation;
  private final int groups;
  private final Parameter weight;
  private final Parameter bias;

  private DeformConv2d(Builder b) {
    super(VERSION);
    this.filters = b.filters;
    this.kernel = b.kernel;
    this.stride = b.stride;
    this.padding = b.padding;
    this.dilation = b.dilation;
    this.groups = b.groups;
    this.weight =
        addParameter(
            Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(new XavierInitializer())
                .build());
    this.bias =
        b.bias
            ? addParameter(
                Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build())
            : null;
  }

  /** Builder: {@code setFilters} and {@code setKernelShape} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Forward: {@code inputs = (x [N, C, H, W], offset [N, 2*G*kh*kw, Ho, Wo][, mask [N, G*kh*kw, Ho,
   * Wo]])} -> {@code [N, filters, Ho, Wo]}.
   */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    Device device = x.getDevice();
    NDArray w = store.getValue(weight, device, training);
    NDArray bv = bias == null ? null : store.getValue(bias, device, training);
    NDArray mask = inputs.size() > 2 ? inputs.get(2) : null;
    return new NDList(deformConv2d(x, inputs.get(1), mask, w, bv, stride, padding, dilation, groups));
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    long channels = inputShapes[0].get(1);
    weight.setShape(new Shape(filters, channels / groups).addAll(kernel));
    if (bias != null) {
      bias.setShape(new Shape(filters));
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {
      new Shape(
          in.get(0),
          filters,
          outSize(in.get(2), kernel.get(0), stride.get(0), padding.get(0), dilation.get(0)),
          outSize(in.get(3), kernel.get(1), stride.get(1), padding.get(1), dilation.get(1)))
    };
  }

  private static long outSize(long in, long k, long s, long p, long d) {
    return (in + 2 * p - (d * (k - 1) + 1)) / s + 1;
  }

  /**
   * Functional deformable convolution, torchvision's {@code deform_conv2d(input, offset, weight, bias,
   * stride, padding, dilation, mask)} with conv {@code groups}; offset groups {@code G = offset.size(1)
   * / (2*kh*kw)}. Temporaries live in a sub-manager; the result is attached to {@code input}'s manager.
   *
   * @param input {@code [N, C, H, W]}
   * @param offset {@code [N, 2*G*kh*kw, Ho, Wo]}, (dy, dx) per tap
   * @param mask {@code [N, G*kh*kw, Ho, Wo]} modulation, or null
   * @param weight {@code [Cout, C/groups, kh, kw]}
   * @param bias {@code [Cout]} or null
   * @return {@code [N, Cout, Ho, Wo]}
   */
  public static NDArray deformConv2d(
      NDArray input,
      NDArray offset,
      NDArray mask,
      NDArray weight,
      NDArray bias,
      Shape stride,
      Shape padding,
      Shape dilation,
      int groups) {
    Shape xs = input.getShape();
    Shape ws = weight.getShape();
    if (xs.dimension() != 4 || ws.dimension() != 4) {
      throw new IllegalArgumentException("deformConv2d: input " + xs + " and weight " + ws + " must be 4-D");
    }
    long n = xs.get(0);
    long c = xs.get(1);
    long h = xs.get(2);
    long w = xs.get(3);
    long cout = ws.get(0);
    int kh = (int) ws.get(2);
    int kw = (int) ws.get(3);
    long taps = (long) kh * kw;
    long ho = outSize(h, kh, stride.get(0), padding.get(0), dilation.get(0));
    long wo = outSize(w, kw, stride.get(1), padding.get(1), dilation.get(1));
    long p = ho * wo;
    Shape os = offset.getShape();
    if (os.dimension() != 4 || os.get(1) % (2 * taps) != 0 || os.get(0) != n || os.get(2) != ho || os.get(3) != wo) {
      throw new IllegalArgumentException(
          "deformConv2d: offset " + os + " must be [" + n + ", 2*G*" + taps + ", " + ho + ", " + wo + "]");
    }
    long g = os.get(1) / (2 * taps);
    if (c % g != 0 || c % groups != 0 || ws.get(1) * groups != c || cout % groups != 0) {
      throw new IllegalArgumentException(
          "deformConv2d: channels " + c + ", weight " + ws + ", groups " + groups + ", offset groups " + g + " disagree");
    }
    if (mask != null && !mask.getShape().equals(new Shape(n, g * taps, ho, wo))) {
      throw new IllegalArgumentException(
          "deformConv2d: mask " + mask.getShape() + " must be " + new Shape(n, g * taps, ho, wo));
    }
    long cg = c / g;
    DataType dt = input.getDataType();
    boolean recording = isRecording(input, offset, mask, weight, bias);
    try (NDManager sub = input.getManager().newSubManager()) {
      sub.tempAttachAll(input, offset, weight);
      if (mask != null) {
        sub.tempAttachAll(mask);
      }
      if (bias != null) {
        sub.tempAttachAll(bias);
      }
      // Sampling positions, ordered [N, P, taps, G] so that the gathered rows form the columns
      // [N, P, taps*C] with channel index g*cg + j, i.e. the input's channel order.
      NDArray off = offset.reshape(n, g, taps, 2, p); // [N, G, taps, 2, P]
      NDArray dy = off.get(":, :, :, 0, :").transpose(0, 3, 2, 1); // [N, P, taps, G]
      NDArray dx = off.get(":, :, :, 1, :").transpose(0, 3, 2, 1);
      NDArray baseY = // [1, P, taps, 1]: oy*s - pad + i*d
          sub.arange(0f, (float) ho, 1f, dt)
              .mul(stride.get(0))
              .sub(padding.get(0))
              .reshape(ho, 1, 1, 1)
              .add(sub.arange(0f, (float) kh, 1f, dt).mul(dilation.get(0)).reshape(1, kh, 1))
              .broadcast(ho, wo, kh, kw)
              .reshape(1, p, taps, 1);
      NDArray baseX =
          sub.arange(0f, (float) wo, 1f, dt)
              .mul(stride.get(1))
              .sub(padding.get(1))
              .reshape(wo, 1, 1)
              .add(sub.arange(0f, (float) kw, 1f, dt).mul(dilation.get(1)))
              .broadcast(ho, wo, kh, kw)
              .reshape(1, p, taps, 1);
      NDArray py = dy.add(baseY);
      NDArray px = dx.add(baseX);
      NDArray y0 = py.floor(); // floor has zero gradient: offsets learn through ly, lx
      NDArray x0 = px.floor();
      NDArray ly = py.sub(y0);
      NDArray lx = px.sub(x0);
      NDArray hy = ly.neg().add(1);
      NDArray hx = lx.neg().add(1);
      NDArray m = mask == null ? null : mask.reshape(n, g, taps, p).transpose(0, 3, 2, 1);
      NDArray y0i = y0.toType(DataType.INT64, false);
      NDArray x0i = x0.toType(DataType.INT64, false);
      // Row of (n, y, x, g) in the channels-last table: ((n*H + y)*W + x)*G + g.
      NDArray rowBase =
          sub.arange(0, n, 1, DataType.INT64).reshape(n, 1, 1, 1).mul(h * w * g)
              .add(sub.arange(0, g, 1, DataType.INT64).reshape(1, 1, 1, g));
      NDArray table = input.transpose(0, 2, 3, 1).reshape(n * h * w * g, cg); // [N*H*W*G, cg]
      NDArray cols = null; // [N*P*taps*G, cg]
      for (int a = 0; a < 2; a++) {
        NDArray yi = a == 0 ? y0i : y0i.add(1);
        NDArray wy = a == 0 ? hy : ly;
        for (int b = 0; b < 2; b++) {
          NDArray xi = b == 0 ? x0i : x0i.add(1);
          NDArray wx = b == 0 ? hx : lx;
          NDArray valid =
              yi.gte(0).logicalAnd(yi.lt(h)).logicalAnd(xi.gte(0)).logicalAnd(xi.lt(w)).toType(dt, false);
          NDArray wgt = wy.mul(wx).mul(valid); // [N, P, taps, G]
          if (m != null) {
            wgt = wgt.mul(m);
          }
          NDArray rows =
              yi.clip(0, h - 1).mul(w).add(xi.clip(0, w - 1)).mul(g).add(rowBase).reshape(-1);
          NDArray picked = table.getNDArrayInternal().embedding(rows, table, SparseFormat.DENSE).singletonOrThrow();
          if (!recording) {
            // No graph: accumulate in place, saving two passes over the 4 column buffers.
            picked.muli(wgt.reshape(-1, 1));
            if (cols == null) {
              cols = picked;
            } else {
              cols.addi(picked);
              picked.close();
            }
            continue;
          }
          NDArray term = picked.mul(wgt.reshape(-1, 1));
          picked.close();
          if (cols == null) {
            cols = term;
          } else {
            NDArray sum = cols.add(term);
            cols.close();
            term.close();
            cols = sum;
          }
        }
      }
      NDArray out;
      if (groups == 1) {
        NDArray wm = weight.transpose(0, 2, 3, 1).reshape(1, cout, taps * c); // [1, Cout, taps*C]
        NDArray colsT = cols.reshape(n, p, taps * c).transpose(0, 2, 1); // [N, taps*C, P] view
        out = wm.matMul(colsT); // [N, Cout, P]
      } else {
        long cgc = c / groups;
        long coutg = cout / groups;
        NDArray wm = // [1, groups, Coutg, taps*Cgc]
            weight.reshape(groups, coutg, cgc, taps).transpose(0, 1, 3, 2).reshape(1, groups, coutg, taps * cgc);
        NDArray colsG = // [N, groups, taps*Cgc, P]
            cols.reshape(n, p, taps, groups, cgc).transpose(0, 3, 2, 4, 1).reshape(n, groups, taps * cgc, p);
        out = wm.matMul(colsG).reshape(n, cout, p);
      }
      cols.close();
      out = out.reshape(n, cout, ho, wo);
      if (bias != null) {
        out = out.add(bias.reshape(1, cout, 1, 1));
      }
      return sub.ret(out);
    }
  }

  /**
   * True when autograd may record this call: some argument requires a gradient and, on the PyTorch
   * engine, grad mode is on (DJL turns it on only inside a GradientCollector).
   */
  private static boolean isRecording(NDArray... arrays) {
    boolean any = false;
    for (NDArray a : arrays) {
      any |= a != null && a.hasGradient();
    }
    if (!any) {
      return false;
    }
    return !(arrays[0] instanceof PtNDArray) || JniUtils.isGradMode();
  }

  /** Builder for {@link DeformConv2d}; defaults: stride 1, padding 0, dilation 1, groups 1, bias. */
  public static final class Builder {
    private int filters = -1;
    private Shape kernel;
    private Shape stride = new Shape(1, 1);
    private Shape padding = new Shape(0, 0);
    private Shape dilation = new Shape(1, 1);
    private int groups = 1;
    private boolean bias = true;

    private Builder() {}

    /** Output channels. */
    public Builder setFilters(int filters) {
      this.filters = filters;
      return this;
    }

    /** Kernel {@code (kh, kw)}. */
    public Builder setKernelShape(Shape kernel) {
      this.kernel = kernel;
      return this;
    }

    public Builder optStride(Shape stride) {
      this.stride = stride;
      return this;
    }

    public Builder optPadding(Shape padding) {
      this.padding = padding;
      return this;
    }

    public Builder optDilation(Shape dilation) {
      this.dilation = dilation;
      return this;
    }

    public Builder optGroups(int groups) {
      this.groups = groups;
      return this;
    }

    public Builder optBias(boolean bias) {
      this.bias = bias;
      return this;
    }

    /** Validates and builds. */
    public DeformConv2d build() {
      if (filters <= 0 || kernel == null || kernel.dimension() != 2) {
        throw new IllegalArgumentException("DeformConv2d needs filters > 0 and a 2-D kernel shape");
      }
      if (stride.dimension() != 2 || padding.dimension() != 2 || dilation.dimension() != 2 || groups <= 0) {
        throw new IllegalArgumentException("DeformConv2d: stride, padding, dilation must be 2-D, groups > 0");
      }
      return new DeformConv2d(this);
    }
  }
}
