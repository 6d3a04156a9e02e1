package org.maskprop.dataprep.ytvis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maskprop.InputException;
import org.maskprop.data.Rle;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.data.YtvisDataset.Video;
import org.maskprop.dataprep.ytvis.ValidationReport.Issue;
import org.maskprop.dataprep.ytvis.ValidationReport.Severity;
import org.maskprop.util.Progress;

/**
 * Checks a downloaded YouTube-VIS split across the whole split instead of stopping at the first
 * problem. The JSON's structure and internal consistency (ids, sizes, list lengths, RLE syntax) are
 * {@link YtvisDataset#read}'s job; a JSON it rejects gives a report holding its one-line error.
 * On top of that, for every video and annotation:
 *
 * <ul>
 *   <li>errors: frame files missing under the image root (counted per video), frame images whose
 *       size disagrees with the video's {@code width}/{@code height} or that cannot be read;
 *   <li>warnings: {@code areas} that differ from the mask's pixel count, {@code bboxes} that differ
 *       from pycocotools' {@code toBbox} of the mask by more than a pixel, frames where the mask is
 *       null but the area or box is not (or the reverse), tracks without any non-empty mask, and
 *       videos without annotations in a split that has annotations.
 * </ul>
 */
public final class YtvisValidator {
  /** How much of each video's frame files to open. */
  public enum FrameCheck {
    /** Only that every frame file exists. */
    EXISTS,
    /** Exists, and the first frame's size (header only) matches the video's. */
    FIRST_SIZE,
    /** Exists, and every frame's size matches (reads every header). */
    ALL_SIZES
  }

  /** Examples listed per video in a missing-frames message. */
  private static final int LISTED = 5;

  private YtvisValidator() {}

  /** Reads and checks {@code json}; {@code imageRoot} null skips the frame files. */
  public static ValidationReport validate(Path json, Path imageRoot, FrameCheck check) {
    return validate(json, imageRoot, check, false);
  }

  /** As {@link #validate(Path, Path, FrameCheck)}; {@code progress} shows a bar over videos. */
  public static ValidationReport validate(
      Path json, Path imageRoot, FrameCheck check, boolean progress) {
    YtvisDataset d;
    try {
      d = YtvisDataset.read(json);
    } catch (InputException e) {
      return new ValidationReport(json, imageRoot, null,
          List.of(new Issue(Severity.ERROR, "json", -1, -1, e.getMessage())));
    }
    return validate(d, json, imageRoot, check, progress);
  }

  /** Checks an already read split; {@code json} names it in messages. */
  public static ValidationReport validate(
      YtvisDataset d, Path json, Path imageRoot, FrameCheck check) {
    return validate(d, json, imageRoot, check, false);
  }

  private static ValidationReport validate(
      YtvisDataset d, Path json, Path imageRoot, FrameCheck check, boolean progress) {
    List<Issue> issues = new ArrayList<>();
    if (imageRoot != null) {
      if (!Files.isDirectory(imageRoot)) {
        issues.add(new Issue(Severity.ERROR, "image-root", -1, -1,
            json + ": image root " + imageRoot + " is not a folder"));
      } else {
        String label = "check " + json.getFileName();
        int n = d.videos().size();
        try (Progress bar = progress ? Progress.start(label, n) : Progress.silent(label, n)) {
          for (Video v : d.videos()) {
            checkFrames(v, imageRoot, check, json, issues);
            bar.step();
          }
        }
      }
    }
    boolean hasGt = !d.annotations().isEmpty();
    for (Video v : d.videos()) {
      if (hasGt && d.annotationsOf(v.id()).isEmpty()) {
        issues.add(new Issue(Severity.WARNING, "no-annotations", v.id(), -1,
            json + ": video " + v.id() + " (" + videoName(v) + "): no annotations"));
      }
    }
    for (Annotation a : d.annotations()) {
      checkAnnotation(a, json, issues);
    }
    return new ValidationReport(json, imageRoot, d, issues);
  }

  /** The folder part of the first file name ({@code "abc123/00000.jpg"} -> {@code "abc123"}). */
  static String videoName(Video v) {
    if (v.fileNames().isEmpty()) {
      return "no frames";
    }
    String f = v.fileNames().get(0);
    int slash = f.lastIndexOf('/');
    return slash < 0 ? f : f.substring(0, slash);
  }

