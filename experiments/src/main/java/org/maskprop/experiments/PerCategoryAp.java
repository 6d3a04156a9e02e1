package org.maskprop.experiments;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.eval.YtvisEvaluator;
import org.maskprop.tracking.MlflowNames;

/**
 * AP of each category (the per-category bars of a report): the official evaluator's AP is the mean
 * over categories of each category's AP (IoU thresholds 0.5:0.95, area all, 100 detections), so a
 * category's AP is the evaluator's AP on the same GT restricted to that category (the evaluator
 * drops results and annotations of categories the GT does not list).
 */
public final class PerCategoryAp {
  /** Metric key prefix on child runs: {@code AP.<category name>}. */
  public static final String METRIC_PREFIX = "AP.";

  private PerCategoryAp() {}

  /** Category name -> AP (fraction), for the categories that have GT in {@code gt}, by category id. */
  public static Map<String, Double> of(YtvisDataset gt, List<YtvisResult> results) {
    Set<Integer> withGt = new TreeSet<>();
    gt.annotations().forEach(a -> withGt.add(a.categoryId()));
    Map<String, Double> ap = new LinkedHashMap<>();
    for (YtvisDataset.Category c : gt.categories()) {
      if (!withGt.contains(c.id())) {
        continue; // the evaluator leaves such a category out of the mean (-1)
      }
      YtvisDataset one = new YtvisDataset(gt.source(), gt.info(), gt.licenses(), gt.videos(), List.of(c),
          gt.annotations());
      ap.put(c.name(), YtvisEvaluator.evaluate(one, results).ap());
    }
    return ap;
  }

  /** The metric key of a category's AP (characters MLflow does not take in keys become '_'). */
  public static String metricKey(String categoryName) {
    String k = METRIC_PREFIX + categoryName.replaceAll("[^A-Za-z0-9_\\-. ]", "_");
    return k.length() > MlflowNames.MAX_KEY_LENGTH ? k.substring(0, MlflowNames.MAX_KEY_LENGTH) : k;
  }
}
