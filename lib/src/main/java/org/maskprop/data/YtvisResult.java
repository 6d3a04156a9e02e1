package org.maskprop.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One entry of a results file in the official submission format: a predicted instance track of one
 * category with one score, and one RLE per frame of its video (null where absent). The list is
 * copied into an unmodifiable one (nulls allowed).
 */
public record YtvisResult(int videoId, int categoryId, double score, List<Rle> segmentations) {
  public YtvisResult {
    segmentations = Collections.unmodifiableList(new ArrayList<>(segmentations));
  }
}