  private static void checkFrames(
      Video v, Path imageRoot, FrameCheck check, Path json, List<Issue> issues) {
    String where = json + ": video " + v.id() + " (" + videoName(v) + ")";
    List<Integer> missing = new ArrayList<>();
    for (int f = 0; f < v.length(); f++) {
      if (!Files.isRegularFile(imageRoot.resolve(v.fileNames().get(f)))) {
        missing.add(f);
      }
    }
    if (!missing.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < Math.min(LISTED, missing.size()); k++) {
        sb.append(k == 0 ? "" : ", ").append(missing.get(k));
      }
      if (missing.size() > LISTED) {
        sb.append(", ...");
      }
      issues.add(new Issue(Severity.ERROR, "missing-frames", v.id(), -1,
          where + ": " + missing.size() + " of " + v.length() + " frame files missing under "
              + imageRoot + " (frames " + sb + "; first: file_names[" + missing.get(0) + "] = "
              + v.fileNames().get(missing.get(0)) + ")"));
    }
    if (check == FrameCheck.EXISTS) {
      return;
    }
    int last = check == FrameCheck.FIRST_SIZE ? Math.min(1, v.length()) : v.length();
    for (int f = 0; f < last; f++) {
      if (missing.contains(f)) {
        continue;
      }
      Path p = imageRoot.resolve(v.fileNames().get(f));
      ImageHeaders.Size s;
      try {
        s = ImageHeaders.read(p);
      } catch (InputException e) {
        issues.add(new Issue(Severity.ERROR, "unreadable-frame", v.id(), -1,
            where + ", frame " + f + ": " + e.getMessage()));
        return;
      }
      if (s.width() != v.width() || s.height() != v.height()) {
        issues.add(new Issue(Severity.ERROR, "frame-size", v.id(), -1,
            where + ", frame " + f + ": image " + p + " is " + s + " but the video's width x height is "
                + v.width() + "x" + v.height()));
        return; // one size error per video is enough
      }
    }
  }

  private static void checkAnnotation(Annotation a, Path json, List<Issue> issues) {
    String where = json + ": annotation " + a.id() + " (video " + a.videoId() + ")";
    int areaBad = -1;
    int areaCount = 0;
    int boxBad = -1;
    int boxCount = 0;
    int nullBad = -1;
    int nullCount = 0;
    boolean anyMask = false;
    for (int f = 0; f < a.segmentations().size(); f++) {
      Rle r = a.segmentations().get(f);
      Double area = a.areas().get(f);
      double[] box = a.bboxes().get(f);
      if ((r == null) != (area == null) || (r == null) != (box == null)) {
        nullCount++;
        nullBad = nullBad < 0 ? f : nullBad;
        continue;
      }
      if (r == null) {
        continue;
      }
      long px = r.area();
      anyMask |= px > 0;
      if (Math.abs(area - px) > 0.5) {
        areaCount++;
        areaBad = areaBad < 0 ? f : areaBad;
      }
      double[] tb = r.toBbox();
      for (int k = 0; k < 4; k++) {
        if (Math.abs(tb[k] - box[k]) > 1.0) {
          boxCount++;
          boxBad = boxBad < 0 ? f : boxBad;
          break;
        }
      }
    }
    if (nullCount > 0) {
      issues.add(new Issue(Severity.WARNING, "null-mismatch", a.videoId(), a.id(),
          where + ": " + nullCount + " frames where segmentations, areas and bboxes disagree on"
              + " null (first: frame " + nullBad + ")"));
    }
    if (areaCount > 0) {
      issues.add(new Issue(Severity.WARNING, "area-mismatch", a.videoId(), a.id(),
          where + ": " + areaCount + " frames where areas differs from the mask's pixel count"
              + " (first: frame " + areaBad + ", areas " + a.areas().get(areaBad) + " vs "
              + a.segmentations().get(areaBad).area() + ")"));
    }
    if (boxCount > 0) {
      issues.add(new Issue(Severity.WARNING, "bbox-mismatch", a.videoId(), a.id(),
          where + ": " + boxCount + " frames where bboxes differs from the mask's box by more than"
              + " 1 pixel (first: frame " + boxBad + ")"));
    }
    if (!anyMask) {
      issues.add(new Issue(Severity.WARNING, "empty-track", a.videoId(), a.id(),
          where + ": no frame has a non-empty mask"));
    }
  }
}
