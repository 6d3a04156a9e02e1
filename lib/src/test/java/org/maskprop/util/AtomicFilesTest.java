package org.maskprop.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void writesAndReplacesWithoutLeavingTempFiles() throws IOException {
    Path f = dir.resolve("sub/result.json");
    AtomicFiles.writeString(f, "first");
    AtomicFiles.writeString(f, "second");
    assertEquals("second", Files.readString(f));
    try (Stream<Path> s = Files.list(f.getParent())) {
      assertEquals(List.of(f), s.toList());
    }
  }

  @Test
  void writtenFilesAreReadableByOthers() throws IOException {
    Path f = dir.resolve("report.md");
    AtomicFiles.writeString(f, "x");
    assertTrue(Files.getPosixFilePermissions(f).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
  }

  @Test
  void failedWriteKeepsTheOldContentAndCleansUp() throws IOException {
    Path f = dir.resolve("ckpt.bin");
    AtomicFiles.writeString(f, "good");
    assertThrows(
        UncheckedIOException.class,
        () ->
            AtomicFiles.write(
                f,
                out -> {
                  out.write("partial".getBytes());
                  throw new IOException("disk full");
                }));
    assertEquals("good", Files.readString(f));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(1, s.count());
    }
  }
}
