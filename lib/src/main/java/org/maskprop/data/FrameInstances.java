package org.maskprop.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.maskprop.ops.Boxes;

/**
 * The GT instances of one frame decoded on the Java side (row-major 0/1 masks, XYXY_ABS boxes),
 * before they become tensors: decoding, resizing and flipping happen here so that a prefetch thread
 * can prepare a batch without touching the engine, and {@link #toTargets} makes three NDArrays.
 *
 * <p>Included: annotations of the video whose segmentation in this frame is non-null with a
 * non-empty mask, and {@code iscrowd == 0}. Crowd annotations are left out of the targets entirely,
 * as detectron2's {@code DatasetMapper} drops them for training: our matchers have no ignore label
 * for crowd regions, and the propagation loss has no meaning for them (YouTube-VIS 2019 train marks
 * no instance as crowd). A frame where an instance is absent simply has no entry for it.
 *
 * <p>Boxes come from the mask ({@link Rle#toBbox}, pycocotools' tight box, {@code [x, y, w, h]}
 * converted to XYXY here, once); the JSON {@code bboxes} field is not read, so masks and boxes
 * cannot disagree.
 */
public record FrameInstances(int height, int width, int[] trackIds, int[] classes, byte[][] masks, float[][] boxes) {
  public FrameInstances {
    int n = trackIds.length;
    if (classes.length != n || masks.length != n || boxes.length != n) {
      throw new IllegalArgumentException("instance fields disagree in length: " + n + " track ids, "
          + classes.length + " classes, " + masks.length + " masks, " + boxes.length + " boxes");
    }
    for (int i = 0; i < n; i++) {
      if (masks[i].length != height * width || boxes[i].length != 4) {
        throw new IllegalArgumentException("instance " + trackIds[i] + ": mask of " + masks[i].length
            + " pixels for " + height + "x" + width + ", box of " + boxes[i].length + " values");
      }
    }
  }

  /** Number of instances N. */
  public int size() {
    return trackIds.length;
  }

  /** True when the annotation counts as a target instance of {@code frame} (see class comment). */
  static boolean isPresent(YtvisDataset.Annotation a, int frame) {
    if (a.iscrowd() != 0) {
      return false;
    }
    Rle r = a.segmentations().get(frame);
    return r != null && r.area() > 0;
  }

  /** The instances of {@code frame} among {@code annotations} (those of {@code video}), in order. */
  public static FrameInstances of(
      YtvisDataset.Video video, List<YtvisDataset.Annotation> annotations, int frame, CategoryIndex categories) {
    if (frame < 0 || frame >= video.length()) {
      throw new IndexOutOfBoundsException("frame " + frame + " of video " + video.id() + " with "
          + video.length() + " frames");
    }
    List<YtvisDataset.Annotation> present = new ArrayList<>();
    for (YtvisDataset.Annotation a : annotations) {
      if (a.videoId() == video.id() && isPresent(a, frame)) {
        present.add(a);
      }
    }
    int n = present.size();
    int[] ids = new int[n];
    int[] classes = new int[n];
    byte[][] masks = new byte[n][];
    float[][] boxes = new float[n][];
    for (int i = 0; i < n; i++) {
      YtvisDataset.Annotation a = present.get(i);
      Rle r = a.segmentations().get(frame);
      ids[i] = a.id();
      classes[i] = categories.indexOf(a.categoryId());
      masks[i] = r.decode();
      double[] b = r.toBbox(); // [x, y, w, h], pixel edges
      boxes[i] = new float[] {(float) b[0], (float) b[1], (float) (b[0] + b[2]), (float) (b[1] + b[3])};
    }
    return new FrameInstances(video.height(), video.width(), ids, classes, masks, boxes);
  }

  /** The instances under a resize/flip (masks by nearest neighbour, boxes exactly). */
  public FrameInstances transform(FrameTransform t) {
    if (t.inHeight() != height || t.inWidth() != width) {
      throw new IllegalArgumentException("transform expects " + t.inHeight() + "x" + t.inWidth()
          + " but the frame is " + height + "x" + width);
    }
    int n = size();
    byte[][] m = new byte[n][];
    float[][] b = new float[n][];
    for (int i = 0; i < n; i++) {
      m[i] = t.mask(masks[i]);
      b[i] = t.box(boxes[i]);
    }
    return new FrameInstances(t.outHeight(), t.outWidth(), trackIds, classes, m, b);
  }

  /** The same instances as tensors on {@code manager}. */
  public FrameTargets toTargets(NDManager manager) {
    int n = size();
    int plane = height * width;
    byte[] allMasks = new byte[n * plane];
    float[] allBoxes = new float[n * 4];
    long[] cls = new long[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(masks[i], 0, allMasks, i * plane, plane);
      System.arraycopy(boxes[i], 0, allBoxes, i * 4, 4);
      cls[i] = classes[i];
    }
    Boxes bx = new Boxes(manager.create(allBoxes, new Shape(n, 4)));
    return new FrameTargets(
        bx,
        manager.create(cls, new Shape(n)),
        manager.create(ByteBuffer.wrap(allMasks), new Shape(n, height, width), DataType.UINT8),
        trackIds,
        height,
        width);
  }
}
