package org.maskprop.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.tracking.FileStoreTracker;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

class ResultTablesTest {
  @TempDir Path dir;

  @Test
  void markdownFromAFileStoreIsExact() {
    ReportStores.backboneStore(dir);
    List<ReportRun> runs = ReportStores.runs(dir, "exp");
    ResultTable t = ResultTables.fromRuns("Backbones", runs, "backbone", ResultTables.DEFAULT_METRICS);
    // 0.42851 -> 42.9, 0.98765 -> 98.8, 0.12349 -> 12.3, -1 (evaluator: undefined) -> n/a, missing -> n/a
    String expected = """
        **Backbones**

        | backbone | mAP | AP75 | AR1 | AR10 |
        |---|---:|---:|---:|---:|
        | ResNet-50 | 40.0 | 42.9 | 30.0 | 98.8 |
        | ResNet-101 | 42.5 | 45.6 | 12.3 | n/a |
        | ResNeXt-101 | 50.0 | n/a | n/a | n/a |

        - Numbers are percentages with one decimal, as in the paper; mAP is the AP metric (video AP averaged over IoU 0.50:0.95). n/a: not logged, or -1 from the evaluator.
        - Stand-in config values (not the paper's): infer.assignThreshold=0.5 \\[U\\].
        - Left out (no param backbone): odd.
        """;
    assertEquals(expected, t.toMarkdown());
    assertEquals(3, t.table().rowCount());
    assertEquals(List.of("backbone", "mAP", "AP75", "AR1", "AR10"), t.table().columnNames());
  }

  @Test
  void numericLabelsSortAscendingAndMetricsAreConfigurable() {
    try (FileStoreTracker tr = new FileStoreTracker(dir, Optional.empty())) {
      String p = tr.startRun(org.maskprop.tracking.RunSpec.of("exp", "clips"));
      for (String len : List.of("13", "5", "9")) {
        ReportStores.child(tr, p, "T" + len, Map.of("infer.clipLength", len),
            ReportStores.metrics(Integer.parseInt(len) / 100.0, 0, 0, 0));
      }
    }
    ResultTable t = ResultTables.fromRuns("Clip length", ReportStores.runs(dir, "exp"), "infer.clipLength",
        List.of("AP"));
    assertEquals(List.of("5", "9", "13"), t.columnCells("infer.clipLength"));
    assertEquals(List.of("5.0", "9.0", "13.0"), t.columnCells("mAP"));
    assertEquals(List.of("infer.clipLength", "mAP"), t.table().columnNames());
    assertTrue(t.caption().get(1).startsWith("Stand-ins: none"), t.caption().get(1));
  }

  @Test
  void duplicateLabelsAreToldApartByRunId() {
    try (FileStoreTracker tr = new FileStoreTracker(dir, Optional.empty())) {
      String p = tr.startRun(org.maskprop.tracking.RunSpec.of("exp", "twice"));
      String a = ReportStores.child(tr, p, "a", Map.of("predictor", "copy"), ReportStores.metrics(0.1, 0, 0, 0));
      String b = ReportStores.child(tr, p, "b", Map.of("predictor", "copy"), ReportStores.metrics(0.2, 0, 0, 0));
      ResultTable t = ResultTables.fromRuns("t", ReportStores.runs(dir, "exp"), "predictor", List.of("AP"));
      assertEquals(List.of("copy (run " + a.substring(0, 8) + ")", "copy (run " + b.substring(0, 8) + ")"),
          t.columnCells("predictor"));
    }
  }

