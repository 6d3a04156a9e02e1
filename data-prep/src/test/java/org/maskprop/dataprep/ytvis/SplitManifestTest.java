package org.maskprop.dataprep.ytvis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;

class SplitManifestTest {
  @TempDir Path tmp;

  @Test
  void roundTripResolvesRelativePathsAgainstTheManifestFolder() throws Exception {
    Map<String, String> source = new LinkedHashMap<>();
    source.put("dataset", "custom");
    source.put("seed", "4");
    SplitManifest m = new SplitManifest("maskprop prepare custom", source, "a note: with colon",
        List.of(new SplitManifest.Entry("train", Path.of("train.json"), Path.of("/data/x/JPEGImages"),
            true, 3, 7)),
        List.of(new SplitManifest.Entry("test", Path.of("/data/test.json"), Path.of("imgs"), false,
            2, 0)));
    m.write(tmp);
    String yaml = Files.readString(tmp.resolve("splits.yaml"));
    assertTrue(yaml.startsWith("format: maskprop-splits/1\ncreatedBy: maskprop prepare custom\n"), yaml);
    SplitManifest r = SplitManifest.read(tmp.resolve("splits.yaml"));
    assertEquals(source, r.source());
    assertEquals("a note: with colon", r.note());
    Path dir = tmp.toAbsolutePath();
    assertEquals(new SplitManifest.Entry("train", dir.resolve("train.json"),
        Path.of("/data/x/JPEGImages"), true, 3, 7), r.split("train"));
    assertEquals(new SplitManifest.Entry("test", Path.of("/data/test.json"), dir.resolve("imgs"),
        false, 2, 0), r.official().get(0));
    assertEquals(null, r.split("valid"));
  }

  @Test
  void foreignOrBrokenManifestsAreInputErrors() throws Exception {
    Path f = tmp.resolve("splits.yaml");
    assertTrue(assertThrows(InputException.class, () -> SplitManifest.read(f)).getMessage()
        .endsWith("splits.yaml: file not found"));
    Files.writeString(f, "format: something-else\n");
    assertTrue(assertThrows(InputException.class, () -> SplitManifest.read(f)).getMessage()
        .contains("field format: expected maskprop-splits/1"));
    Files.writeString(f, "format: maskprop-splits/1\nsplits:\n  train: {json: train.json}\n");
    assertTrue(assertThrows(InputException.class, () -> SplitManifest.read(f)).getMessage()
        .contains("field splits.train: needs json and imageRoot"));
    Files.writeString(f, "format: [unclosed\n");
    assertTrue(assertThrows(InputException.class, () -> SplitManifest.read(f)).getMessage()
        .contains("malformed YAML"));
  }
}
