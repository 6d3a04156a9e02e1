package org.maskprop.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RoIAlign (Mask R-CNN, He et al. 2017, Sec. 3) with the semantics of {@code
 * torchvision.ops.roi_align}, single- and multi-level (FPN).
 *
 * <p>Each output bin averages {@code gh x gw} bilinear samples at regularly spaced points of the
 * bin; {@code gh = samplingRatio}, or {@code ceil(roiHeight / outputHeight)} per RoI when it is 0.
 * With {@code aligned} the box is shifted by half a feature pixel so that sample (i + 0.5) hits
 * pixel centres. Boundary rule as torchvision: a sample with y &lt; -1 or y &gt; H (same for x)
 * contributes zero; y &lt;= 0 is read at 0; at y &gt;= H - 1 both rows are H - 1.
 *
 * <p>How it runs on the engine: every output value is a fixed linear combination of feature
 * pixels, out[r, c, bin] = sum_p S[(r, bin), p] F[p, c], with at most 4 gh gw non-zeros per bin.
 * The weights depend only on the boxes, so we build S as a sparse COO matrix with array ops (no
 * Java loop over boxes or pixels), lay the features out as a pixel-major table F, and do one
 * sparse x dense matmul. Autograd gives dF = S^T dOut, i.e. torchvision's backward scatter; boxes
 * get no gradient (as in torchvision).
 */
public final class RoiAlign {
  /** FPN level of a box of canonical size (FPN paper Eq. 1: k0 = 4 for 224 x 224). */
  public static final int CANONICAL_LEVEL = 4;

  public static final int CANONICAL_SCALE = 224;

  /** torchvision LevelMapper's eps, added before the floor. */
  public static final double LEVEL_EPS = 1e-6;

  /** Non-zeros of one sparse weight matrix (~12 bytes each plus temporaries); larger work is chunked. */
  static final long MAX_NNZ_PER_CHUNK = 1L << 23;

  private final long maxNnzPerChunk;

  private final int outputHeight;
  private final int outputWidth;
  private final int samplingRatio;
  private final boolean aligned;

  /**
   * @param samplingRatio samples per bin side; 0 = adaptive, {@code ceil(roi side / output side)}
   * @param aligned shift boxes by -0.5 feature pixel (detectron2 ROIAlignV2); false = Mask R-CNN's
   *     original convention (and torchvision MultiScaleRoIAlign's)
   */
  public RoiAlign(int outputHeight, int outputWidth, int samplingRatio, boolean aligned) {
    this(outputHeight, outputWidth, samplingRatio, aligned, MAX_NNZ_PER_CHUNK);
  }

  /** With a given chunk size (tests exercise the chunking with small values). */
  RoiAlign(int outputHeight, int outputWidth, int samplingRatio, boolean aligned, long maxNnzPerChunk) {
    if (outputHeight <= 0 || outputWidth <= 0 || samplingRatio < 0) {
      throw new IllegalArgumentException(
          "RoiAlign needs output size > 0 and samplingRatio >= 0, got "
              + outputHeight + "x" + outputWidth + ", " + samplingRatio);
    }
    this.outputHeight = outputHeight;
    this.outputWidth = outputWidth;
    this.samplingRatio = samplingRatio;
    this.aligned = aligned;
    this.maxNnzPerChunk = maxNnzPerChunk;
  }

  public int outputHeight() {
    return outputHeight;
  }

  public int outputWidth() {
    return outputWidth;
  }

  /**
   * Single-level RoIAlign, as {@code torchvision.ops.roi_align(features, rois, output, scale,
   * samplingRatio, aligned)}.
   *
   * @param features {@code [B, C, H, W]}
   * @param rois {@code [R, 5]}: batch index, x1, y1, x2, y2 in input-image coordinates
   * @param spatialScale feature pixels per image pixel (1 / stride)
   * @return {@code [R, C, outputHeight, outputWidth]}
   */
  public NDArray forward(NDArray features, NDArray rois, double spatialScale) {
    return forwardLevels(List.of(features), new double[] {spatialScale}, rois, null);
  }

