package org.maskprop.model.detect;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.maskprop.ops.BoxCoder;
import org.maskprop.ops.Matcher;

/**
 * One box stage of the cascade (Cascade R-CNN, Cai and Vasconcelos 2018; detectron2 {@code
 * CascadeROIHeads} keeps these as parallel lists, D4): its own {@link BoxHead} and {@link
 * BoxPredictor}, its matcher IoU (0.5 / 0.6 / 0.7) and its box-coder weights ((10, 10, 5, 5), (20,
 * 20, 10, 10), (30, 30, 15, 15)). Input: pooled features {@code [R, C, S, S]}; output: class logits
 * {@code [R, K + 1]} and deltas {@code [R, 4]} or {@code [R, 4 (K + 1)]}.
 */
public final class StageHead extends AbstractBlock {
  private final BoxHead head;
  private final BoxPredictor predictor;
  private final double iou;
  private final BoxCoder coder;
  private final Matcher matcher;

  public StageHead(BoxHead head, BoxPredictor predictor, double iou, BoxCoder coder) {
    this.head = addChildBlock("box_head", head);
    this.predictor = addChildBlock("box_predictor", predictor);
    this.iou = iou;
    this.coder = coder;
    // detectron2 / torchvision ROI heads: IoU >= u foreground, below background, no low-quality matches
    this.matcher = new Matcher(new double[] {iou}, new int[] {Matcher.NEGATIVE, Matcher.POSITIVE}, false);
  }

  /** Box-coder weights of stage k (0-based) of the standard cascade: (10, 10, 5, 5) times k + 1. */
  public static BoxCoder standardCoder(int stage) {
    double f = stage + 1;
    return new BoxCoder(10 * f, 10 * f, 5 * f, 5 * f);
  }

  public double iou() {
    return iou;
  }

  public BoxCoder coder() {
    return coder;
  }

  public Matcher matcher() {
    return matcher;
  }

  public BoxPredictor predictor() {
    return predictor;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return predictor.forward(ps, head.forward(ps, inputs, training), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return predictor.getOutputShapes(head.getOutputShapes(inputShapes));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    head.initialize(manager, dataType, inputShapes);
    predictor.initialize(manager, dataType, head.getOutputShapes(inputShapes));
  }
}
