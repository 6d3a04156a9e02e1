package org.maskprop.dataprep.ytvis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;
import org.maskprop.data.YtvisDataset;
import org.maskprop.dataprep.ytvis.YtvisValidator.FrameCheck;

class YtvisImportTest {
  @TempDir Path tmp;

  private YtvisImport.Result run(Path root, YtvisVersion v, Path out, long seed) {
    return YtvisImport.run(new YtvisImport.Options(root, v, out,
        new VideoSplitter.Fractions(0.25, 0), seed, FrameCheck.FIRST_SIZE));
  }

  @Test
  void version2019SplitWritesJsonsManifestLinksAndStats() throws Exception {
    Path root = FakeYtvis.tree(tmp.resolve("ytvis19"), YtvisVersion.V2019, 8, 3);
    Path out = tmp.resolve("out");
    YtvisImport.Result r = run(root, null, out, 1);
    assertEquals(YtvisVersion.V2019, r.version());
    assertEquals(List.of("train", "valid"), List.copyOf(r.validation().keySet()));
    assertEquals(6, r.splits().get("train").videos().size());
    assertEquals(2, r.splits().get("valid").videos().size());
    assertFalse(r.replacedPrevious());

    Path trainImages = root.resolve("train/JPEGImages").toAbsolutePath().normalize();
    SplitManifest m = SplitManifest.read(out.resolve("splits.yaml"));
    assertEquals(List.of("train", "valid"), m.splits().stream().map(SplitManifest.Entry::name).toList());
    for (SplitManifest.Entry e : m.splits()) {
      assertEquals(out.toAbsolutePath().resolve(e.name() + ".json"), e.json());
      assertEquals(trainImages, e.imageRoot()); // a local valid reads train/JPEGImages
      assertTrue(e.groundTruth());
      // the JSON reads back with its frames through the manifest's image root ...
      YtvisDataset d = YtvisDataset.read(e.json(), e.imageRoot());
      assertEquals(r.splits().get(e.name()), d);
      assertEquals(e.videos(), d.videos().size());
      // ... and through the <split>/JPEGImages link, as a plain YouTube-VIS 2019 root
      assertTrue(r.linked());
      assertTrue(Files.isSymbolicLink(out.resolve(e.name()).resolve("JPEGImages")));
      YtvisDataset.read(out.resolve(e.name() + ".json"), out.resolve(e.name()).resolve("JPEGImages"));
    }
    assertEquals(1, m.official().size());
    assertEquals(root.resolve("valid.json").toAbsolutePath().normalize(), m.official().get(0).json());
    assertFalse(m.official().get(0).groundTruth());
    assertEquals("1", m.source().get("seed"));
    assertTrue(m.note().contains("not comparable to the paper's"));

    assertEquals(List.of("statistic", "train", "valid", "official valid"), r.stats().columnNames());
    assertTrue(Files.readString(out.resolve("stats.md")).contains("| videos | 6 | 2 | 3 |"));
    assertTrue(Files.readString(out.resolve("stats.csv")).startsWith("statistic,train,valid,official valid\n"));
  }

  @Test
  void version2021IsDetectedAndGivesTheSameSplitAsTheSame2019Data() throws Exception {
    Path r19 = FakeYtvis.tree(tmp.resolve("y19"), YtvisVersion.V2019, 10, 0);
    Path r21 = FakeYtvis.tree(tmp.resolve("y21"), YtvisVersion.V2021, 10, 0);
    assertTrue(Files.isRegularFile(r21.resolve("train/instances.json")));
    assertEquals(YtvisVersion.V2021, YtvisVersion.detect(r21));
    YtvisImport.Result a = run(r19, YtvisVersion.V2019, tmp.resolve("o19"), 5);
    YtvisImport.Result b = run(r21, null, tmp.resolve("o21"), 5);
    assertEquals(YtvisVersion.V2021, b.version());
    assertEquals(a.splits(), b.splits());
    assertArrayEquals(Files.readAllBytes(tmp.resolve("o19/valid.json")),
        Files.readAllBytes(tmp.resolve("o21/valid.json")));
    assertEquals(r21.resolve("train/JPEGImages").toAbsolutePath().normalize(),
        SplitManifest.read(tmp.resolve("o21/splits.yaml")).split("valid").imageRoot());
  }

  @Test
  void sameSeedGivesByteIdenticalFiles() throws Exception {
    Path root = FakeYtvis.tree(tmp.resolve("y"), YtvisVersion.V2019, 12, 0);
    run(root, null, tmp.resolve("a"), 42);
    run(root, null, tmp.resolve("b"), 42);
    run(root, null, tmp.resolve("c"), 43);
    for (String f : List.of("train.json", "valid.json", "splits.yaml", "stats.md", "stats.csv")) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)),
          Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
    }
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("a/valid.json")),
        Files.readAllBytes(tmp.resolve("c/valid.json"))));
  }

  @Test
  void rerunReplacesItsOwnOutputButNeverAForeignSplit() throws Exception {
    Path root = FakeYtvis.tree(tmp.resolve("y"), YtvisVersion.V2019, 6, 0);
    Path out = tmp.resolve("out");
    run(root, null, out, 1);
    YtvisImport.Result again = run(root, null, out, 2);
    assertTrue(again.replacedPrevious());
    assertEquals("2", SplitManifest.read(out.resolve("splits.yaml")).source().get("seed"));
    // the download itself is not a prepare output: refused
    InputException e = assertThrows(InputException.class, () -> run(root, null, root, 1));
    assertTrue(e.getMessage().contains("not written by maskprop prepare"), e.getMessage());
    Files.writeString(out.resolve("valid/notes.txt"), "mine");
    InputException busy = assertThrows(InputException.class, () -> run(root, null, out, 3));
    assertTrue(busy.getMessage().contains("holds files not written by maskprop prepare"),
        busy.getMessage());
  }

  @Test
  void invalidDownloadStopsBeforeWritingAndCarriesTheReport() throws Exception {
    Path root = FakeYtvis.tree(tmp.resolve("y"), YtvisVersion.V2019, 6, 2);
    Files.delete(root.resolve("valid/JPEGImages/v1/00002.jpg"));
    Path out = tmp.resolve("out");
    InvalidDatasetException e = assertThrows(InvalidDatasetException.class,
        () -> run(root, null, out, 1));
    assertTrue(e.getMessage().contains("valid.json: 1 errors (1 x missing-frames)"), e.getMessage());
    assertTrue(e.report().toText(5).contains("video 1 (v1): 1 of 3 frame files missing"));
    assertFalse(Files.exists(out));
  }

  @Test
  void layoutErrorsNameTheRoot() throws Exception {
    Files.createDirectories(tmp.resolve("empty"));
    InputException none = assertThrows(InputException.class,
        () -> YtvisVersion.detect(tmp.resolve("empty")));
    assertTrue(none.getMessage().contains("neither train.json"), none.getMessage());
    Path root = FakeYtvis.tree(tmp.resolve("y"), YtvisVersion.V2019, 4, 0);
    InputException wrong = assertThrows(InputException.class,
        () -> run(root, YtvisVersion.V2021, tmp.resolve("o"), 0));
    assertTrue(wrong.getMessage().contains("train/instances.json not found (YouTube-VIS 2021 layout)"),
        wrong.getMessage());
    assertTrue(assertThrows(InputException.class, () -> YtvisVersion.parse("2020")).getMessage()
        .contains("expected 2019 or 2021"));
  }
}