  /**
   * Multi-level RoIAlign over FPN maps (torchvision {@code MultiScaleRoIAlign}): each box is pooled
   * from the level {@link #assignLevels} picks for it.
   *
   * @param features one {@code [B, C, H_l, W_l]} map per level, finest first
   * @param specs their strides, consecutive powers of two (e.g. 4, 8, 16, 32 for P2-P5)
   * @param rois {@code [R, 5]}: batch index, x1, y1, x2, y2 in input-image coordinates
   */
  public NDArray forward(List<NDArray> features, List<ShapeSpec> specs, NDArray rois) {
    if (features.size() != specs.size() || features.isEmpty()) {
      throw new IllegalArgumentException(
          "RoiAlign: " + features.size() + " feature maps but " + specs.size() + " shape specs");
    }
    int kMin = levelOfStride(specs.get(0).stride());
    double[] scales = new double[specs.size()];
    for (int i = 0; i < specs.size(); i++) {
      int k = levelOfStride(specs.get(i).stride());
      if (k != kMin + i) {
        throw new IllegalArgumentException(
            "RoiAlign: strides must be consecutive powers of two, got stride "
                + specs.get(i).stride() + " at position " + i);
      }
      scales[i] = 1.0 / specs.get(i).stride();
    }
    if (features.size() == 1) {
      return forwardLevels(features, scales, rois, null);
    }
    try (NDManager scope = rois.getManager().newSubManager()) {
      scope.tempAttachAll(rois);
      NDArray level = assignLevels(rois.get(":, 1:5"), kMin, kMin + features.size() - 1).sub(kMin);
      NDArray out = forwardLevels(features, scales, rois, level);
      return out;
    }
  }

  /** Multi-level RoIAlign on per-image boxes; the output rows follow the images' order. */
  public NDArray forward(List<NDArray> features, List<ShapeSpec> specs, List<Boxes> boxesPerImage) {
    NDArray rois = toRois(boxesPerImage);
    try {
      return forward(features, specs, rois);
    } finally {
      rois.close();
    }
  }

  /** {@code [R, 5]} rois (batch index, x1, y1, x2, y2) from per-image boxes. */
  public static NDArray toRois(List<Boxes> boxesPerImage) {
    if (boxesPerImage.isEmpty()) {
      throw new IllegalArgumentException("RoiAlign.toRois: no images");
    }
    NDManager manager = boxesPerImage.get(0).tensor().getManager();
    try (NDManager scope = manager.newSubManager()) {
      NDList parts = new NDList();
      for (int i = 0; i < boxesPerImage.size(); i++) {
        NDArray b = boxesPerImage.get(i).tensor();
        scope.tempAttachAll(b);
        parts.add(b.onesLike().get(":, 0:1").mul(i).concat(b, 1));
      }
      NDArray rois = NDArrays.concat(parts, 0);
      return scope.ret(rois);
    }
  }

  /**
   * FPN level of each box (FPN paper Eq. 1, torchvision LevelMapper): {@code floor(4 +
   * log2(sqrt(area) / 224) + 1e-6)} clamped to [kMin, kMax].
   *
   * @param boxes {@code [R, 4]} XYXY in image coordinates
   * @return {@code [R]} int64 levels in [kMin, kMax]
   */
  public static NDArray assignLevels(NDArray boxes, int kMin, int kMax) {
    try (NDManager scope = boxes.getManager().newSubManager()) {
      scope.tempAttachAll(boxes);
      NDArray area = boxes.get(":, 2").sub(boxes.get(":, 0")).mul(boxes.get(":, 3").sub(boxes.get(":, 1")));
      NDArray k = area.sqrt().div(CANONICAL_SCALE).log2().add(CANONICAL_LEVEL).add(LEVEL_EPS).floor();
      NDArray level = k.clip(kMin, kMax).toType(DataType.INT64, false);
      return scope.ret(level);
    }
  }

