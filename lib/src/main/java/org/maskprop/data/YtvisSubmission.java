package org.maskprop.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.maskprop.util.AtomicFiles;

/**
 * The archive the official YouTube-VIS evaluation server (CodaLab) takes: the results JSON ({@link
 * YtvisResults} format) named {@code results.json}, zipped without any folder. The challenge's
 * instructions: "The submission file should be named as results.json, and compressed without any
 * subfolder".
 */
public final class YtvisSubmission {
  /** The one entry's name. */
  public static final String ENTRY = "results.json";

  private YtvisSubmission() {}

  /**
   * Zips the results file {@code resultsJson} byte for byte as {@code zip}'s only entry {@value
   * #ENTRY}, written atomically (temp file and rename).
   */
  public static void write(Path zip, Path resultsJson) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(resultsJson);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resultsJson + ": " + e.getMessage(), e);
    }
    AtomicFiles.write(zip, out -> {
      ZipOutputStream z = new ZipOutputStream(out);
      ZipEntry e = new ZipEntry(ENTRY);
      e.setTime(Files.getLastModifiedTime(resultsJson).toMillis());
      z.putNextEntry(e);
      z.write(bytes);
      z.closeEntry();
      z.finish(); // AtomicFiles closes the stream
    });
  }
}
