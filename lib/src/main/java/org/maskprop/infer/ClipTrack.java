package org.maskprop.infer;

import java.util.List;

/**
 * A clip-level track (Sec. 4.3): one instance detected in centre frame {@code t}, propagated to
 * frames {@code t-k..t+k} of its clip, truncated at the video ends.
 *
 * <p>Masks are soft (values in [0, 1]) at the video's working resolution {@code height x width},
 * one row-major {@code float[height * width]} per frame of the clip: {@code masks[i]} is frame
 * {@code firstFrame + i}. They are Java arrays rather than NDArrays so a track outlives the model's
 * per-frame {@code NDManager} scopes without owning native memory (STYLE.md {@code infer}: results
 * leave a scope as Java arrays); the assigner copies the frames it needs into its own short scopes.
 * The working resolution may be smaller than the frame (for example the propagation head's P3 grid):
 * {@link VideoLevelAssigner} matches at the working resolution and upsamples only the final masks,
 * which keeps a 13 x 13 window of 720p tracks from costing gigabytes.
 *
 * <p>Class scores are a list of {@code (category, score)}: one entry for a detector that keeps one
 * class per box, or a full vector over the C categories; a missing category counts as score 0
 * when averaged. The list is copied and the arrays are owned by the record (not copied: the
 * caller must not change them afterwards).
 *
 * @param centreFrame {@code t}, the frame the instance was detected in
 * @param firstFrame {@code max(0, t - k)}
 * @param height working-resolution height of every mask
 * @param width working-resolution width of every mask
 * @param masks {@code [clip frames][height * width]} soft masks
 * @param scores classification scores of the detection in frame {@code t}
 * @param box the detection's box in frame {@code t}, {@code [x1, y1, x2, y2]} frame pixels (kept
 *     for diagnostics; the assigner does not use it)
 */
public record ClipTrack(
    int centreFrame,
    int firstFrame,
    int height,
    int width,
    float[][] masks,
    List<CategoryScore> scores,
    float[] box) {
  public ClipTrack {
    if (firstFrame < 0 || firstFrame > centreFrame) {
      throw new IllegalArgumentException(
          "ClipTrack: firstFrame " + firstFrame + " not in [0, centreFrame " + centreFrame + "]");
    }
    if (masks.length <= centreFrame - firstFrame) {
      throw new IllegalArgumentException(
          "ClipTrack: " + masks.length + " mask frames from " + firstFrame
              + " do not reach centre frame " + centreFrame);
    }
    int area = Math.multiplyExact(height, width);
    for (int i = 0; i < masks.length; i++) {
      if (masks[i] == null || masks[i].length != area) {
        throw new IllegalArgumentException(
            "ClipTrack: mask of frame " + (firstFrame + i) + " is not " + height + "x" + width);
      }
    }
    if (box != null && box.length != 4) {
      throw new IllegalArgumentException("ClipTrack: box has " + box.length + " values, expected 4");
    }
    scores = List.copyOf(scores);
  }

  /** Last frame of the clip (inclusive). */
  public int lastFrame() {
    return firstFrame + masks.length - 1;
  }

  /** Whether the clip covers frame {@code f}. */
  public boolean covers(int f) {
    return f >= firstFrame && f <= lastFrame();
  }

  /** Soft mask at frame {@code f} ({@code [height * width]}), which the clip must cover. */
  public float[] maskAt(int f) {
    if (!covers(f)) {
      throw new IllegalArgumentException(
          "ClipTrack centred at " + centreFrame + " does not cover frame " + f);
    }
    return masks[f - firstFrame];
  }

  /** Score of {@code categoryId} (summed if listed twice; 0 if absent). */
  public double score(int categoryId) {
    double s = 0;
    for (CategoryScore c : scores) {
      if (c.categoryId() == categoryId) {
        s += c.score();
      }
    }
    return s;
  }
}