  private static int levelOfStride(int stride) {
    if (Integer.bitCount(stride) != 1) {
      throw new IllegalArgumentException("RoiAlign: stride " + stride + " is not a power of two");
    }
    return Integer.numberOfTrailingZeros(stride);
  }

  /**
   * Pools every roi from the level {@code level[r]} (null = all from level 0).
   *
   * @param features per level {@code [B, C, H_l, W_l]}, same B and C
   */
  private NDArray forwardLevels(List<NDArray> features, double[] scales, NDArray rois, NDArray level) {
    NDArray f0 = features.get(0);
    Shape s0 = f0.getShape();
    if (s0.dimension() != 4) {
      throw new IllegalArgumentException("RoiAlign: features must be [B, C, H, W], got " + s0);
    }
    if (rois.getShape().dimension() != 2 || rois.getShape().get(1) != 5) {
      throw new IllegalArgumentException("RoiAlign: rois must be [R, 5], got " + rois.getShape());
    }
    long batch = s0.get(0);
    long channels = s0.get(1);
    long numRois = rois.getShape().get(0);
    DataType dtype = f0.getDataType();
    NDManager outManager = f0.getManager();
    if (numRois == 0) {
      return outManager.zeros(new Shape(0, channels, outputHeight, outputWidth), dtype);
    }
    int numLevels = features.size();
    long[] heights = new long[numLevels];
    long[] widths = new long[numLevels];
    long[] bases = new long[numLevels];
    long rows = 0;
    for (int l = 0; l < numLevels; l++) {
      Shape s = features.get(l).getShape();
      if (s.dimension() != 4 || s.get(0) != batch || s.get(1) != channels) {
        throw new IllegalArgumentException(
            "RoiAlign: level " + l + " has shape " + s + ", expected [" + batch + ", " + channels + ", H, W]");
      }
      heights[l] = s.get(2);
      widths[l] = s.get(3);
      bases[l] = rows;
      rows += batch * heights[l] * widths[l];
    }
    try (NDManager scope = outManager.newSubManager()) {
      for (NDArray f : features) {
        scope.tempAttachAll(f);
      }
      scope.tempAttachAll(rois);
      if (level != null) {
        scope.tempAttachAll(level);
      }
      // Pixel-major table [rows, C]: row = base_l + b * H_l * W_l + y * W_l + x.
      NDList tables = new NDList();
      for (NDArray f : features) {
        tables.add(f.transpose(0, 2, 3, 1).reshape(-1, channels));
      }
      NDArray table = tables.size() == 1 ? tables.get(0) : NDArrays.concat(tables, 0);

      // Per-roi geometry [R], in the features' dtype (torchvision computes in the input dtype).
      NDArray r = rois.stopGradient().toType(dtype, false);
      NDArray lvl = level != null ? level : scope.zeros(new Shape(numRois), DataType.INT64);
      NDArray scale = scope.create(scales).toType(dtype, false).get(lvl);
      NDArray hArr = scope.create(heights).toType(dtype, false).get(lvl);
      NDArray wArr = scope.create(widths).toType(dtype, false).get(lvl);
      NDArray rowBase = scope.create(bases).get(lvl)
          .add(r.get(":, 0").toType(DataType.INT64, false).mul(scope.create(heights).get(lvl).mul(scope.create(widths).get(lvl))));
      double offset = aligned ? 0.5 : 0.0;
      NDArray startW = r.get(":, 1").mul(scale).sub(offset);
      NDArray startH = r.get(":, 2").mul(scale).sub(offset);
      NDArray roiW = r.get(":, 3").mul(scale).sub(offset).sub(startW);
      NDArray roiH = r.get(":, 4").mul(scale).sub(offset).sub(startH);
      if (!aligned) {
        roiW = roiW.maximum(1); // malformed rois are forced to 1 x 1, as torchvision
        roiH = roiH.maximum(1);
      }
      NDArray binH = roiH.div(outputHeight);
      NDArray binW = roiW.div(outputWidth);

      // Sample grid per roi: samplingRatio, or ceil(roi side / output side) when 0.
      int[] gh = new int[(int) numRois];
      int[] gw = new int[(int) numRois];
      if (samplingRatio > 0) {
        Arrays.fill(gh, samplingRatio);
        Arrays.fill(gw, samplingRatio);
      } else {
        gh = binH.ceil().toType(DataType.INT32, false).toIntArray();
        gw = binW.ceil().toType(DataType.INT32, false).toIntArray();
      }
      NDList perRoi = new NDList(startH, binH, hArr, startW, binW, wArr, rowBase);
      // Consecutive chunks of rois bound the sparse matrix's size (huge rois with adaptive sampling).
      NDList chunks = new NDList();
      long binsPerRoi = (long) outputHeight * outputWidth;
      int from = 0;
      long nnz = 0;
      for (int i = 0; i < numRois; i++) {
        long roiNnz = binsPerRoi * 4L * Math.max(gh[i], 0) * Math.max(gw[i], 0);
        if (i > from && nnz + roiNnz > maxNnzPerChunk) {
          chunks.add(poolChunk(scope, table, perRoi, gh, gw, from, i, numRois));
          from = i;
          nnz = 0;
        }
        nnz += roiNnz;
      }
      chunks.add(poolChunk(scope, table, perRoi, gh, gw, from, (int) numRois, numRois));
      NDArray result = chunks.size() == 1 ? chunks.get(0) : NDArrays.concat(chunks, 0); // [R * bins, C]
      NDArray out = result.reshape(numRois, outputHeight, outputWidth, channels).transpose(0, 3, 1, 2);
      return scope.ret(out);
    }
  }

