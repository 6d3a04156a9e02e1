package org.maskprop.infer;

import java.nio.file.Files;
import java.nio.file.Path;
import org.maskprop.InputException;
import org.maskprop.data.FrameSource;
import org.maskprop.data.ResampledFrameSource;
import org.maskprop.data.YtvisDataset;

/**
 * One video to predict, not yet opened: a dataset video (a frame folder) or a raw video file.
 *
 * @param videoId written into every result
 * @param name a file-name-safe name for per-video outputs (overlays), unique within a job
 * @param label how messages name the video (id and folder, or the file)
 * @param opener opens its frames; throws {@link InputException} when the video cannot be read
 */
public record VideoInput(int videoId, String name, String label, Opener opener) {

  /** Opens the frames of a video. */
  @FunctionalInterface
  public interface Opener {
    /** @throws InputException when the video cannot be opened (missing folder or file, no stream) */
    FrameSource open();
  }

  /** Opens the frames (the caller closes them). */
  public FrameSource open() {
    return opener.open();
  }

  /**
   * A YouTube-VIS video: frames {@code imageRoot/file_names[f]} at the size the JSON gives. Its frame
   * folder (that of the first file) must exist; single missing or corrupt frames are the {@link
   * org.maskprop.data.TolerantFrameSource}'s business.
   */
  public static VideoInput ofDataset(Path imageRoot, YtvisDataset.Video video) {
    String folder = video.fileNames().isEmpty() ? "" : parentOf(video.fileNames().get(0));
    String label = "video " + video.id() + (folder.isEmpty() ? "" : " (" + folder + ")");
    return new VideoInput(video.id(), "video_" + video.id(), label, () -> {
      if (video.fileNames().isEmpty()) {
        throw new InputException(label + ": has no frames (file_names is empty)");
      }
      Path dir = imageRoot.resolve(video.fileNames().get(0)).getParent();
      if (dir != null && !Files.isDirectory(dir)) {
        throw new InputException(dir + ": " + label + ": frame folder does not exist");
      }
      return FrameSource.ofImages(imageRoot, video);
    });
  }

  /** Every video of a split, in file order ({@link #ofDataset} each). */
  public static java.util.List<VideoInput> ofDataset(Path imageRoot, YtvisDataset dataset) {
    return dataset.videos().stream().map(v -> ofDataset(imageRoot, v)).toList();
  }

  /**
   * A raw video file as one video: every decoded frame at the file's own rate, or resampled to
   * {@code fps} (nearest frame in time, {@link ResampledFrameSource}) when {@code fps} is not null.
   */
  public static VideoInput ofVideoFile(Path file, int videoId, Double fps) {
    String base = file.getFileName() == null ? "video" : file.getFileName().toString();
    int dot = base.lastIndexOf('.');
    base = dot > 0 ? base.substring(0, dot) : base; // clip.mp4 -> clip
    String name = "video_" + videoId + "_" + base.replaceAll("[^A-Za-z0-9._-]", "_");
    return new VideoInput(videoId, name, file.toString(), () -> {
      FrameSource src = FrameSource.ofVideoFile(file);
      if (fps == null) {
        return src;
      }
      try {
        return new ResampledFrameSource(src, fps, file.toString());
      } catch (RuntimeException e) {
        src.close();
        throw e;
      }
    });
  }

  private static String parentOf(String fileName) {
    int slash = fileName.lastIndexOf('/');
    return slash < 0 ? "" : fileName.substring(0, slash);
  }
}