  @Test
  void htmlAndMarkdownEscapeEveryValue() throws Exception {
    String evil = "<b>A&B \"q\" 'x' | *y*</b>";
    try (FileStoreTracker tr = new FileStoreTracker(dir, Optional.empty())) {
      String p = tr.startRun(org.maskprop.tracking.RunSpec.of("exp", "e"));
      ReportStores.child(tr, p, "c", Map.of("method", evil), ReportStores.metrics(0.5, 0.5, 0.5, 0.5));
    }
    ResultTable t = ResultTables.fromRuns("T <&>", ReportStores.runs(dir, "exp"), "method", ResultTables.DEFAULT_METRICS);
    String html = t.toHtml();
    assertTrue(html.contains("<td>&lt;b&gt;A&amp;B &quot;q&quot; &#39;x&#39; | *y*&lt;/b&gt;</td>"), html);
    assertTrue(html.contains("<caption>T &lt;&amp;&gt;</caption>"), html);
    assertFalse(html.contains("<b>"), html);
    // the page parses as XML (escaping is complete; the HTML we write is also well-formed XML)
    String page = ResultTables.htmlPage("R & D", List.of(t), List.of("a\"b.png"));
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new InputSource(new StringReader(page.replace("<!DOCTYPE html>", "").replace("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\"/>")
            .replaceAll("(<img [^>]*)>", "$1/>"))));
    assertEquals(evil, doc.getElementsByTagName("td").item(0).getTextContent());
    assertEquals("a\"b.png", doc.getElementsByTagName("img").item(0).getAttributes().getNamedItem("src").getNodeValue());

    String md = t.toMarkdown();
    String row = md.lines().filter(l -> l.contains("A&B")).findFirst().orElseThrow();
    assertEquals("| \\<b\\>A&B \"q\" 'x' \\| \\*y\\*\\</b\\> | 50.0 | 50.0 | 50.0 | 50.0 |", row);
    // unescaped pipes split cells: this row has exactly the 6 cell borders of 5 columns
    assertEquals(6, row.replace("\\|", "").chars().filter(c -> c == '|').count());
  }

  @Test
  void paperComparisonPutsPaperRowsFirstWithTheCaveat() {
    ReportStores.backboneStore(dir);
    ResultTable ours = ResultTables.fromRuns("ours", ReportStores.runs(dir, "exp"), "backbone", ResultTables.DEFAULT_METRICS);
    ResultTable cmp = ResultTables.paperComparison(ours, PaperTables.TABLE_4, "ours, SynthVIS");
    assertEquals(List.of("source", "backbone", "mAP", "AP75"), cmp.table().columnNames());
    assertEquals(4 + 3, cmp.table().rowCount());
    assertEquals(List.of("40.0", "42.5", "44.3", "46.6", "40.0", "42.5", "50.0"), cmp.columnCells("mAP"));
    assertEquals(List.of("42.9", "45.6", "48.3", "51.2", "42.9", "45.6", "n/a"), cmp.columnCells("AP75"));
    assertEquals("paper [P], YouTube-VIS 2019 val", cmp.columnCells("source").get(0));
    assertEquals("ours, SynthVIS", cmp.columnCells("source").get(6));
    assertTrue(cmp.caption().contains(ResultTables.NOT_COMPARABLE_NOTE));
    assertTrue(cmp.toMarkdown().contains("SynthVIS numbers are not comparable to YouTube-VIS"));
    assertTrue(cmp.caption().stream().anyMatch(l -> l.contains("infer.assignThreshold")), cmp.caption().toString());
  }

  @Test
  void paperTablesHoldNotesNumbers() {
    ResultTable t2 = ResultTables.paper(PaperTables.TABLE_2);
    assertEquals(8, t2.table().rowCount());
    int mp = t2.columnCells("method").indexOf("MaskProp");
    assertEquals(List.of("46.6", "51.2", "44.0", "52.6"),
        List.of(t2.cell(mp, 1), t2.cell(mp, 2), t2.cell(mp, 3), t2.cell(mp, 4)));
    assertTrue(t2.title().contains("[P]"));
    assertEquals(List.of("31.4", "36.9", "46.6"), ResultTables.paper(PaperTables.TABLE_3).columnCells("mAP"));
  }
}
