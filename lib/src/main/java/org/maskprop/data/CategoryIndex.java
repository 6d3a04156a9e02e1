package org.maskprop.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.maskprop.InputException;

/**
 * Contiguous class indices for the model: the dataset's category ids, sorted ascending, map to
 * {@code 1..C}; index 0 is the background. Sorting by id (not file order) makes the mapping a
 * property of the category set; for YouTube-VIS 2019 (ids 1..40) it is the identity. Inference maps
 * predicted indices back with {@link #categoryId}.
 */
public final class CategoryIndex {
  private final String source; // for messages
  private final int[] ids; // ids[k - 1] = category id of index k
  private final Map<Integer, Integer> indexById;

  private CategoryIndex(String source, int[] ids) {
    this.source = source;
    this.ids = ids;
    this.indexById = new HashMap<>(ids.length * 2);
    for (int k = 0; k < ids.length; k++) {
      indexById.put(ids[k], k + 1);
    }
  }

  /** The mapping of a dataset's categories. */
  public static CategoryIndex of(YtvisDataset dataset) {
    int[] ids = dataset.categories().stream().mapToInt(YtvisDataset.Category::id).sorted().toArray();
    return new CategoryIndex(dataset.source() == null ? "dataset" : dataset.source().toString(), ids);
  }

  /** The mapping of these category ids (duplicates are a programming error). */
  public static CategoryIndex ofIds(int... categoryIds) {
    int[] ids = categoryIds.clone();
    Arrays.sort(ids);
    for (int k = 1; k < ids.length; k++) {
      if (ids[k] == ids[k - 1]) {
        throw new IllegalArgumentException("duplicate category id " + ids[k]);
      }
    }
    return new CategoryIndex("categories", ids);
  }

  /** Number of classes C (background not counted). */
  public int size() {
    return ids.length;
  }

  /** The class index in {@code 1..C} of a category id. */
  public int indexOf(int categoryId) {
    Integer k = indexById.get(categoryId);
    if (k == null) {
      throw new InputException(source + ": category " + categoryId + ", field category_id: unknown category");
    }
    return k;
  }

  /** The category id of a class index in {@code 1..C}. */
  public int categoryId(int index) {
    if (index < 1 || index > ids.length) {
      throw new IndexOutOfBoundsException("class index " + index + " outside 1.." + ids.length);
    }
    return ids[index - 1];
  }

  /**
   * Checks that the model's class count (config {@code data.numClasses}) equals C.
   *
   * @throws InputException naming the config field and the dataset when they disagree
   */
  public void requireSize(int numClasses) {
    if (numClasses != ids.length) {
      throw new InputException(source + ": " + ids.length + " categories but config data.numClasses is "
          + numClasses);
    }
  }
}
