package org.maskprop.data;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * The frames of one video, by index: from a YouTube-VIS JPEG folder ({@link #ofImages}) or decoded
 * from a video file ({@link #ofVideoFile}).
 *
 * <p>Frames are {@link BufferedImage#TYPE_3BYTE_BGR} (three 8-bit colour channels; grey images are
 * converted), each a fresh image the caller owns. A source is not thread-safe; close it to free its
 * decoder.
 */
public interface FrameSource extends AutoCloseable {

  /** Number of frames (for a video file: as reported by its container, possibly estimated). */
  int frameCount();

  int width();

  int height();

  /** Frames per second, or {@link Double#NaN} when unknown (image folders). */
  double fps();

  /**
   * Frame {@code index}, 0-based.
   *
   * @throws IndexOutOfBoundsException if {@code index} is outside {@code [0, frameCount())}
   * @throws org.maskprop.InputException if the frame file is missing or cannot be decoded
   */
  BufferedImage frame(int index);

  @Override
  void close();

  /**
   * The frames of a YouTube-VIS video: {@code imageRoot/video.fileNames[i]}; each frame must have
   * the video's width and height.
   */
  static FrameSource ofImages(Path imageRoot, YtvisDataset.Video video) {
    return new ImageFolderFrameSource(imageRoot, video.fileNames(), video.width(), video.height(),
        "video " + video.id());
  }

  /** Image files {@code imageRoot/fileNames[i]}; the size is that of the first frame. */
  static FrameSource ofImages(Path imageRoot, List<String> fileNames) {
    return new ImageFolderFrameSource(imageRoot, fileNames, -1, -1, null);
  }

  /** A video file decoded with FFmpeg (JavaCV); random access seeks by frame index. */
  static FrameSource ofVideoFile(Path file) {
    return new VideoFileFrameSource(file);
  }
}
