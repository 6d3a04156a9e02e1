package org.maskprop.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * A YouTube-VIS 2019 dataset split: videos, categories and (for splits with GT) annotations.
 *
 * <p>{@code source} is the JSON file it came from (null when built in memory), used in error
 * messages. {@code info} and {@code licenses} are passed through unchanged (may be null).
 * Reading, writing and validation: foundation issue (this class's static methods).
 */
public record YtvisDataset(
    Path source,
    JsonNode info,
    JsonNode licenses,
    List<Video> videos,
    List<Category> categories,
    List<Annotation> annotations) {

  /** One video: frame size, and one file name per frame relative to the image root. */
  public record Video(int id, int width, int height, int length, List<String> fileNames) {}

  public record Category(int id, String name, String supercategory) {}

  /**
   * One GT instance track. The three per-frame lists have one entry per frame of the video; an
   * entry is null where the instance is absent. {@code bboxes} entries are {@code [x, y, w, h]}.
   */
  public record Annotation(
      int id,
      int videoId,
      int categoryId,
      int iscrowd,
      int height,
      int width,
      List<Rle> segmentations,
      List<Double> areas,
      List<double[]> bboxes) {}
}
