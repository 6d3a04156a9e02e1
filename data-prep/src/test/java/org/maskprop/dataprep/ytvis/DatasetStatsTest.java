package org.maskprop.dataprep.ytvis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Category;
import org.maskprop.data.YtvisDataset.Video;
import tech.tablesaw.api.Table;

class DatasetStatsTest {
  @TempDir Path tmp;

  private static final List<Category> CATS =
      List.of(new Category(1, "cat", null), new Category(2, "dog", null), new Category(3, "owl", null));

  private static Video video(int id, int length) {
    List<String> names = new ArrayList<>();
    for (int f = 0; f < length; f++) {
      names.add("v" + id + "/" + f + ".jpg");
    }
    return new Video(id, 10, 10, length, names);
  }

  /** Only the areas matter to the statistics; masks are empty RLEs where present. */
  private static Annotation ann(int id, int video, int cat, int crowd, Double... areas) {
    List<Rle> segs = new ArrayList<>();
    List<double[]> boxes = new ArrayList<>();
    for (Double a : areas) {
      segs.add(a == null ? null : Rle.empty(10, 10));
      boxes.add(a == null ? null : new double[4]);
    }
    return new Annotation(id, video, cat, crowd, 10, 10, segs, Arrays.asList(areas), boxes);
  }

  private static Map<String, YtvisDataset> splits() {
    YtvisDataset a = new YtvisDataset(null, null, null,
        List.of(video(1, 3), video(2, 5), video(3, 2)), CATS,
        List.of(ann(1, 1, 1, 0, 100.0, null, 300.0),
            ann(2, 1, 2, 0, 20000.0, 20000.0, 20000.0),
            ann(3, 2, 1, 1, null, 70000.0, 0.0, 70000.0, null)));
    YtvisDataset b = new YtvisDataset(null, null, null, List.of(video(1, 4), video(2, 4)), CATS,
        List.of());
    Map<String, YtvisDataset> m = new LinkedHashMap<>();
    m.put("train", a);
    m.put("test", b);
    return m;
  }

  private static double value(Table t, String stat, String split) {
    for (int r = 0; r < t.rowCount(); r++) {
      if (t.stringColumn("statistic").get(r).equals(stat)) {
        return t.doubleColumn(split).getDouble(r); // NaN when missing
      }
    }
    throw new AssertionError("no row " + stat);
  }

  @Test
  void numbersCheckedByHand() {
    Table t = DatasetStats.table(splits());
    assertEquals(List.of("statistic", "train", "test"), t.columnNames());
    double[][] expected = {
      {3, 2}, {10, 8}, {2, 4}, {10.0 / 3, 4}, {5, 4},
      {3, 0}, {1, 0}, {1, 0}, {2, 0}, {8, 0},
      // track lengths 2, 3, 3
      {2, Double.NaN}, {3, Double.NaN}, {8.0 / 3, Double.NaN}, {3, Double.NaN},
      // track areas 200, 20000, 70000 (mean of the non-null, non-zero areas)
      {4160, Double.NaN}, {20000, Double.NaN}, {60000, Double.NaN},
      {1, 0}, {1, 0}, {1, 0},
      {2, 0}, {2, 0}, {1, 0}, {0, 0}
    };
    List<String> rows = List.of("videos", "frames", "frames per video: min",
        "frames per video: mean", "frames per video: max", "annotations", "crowd annotations",
        "instances per video: mean", "instances per video: max", "masks", "track length: min",
        "track length: median", "track length: mean", "track length: max", "track area: p10",
        "track area: median", "track area: p90", "tracks small (area <= 128^2)",
        "tracks medium (area <= 256^2)", "tracks large (area > 256^2)", "categories present",
        "instances: cat", "instances: dog", "instances: owl");
    assertEquals(rows, t.stringColumn("statistic").asList());
    for (int r = 0; r < rows.size(); r++) {
      assertEquals(expected[r][0], value(t, rows.get(r), "train"), 1e-9, rows.get(r));
      assertEquals(expected[r][1], value(t, rows.get(r), "test"), 1e-9, rows.get(r));
    }
  }

  @Test
  void quantileInterpolatesLinearly() {
    assertEquals(2.5, DatasetStats.quantile(new double[] {1, 2, 3, 4}, 0.5));
    assertEquals(1.3, DatasetStats.quantile(new double[] {1, 2, 3, 4}, 0.1), 1e-12);
    assertEquals(7, DatasetStats.quantile(new double[] {7}, 0.9));
    assertTrue(Double.isNaN(DatasetStats.quantile(new double[0], 0.5)));
  }

  @Test
  void textMarkdownAndCsv() throws Exception {
    Table t = DatasetStats.table(splits());
    String md = DatasetStats.toMarkdown(t);
    assertTrue(md.startsWith("| statistic | train | test |\n|---|---:|---:|\n| videos | 3 | 2 |\n"), md);
    assertTrue(md.contains("| frames per video: mean | 3.33 | 4 |\n"), md);
    assertTrue(md.contains("| track length: min | 2 | - |\n"), md);
    String text = DatasetStats.toText(t);
    assertTrue(text.contains("instances: owl"), text);
    assertTrue(text.lines().anyMatch(l -> l.contains("track area: p90") && l.contains("60000")), text);
    String csv = DatasetStats.toCsv(t);
    assertTrue(csv.startsWith("statistic,train,test\nvideos,3.0,2.0\n"), csv);
    assertTrue(csv.contains("\nframes per video: mean,3.3333333333333335,4.0\n"), csv);
    assertTrue(csv.contains("\ntrack length: min,2.0,\n"), csv);

    DatasetStats.write(t, tmp.resolve("s.md"));
    DatasetStats.write(t, tmp.resolve("s.csv"));
    assertEquals("# per-split statistics\n\n" + md, Files.readString(tmp.resolve("s.md")));
    assertEquals(csv, Files.readString(tmp.resolve("s.csv")));
    assertTrue(assertThrows(InputException.class, () -> DatasetStats.write(t, tmp.resolve("s.txt")))
        .getMessage().contains("expected a .md or .csv"));
  }
}
