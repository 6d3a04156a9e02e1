package org.maskprop.model.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Transposed convolution with a 2x2 kernel and stride 2 ({@code nn.ConvTranspose2d(C, O, 2, 2)}),
 * which DJL's PyTorch engine does not implement ({@code deconvolution} throws). With stride equal to
 * the kernel the output windows do not overlap, so it is one matmul: {@code out[n, o, 2i + a, 2j +
 * b] = sum_c x[n, c, i, j] W[c, o, a, b] + bias[o]}. Parameters {@code weight} {@code [C, O, 2, 2]}
 * (torch's layout) and {@code bias} {@code [O]}.
 */
public final class ConvTranspose2x2 extends AbstractBlock {
  private final Parameter weight;
  private final Parameter bias;
  private final int filters;

  public ConvTranspose2x2(int filters) {
    this.filters = filters;
    weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build());
    bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build());
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    weight.setShape(new Shape(inputShapes[0].get(1), filters, 2, 2));
    bias.setShape(new Shape(filters));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // [N, C, H, W]
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    NDArray wt = ps.getValue(weight, x.getDevice(), training); // [C, O, 2, 2]
    NDArray b = ps.getValue(bias, x.getDevice(), training); // [O]
    NDArray rows = x.transpose(0, 2, 3, 1).reshape(n * h * w, c); // [N H W, C]
    NDArray w2 = wt.reshape(c, filters * 4L);
    w2.attach(x.getManager()); // an op's output joins its first input's manager: keep it out of the parameters'
    NDArray y = rows.matMul(w2); // [N H W, O 2 2]
    y = y.reshape(n, h, w, filters, 2, 2).transpose(0, 3, 1, 4, 2, 5).reshape(n, filters, 2 * h, 2 * w);
    NDArray b2 = b.reshape(1, filters, 1, 1);
    b2.attach(x.getManager());
    return new NDList(y.add(b2));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), filters, 2 * s.get(2), 2 * s.get(3))};
  }
}
