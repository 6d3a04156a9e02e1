package org.maskprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.maskprop.data.PairFixtures.ann;
import static org.maskprop.data.PairFixtures.rect;
import static org.maskprop.data.PairFixtures.rectMask;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.maskprop.InputException;
import org.maskprop.ops.BoxMode;
import org.maskprop.ops.Boxes;

class FrameTargetsTest {
  static final int H = 8;
  static final int W = 10;
  static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /**
   * Video 5, 3 frames, 8x10. Categories 20, 3, 7 (file order) -> indices 3, 1, 2.
   * <ul>
   *   <li>ann 11, category 7: rectangle x 2..4, y 1..3 in all frames -> box [2, 1, 5, 4]
   *   <li>ann 12, category 3: L shape (column x=7 rows 0..7 plus row 7 x 4..7) in frame 0; absent
   *       (null) in frame 1; empty mask in frame 2 -> only frame 0, box [4, 0, 8, 8]
   *   <li>ann 13, category 3, crowd: rectangle in all frames -> never a target
   *   <li>ann 14, category 20: absent in frame 0, single pixel (9, 7) in frames 1, 2 -> box [9, 7, 10, 8]
   * </ul>
   */
  static YtvisDataset dataset() {
    YtvisDataset.Video v = PairFixtures.video(5, H, W, 3);
    byte[] l = new byte[H * W];
    for (int y = 0; y < H; y++) {
      l[y * W + 7] = 1;
    }
    for (int x = 4; x <= 7; x++) {
      l[7 * W + x] = 1;
    }
    Rle lShape = Rle.encode(l, H, W);
    Rle box11 = rect(H, W, 2, 1, 5, 4);
    Rle pixel = rect(H, W, 9, 7, 10, 8);
    Rle crowd = rect(H, W, 0, 5, 3, 8);
    List<Rle> s12 = new ArrayList<>(Arrays.asList(lShape, null, Rle.empty(H, W)));
    List<Rle> s14 = new ArrayList<>(Arrays.asList(null, pixel, pixel));
    List<YtvisDataset.Annotation> anns = List.of(
        ann(11, v, 7, 0, List.of(box11, box11, box11)),
        ann(12, v, 3, 0, s12),
        ann(13, v, 3, 1, List.of(crowd, crowd, crowd)),
        ann(14, v, 20, 0, s14));
    return new YtvisDataset(null, null, null, List.of(v), PairFixtures.categories(20, 3, 7), anns);
  }

  static float[] boxesOf(FrameTargets t) {
    return t.boxes().tensor().toFloatArray();
  }

  @Test
  void frameZeroHasTheNonCrowdPresentInstances() {
    YtvisDataset d = dataset();
    CategoryIndex c = CategoryIndex.of(d);
    try (NDManager m = manager.newSubManager()) {
      FrameTargets t = FrameTargets.of(m, d, c, 5, 0);
      assertArrayEquals(new int[] {11, 12}, t.trackIds());
      assertArrayEquals(new float[] {2, 1, 5, 4, 4, 0, 8, 8}, boxesOf(t));
      assertArrayEquals(new long[] {2, 1}, t.classes().toLongArray()); // 7 -> 2, 3 -> 1
      assertEquals(DataType.INT64, t.classes().getDataType());
      assertEquals(new Shape(2, H, W), t.masks().getShape());
      assertEquals(DataType.UINT8, t.masks().getDataType());
      byte[] masks = t.masks().toByteArray();
      assertArrayEquals(rectMask(H, W, 2, 1, 5, 4), Arrays.copyOfRange(masks, 0, H * W));
      assertArrayEquals(d.annotations().get(1).segmentations().get(0).decode(),
          Arrays.copyOfRange(masks, H * W, 2 * H * W));
      assertEquals(H, t.height());
      assertEquals(W, t.width());
    }
  }

  @Test
  void absentAndEmptyMasksAreExcluded() {
    YtvisDataset d = dataset();
    CategoryIndex c = CategoryIndex.of(d);
    try (NDManager m = manager.newSubManager()) {
      for (int f : new int[] {1, 2}) { // ann 12 null in frame 1, empty in frame 2
        FrameTargets t = FrameTargets.of(m, d, c, 5, f);
        assertArrayEquals(new int[] {11, 14}, t.trackIds());
        assertArrayEquals(new float[] {2, 1, 5, 4, 9, 7, 10, 8}, boxesOf(t));
        assertArrayEquals(new long[] {2, 3}, t.classes().toLongArray());
        assertEquals(1, t.indexOf(14));
        assertEquals(-1, t.indexOf(12));
      }
    }
  }

