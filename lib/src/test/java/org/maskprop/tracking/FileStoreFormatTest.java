package org.maskprop.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected strings were printed by Python 3 repr() and PyYAML 6.0 safe_dump (Debian's python3-yaml). */
class FileStoreFormatTest {

  @Test
  void metricValuesAreWrittenAsPythonReprs() {
    double[] values = {1.0, 0.5, 1.0 / 3, 0.1 + 0.2, 1e-5, 1e16, 1e15, 123456789012345678.0, 0.0001, -2.5e-7,
        -0.0, 5e-324, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 100.0,
        12345.678, 9007199254740992.0, 1e22, 0.001234};
    String[] python = {"1.0", "0.5", "0.3333333333333333", "0.30000000000000004", "1e-05", "1e+16",
        "1000000000000000.0", "1.2345678901234568e+17", "0.0001", "-2.5e-07", "-0.0", "5e-324",
        "1.7976931348623157e+308", "nan", "inf", "-inf", "100.0", "12345.678", "9007199254740992.0", "1e+22",
        "0.001234"};
    List<String> ours = new ArrayList<>();
    for (double v : values) {
      ours.add(FileStoreFormat.pythonFloat(v));
    }
    assertEquals(Arrays.asList(python), ours);
  }

  @Test
  void pythonFloatsReadBackExactly() {
    for (double v : new double[] {1.0 / 3, 1e-5, 1e16, -2.5e-7, 5e-324, Double.MAX_VALUE, 0.1 + 0.2}) {
      assertEquals(v, FileStoreReader.parsePythonFloat(FileStoreFormat.pythonFloat(v)));
    }
    assertEquals(Double.POSITIVE_INFINITY, FileStoreReader.parsePythonFloat("inf"));
    assertEquals(Double.NEGATIVE_INFINITY, FileStoreReader.parsePythonFloat("-inf"));
    assertEquals(Double.NaN, FileStoreReader.parsePythonFloat("nan"));
  }

  @Test
  void yamlStringsAreQuotedAsPyYamlQuotesThem() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("0", "'0'");
    expected.put("899323017893091499", "'899323017893091499'");
    expected.put("golden-experiment", "golden-experiment");
    expected.put("", "''");
    expected.put("yes", "'yes'");
    expected.put("No", "'No'");
    expected.put("a: b", "'a: b'");
    expected.put("it's", "it's");
    expected.put("'q", "'''q'");
    expected.put("-x", "-x");
    expected.put("a #b", "'a #b'");
    expected.put("a#b", "a#b");
    expected.put("1.5", "'1.5'");
    expected.put("1e5", "1e5");
    expected.put("1.0e+5", "'1.0e+5'");
    expected.put(".inf", "'.inf'");
    expected.put("null", "'null'");
    expected.put("~", "'~'");
    expected.put("2024-01-02", "'2024-01-02'");
    expected.put("file:///home/x/mlruns/0", "file:///home/x/mlruns/0");
    expected.put("ends:", "'ends:'");
    expected.put("tab\there", "\"tab\\there\"");
    expected.put("grid parent", "grid parent");
    expected.put(" lead", "' lead'");
    expected.put("trail ", "'trail '");
    expected.put("@at", "'@at'");
    expected.put("0x1F", "'0x1F'");
    expected.put("1_000", "'1_000'");
    expected.put("10:30", "'10:30'");
    expected.put("\u00e9-run", "\u00e9-run");
    expected.put("=", "'='");
    expected.put("<<", "'<<'");
    expected.put("?q", "?q");
    expected.put(":c", ":c");
    expected.put("[x]", "'[x]'");
    expected.put("a,b", "a,b");
    expected.put("{a}", "'{a}'");
    expected.put("!t", "'!t'");
    expected.put("*s", "'*s'");
    expected.put("|p", "'|p'");
    expected.put("`b", "'`b'");
    expected.put("12:5x", "12:5x");
    Map<String, String> ours = new LinkedHashMap<>();
    expected.keySet().forEach(k -> ours.put(k, FileStoreFormat.yamlString(k)));
    assertEquals(expected, ours);
  }

  @Test
  void yamlMapIsSortedBlockStyle() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", 3);
    m.put("end_time", null);
    m.put("tags", List.of());
    m.put("experiment_id", "12");
    m.put("start_time", 1700000000000L);
    assertEquals("end_time: null\nexperiment_id: '12'\nstart_time: 1700000000000\nstatus: 3\ntags: []\n",
        FileStoreFormat.yaml(m));
  }

  @Test
  void longStringsFoldAtColumn80AsPyYamlDoes() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("name", "table 2 backbone ablation with resnet50 and resnet101 backbones at clip length 7 on youtube vis"
        + " valid split");
    assertEquals("name: table 2 backbone ablation with resnet50 and resnet101 backbones at clip length\n"
        + "  7 on youtube vis valid split\n", FileStoreFormat.yaml(m));
    m.clear();
    m.put("run_name", "a".repeat(90) + " b c");
    assertEquals("run_name: " + "a".repeat(90) + "\n  b c\n", FileStoreFormat.yaml(m));
    m.clear();
    m.put("x", "word ".repeat(30));
    assertEquals("x: '" + "word ".repeat(16).strip() + "\n  " + "word ".repeat(14) + "'\n", FileStoreFormat.yaml(m));
    m.clear();
    m.put("q", "it's a long name with a quote: and colon that needs quoting because of the colon space inside it ok");
    assertEquals("q: 'it''s a long name with a quote: and colon that needs quoting because of the colon\n"
        + "  space inside it ok'\n", FileStoreFormat.yaml(m));
    m.clear();
    m.put("d", "two  spaces here and there to see what happens with double spaces in long strings ok fine now yes");
    assertEquals("d: two  spaces here and there to see what happens with double spaces in long strings\n"
        + "  ok fine now yes\n", FileStoreFormat.yaml(m));
    m.clear();
    m.put("n", "0 ".repeat(50));
    assertEquals("n: '" + "0 ".repeat(39).strip() + "\n  " + "0 ".repeat(11) + "'\n", FileStoreFormat.yaml(m));
    // and they read back unchanged
    m.clear();
    m.put("name", "word ".repeat(40).strip());
    Path f = tmp.resolve("meta.yaml");
    org.maskprop.util.AtomicFiles.writeString(f, FileStoreFormat.yaml(m));
    assertEquals(m.get("name"), FileStoreReader.readYaml(f).get("name"));
  }

  @org.junit.jupiter.api.io.TempDir Path tmp;

  @Test
  void fileUrisMatchPathlibAsUri() {
    // pathlib.PurePosixPath('/home/x y/ml+runs').as_uri() == 'file:///home/x%20y/ml%2Bruns'
    assertEquals("file:///home/x%20y/ml%2Bruns", FileStoreFormat.fileUri(Path.of("/home/x y/ml+runs")));
    assertEquals("file:///home/researcher/project/mlruns/0",
        FileStoreFormat.fileUri(Path.of("/home/researcher/project/mlruns/0")));
    assertEquals(Path.of("/home/x y/ml+runs"), FileStoreFormat.pathOfFileUri("file:///home/x%20y/ml%2Bruns"));
    assertEquals(Path.of("/tmp/a"), FileStoreFormat.pathOfFileUri("file:/tmp/a"));
    assertEquals(Path.of("/tmp/a"), FileStoreFormat.pathOfFileUri("file://localhost/tmp/a"));
  }
}
