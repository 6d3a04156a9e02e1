package org.maskprop.infer;

/** A classification score of one category (dataset category id, not the model's class index). */
public record CategoryScore(int categoryId, double score) {
  public CategoryScore {
    if (!(score >= 0 && score <= 1)) {
      throw new IllegalArgumentException("CategoryScore: score " + score + " outside [0, 1]");
    }
  }
}