  @Test
  void boxesFromMasksEqualTheXywhBoxesConvertedOnce() {
    YtvisDataset d = dataset();
    try (NDManager m = manager.newSubManager()) {
      FrameTargets t = FrameTargets.of(m, d, CategoryIndex.of(d), 5, 0);
      float[] xywh = new float[8];
      for (int i = 0; i < 2; i++) {
        double[] b = d.annotations().get(i).bboxes().get(0);
        for (int k = 0; k < 4; k++) {
          xywh[4 * i + k] = (float) b[k];
        }
      }
      Boxes converted = Boxes.of(m.create(xywh, new Shape(2, 4)), BoxMode.XYWH_ABS);
      assertArrayEquals(converted.tensor().toFloatArray(), boxesOf(t));
    }
  }

  @Test
  void frameWithoutInstancesGivesEmptyArrays() {
    YtvisDataset.Video v = PairFixtures.video(1, H, W, 1);
    YtvisDataset d = new YtvisDataset(null, null, null, List.of(v), PairFixtures.categories(1),
        List.of(ann(2, v, 1, 0, new ArrayList<>(Arrays.asList((Rle) null)))));
    try (NDManager m = manager.newSubManager()) {
      FrameTargets t = FrameTargets.of(m, d, CategoryIndex.of(d), 1, 0);
      assertEquals(0, t.size());
      assertEquals(new Shape(0, 4), t.boxes().tensor().getShape());
      assertEquals(new Shape(0), t.classes().getShape());
      assertEquals(new Shape(0, H, W), t.masks().getShape());
    }
  }

  @Test
  void constructorRejectsFieldsOfDifferentLengths() {
    try (NDManager m = manager.newSubManager()) {
      Boxes two = new Boxes(m.zeros(new Shape(2, 4)));
      NDArray cls2 = m.create(new long[] {1, 2});
      NDArray masks2 = m.zeros(new Shape(2, H, W), DataType.UINT8);
      new FrameTargets(two, cls2, masks2, new int[] {1, 2}, H, W); // consistent: no throw
      assertThrows(IllegalArgumentException.class,
          () -> new FrameTargets(two, cls2, masks2, new int[] {1}, H, W));
      assertThrows(IllegalArgumentException.class,
          () -> new FrameTargets(two, m.create(new long[] {1}), masks2, new int[] {1, 2}, H, W));
      assertThrows(IllegalArgumentException.class,
          () -> new FrameTargets(two, cls2, m.zeros(new Shape(3, H, W), DataType.UINT8), new int[] {1, 2}, H, W));
      assertThrows(IllegalArgumentException.class,
          () -> new FrameTargets(new Boxes(m.zeros(new Shape(1, 4))), cls2, masks2, new int[] {1, 2}, H, W));
      assertThrows(IllegalArgumentException.class, // masks of another frame size
          () -> new FrameTargets(two, cls2, masks2, new int[] {1, 2}, H, W + 1));
      assertThrows(IllegalArgumentException.class, // classes must be int64
          () -> new FrameTargets(two, m.create(new int[] {1, 2}), masks2, new int[] {1, 2}, H, W));
    }
  }

  @Test
  void categoryIndexIsContiguousBySortedId() {
    CategoryIndex c = CategoryIndex.of(dataset()); // ids 20, 3, 7 in file order
    assertEquals(3, c.size());
    assertEquals(1, c.indexOf(3));
    assertEquals(2, c.indexOf(7));
    assertEquals(3, c.indexOf(20));
    assertEquals(20, c.categoryId(3));
    assertEquals(3, c.categoryId(1));
    InputException e = assertThrows(InputException.class, () -> c.indexOf(4));
    assertEquals("dataset: category 4, field category_id: unknown category", e.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> c.categoryId(0));
    c.requireSize(3);
    assertThrows(InputException.class, () -> c.requireSize(40));
    // YouTube-VIS ids 1..40 map to themselves
    int[] ids = new int[40];
    Arrays.setAll(ids, i -> 40 - i);
    CategoryIndex y = CategoryIndex.ofIds(ids);
    for (int id = 1; id <= 40; id++) {
      assertEquals(id, y.indexOf(id));
    }
  }
}