  /**
   * Pools rois [from, to) into {@code [(to - from) * bins, C]}: builds the sparse weights of each
   * group of rois sharing a sample grid and multiplies once with the pixel table.
   *
   * @param perRoi [R] arrays: startH, binH, H, startW, binW, W (feature dtype), rowBase (int64)
   */
  private NDArray poolChunk(
      NDManager scope, NDArray table, NDList perRoi, int[] gh, int[] gw, int from, int to, long numRois) {
    long binsPerRoi = (long) outputHeight * outputWidth;
    long n = to - from;
    Map<Long, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = from; i < to; i++) {
      if (gh[i] > 0 && gw[i] > 0) { // an empty grid pools to zeros
        groups.computeIfAbsent(key(gh[i], gw[i]), k -> new ArrayList<>()).add(i);
      }
    }
    boolean whole = from == 0 && to == numRois && groups.size() == 1
        && groups.values().iterator().next().size() == n;
    NDList allIdx = new NDList();
    NDList allVal = new NDList();
    for (Map.Entry<Long, List<Integer>> g : groups.entrySet()) {
      int sh = (int) (g.getKey() >> 32);
      int sw = (int) (g.getKey() & 0xffffffffL);
      NDArray sel = whole ? null : TorchOwned.create(scope, toLongs(g.getValue()));
      NDArray localRoi = whole
          ? scope.arange((int) n).toType(DataType.INT64, false)
          : sel.sub(from);
      long m = localRoi.size();
      NDList ty = axisTaps(pick(perRoi.get(0), sel), pick(perRoi.get(1), sel), pick(perRoi.get(2), sel), outputHeight, sh);
      NDList tx = axisTaps(pick(perRoi.get(3), sel), pick(perRoi.get(4), sel), pick(perRoi.get(5), sel), outputWidth, sw);
      // Broadcast to [m, outH, outW, gh, 2, gw, 2]: rows are bins, columns table rows.
      NDArray yIdx = ty.get(0).reshape(m, outputHeight, 1, sh, 2, 1, 1);
      NDArray xIdx = tx.get(0).reshape(m, 1, outputWidth, 1, 1, sw, 2);
      NDArray wy = ty.get(1).reshape(m, outputHeight, 1, sh, 2, 1, 1);
      NDArray wx = tx.get(1).reshape(m, 1, outputWidth, 1, 1, sw, 2);
      NDArray width = pick(perRoi.get(5), sel).toType(DataType.INT64, false).reshape(m, 1, 1, 1, 1, 1, 1);
      NDArray base = pick(perRoi.get(6), sel).reshape(m, 1, 1, 1, 1, 1, 1);
      NDArray col = yIdx.mul(width).add(base).add(xIdx);
      NDArray val = wy.mul(wx).div((double) sh * sw); // average over the gh x gw samples
      NDArray bin = localRoi.mul(binsPerRoi).reshape(m, 1, 1)
          .add(scope.arange((int) binsPerRoi).toType(DataType.INT64, false).reshape(1, outputHeight, outputWidth))
          .reshape(m, outputHeight, outputWidth, 1, 1, 1, 1);
      allIdx.add(NDArrays.stack(new NDList(bin.broadcast(col.getShape()).flatten(), col.flatten()), 0));
      allVal.add(val.flatten());
    }
    long channels = table.getShape().get(1);
    if (allIdx.isEmpty()) {
      return scope.zeros(new Shape(n * binsPerRoi, channels), table.getDataType());
    }
    NDArray idx = allIdx.size() == 1 ? allIdx.get(0) : NDArrays.concat(allIdx, 1);
    NDArray val = allVal.size() == 1 ? allVal.get(0) : NDArrays.concat(allVal, 0);
    NDArray sparse = JniUtils.createSparseCoo(
        (PtNDArray) idx, (PtNDArray) val, new Shape(n * binsPerRoi, table.getShape().get(0)));
    return sparse.matMul(table);
  }

  /**
   * Bilinear taps along one axis for every (roi, bin, sample): the two pixel indices and their
   * weights, following torchvision's boundary rule.
   *
   * @param start {@code [n]} box start in feature pixels
   * @param bin {@code [n]} bin size in feature pixels
   * @param size {@code [n]} feature extent along this axis (H or W of the roi's level)
   * @return index {@code [n, bins, grid, 2]} int64 and weight {@code [n, bins, grid, 2]}
   */
  private static NDList axisTaps(NDArray start, NDArray bin, NDArray size, int bins, int grid) {
    NDManager m = start.getManager();
    DataType dtype = start.getDataType();
    long n = start.size();
    NDArray s3 = start.reshape(n, 1, 1);
    NDArray b3 = bin.reshape(n, 1, 1);
    NDArray size3 = size.reshape(n, 1, 1);
    NDArray p = m.arange(bins).toType(dtype, false).reshape(1, bins, 1);
    NDArray i = m.arange(grid).toType(dtype, false).add(0.5).reshape(1, 1, grid);
    // Same evaluation order as torchvision: (start + p * bin) + (i + .5) * bin / grid.
    NDArray y = s3.add(p.mul(b3)).add(i.mul(b3).div(grid)); // [n, bins, grid]
    NDArray valid = y.gte(-1.0).logicalAnd(y.lte(size3));
    y = NDArrays.where(valid, y, y.zerosLike()).maximum(0);
    NDArray low = y.floor();
    NDArray last = size3.sub(1).broadcast(low.getShape());
    NDArray atEdge = low.gte(last);
    low = NDArrays.where(atEdge, last, low);
    y = NDArrays.where(atEdge, low, y);
    NDArray high = NDArrays.where(atEdge, low, low.add(1));
    NDArray ly = y.sub(low);
    NDArray hy = ly.neg().add(1);
    NDArray validF = valid.toType(dtype, false);
    NDArray index = NDArrays.stack(new NDList(low, high), 3).toType(DataType.INT64, false);
    NDArray weight = NDArrays.stack(new NDList(hy.mul(validF), ly.mul(validF)), 3);
    return new NDList(index, weight);
  }

  private static NDArray pick(NDArray perRoi, NDArray sel) {
    return sel == null ? perRoi : perRoi.get(new NDIndex("{}", sel));
  }

  private static long key(int gh, int gw) {
    return ((long) gh << 32) | gw;
  }

  private static long[] toLongs(List<Integer> xs) {
    long[] out = new long[xs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = xs.get(i);
    }
    return out;
  }
}
