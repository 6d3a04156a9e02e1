package org.maskprop.data;

import java.util.List;

/**
 * COCO run-length encoding of a binary mask, byte-compatible with pycocotools ({@code maskApi.c}).
 *
 * <p>Runs are over the mask in column-major (Fortran) order and alternate background/foreground,
 * starting with background (so {@code counts[0]} may be 0). {@code counts} is never mutated.
 *
 * <p>API contract (implemented in the foundation issue); masks given as {@code byte[]} are row-major
 * {@code [height * width]}, nonzero = foreground.
 */
public record Rle(int height, int width, int[] counts) {

  /** Encodes a row-major mask ({@code mask[y * width + x]}, nonzero = foreground). */
  public static Rle encode(byte[] mask, int height, int width) {
    throw new UnsupportedOperationException("Rle.encode: foundation issue");
  }

  /** Decodes to a row-major 0/1 mask of {@code height * width} bytes. */
  public byte[] decode() {
    throw new UnsupportedOperationException("Rle.decode: foundation issue");
  }

  /** COCO's compressed string form of {@link #counts} (6-bit variable-length, delta-coded). */
  public String toCompressedString() {
    throw new UnsupportedOperationException("Rle.toCompressedString: foundation issue");
  }

  /** Parses COCO's compressed string counts. */
  public static Rle fromCompressedString(String counts, int height, int width) {
    throw new UnsupportedOperationException("Rle.fromCompressedString: foundation issue");
  }

  /** Number of foreground pixels. */
  public long area() {
    throw new UnsupportedOperationException("Rle.area: foundation issue");
  }

  /** Tight box {@code [x, y, w, h]} as pycocotools' {@code toBbox} (all zeros when empty). */
  public double[] toBbox() {
    throw new UnsupportedOperationException("Rle.toBbox: foundation issue");
  }

  /** Union ({@code intersect == false}) or intersection of masks of one size. */
  public static Rle merge(List<Rle> rles, boolean intersect) {
    throw new UnsupportedOperationException("Rle.merge: foundation issue");
  }
}
