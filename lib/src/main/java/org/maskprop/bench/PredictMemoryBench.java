package org.maskprop.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.maskprop.config.MaskPropConfig;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.VideoPredictor;
import org.maskprop.model.ModelFactory;
import org.maskprop.model.VideoMaskRcnn;

/**
 * Resident memory of MaskProp inference ({@link VideoPredictor}) against video length ({@code bench
 * predict-memory}): an untrained model of a config (weights do not change the memory pattern, only
 * how many instances are tracked) runs on generated videos ({@link GeneratedFrameSource}) of each
 * given length in turn, in one process, with {@link RssSeries} sampled every {@code every} frames.
 * Streaming inference keeps a window of {@code T'} frames, so the resident size must not grow with
 * the length; only the results do (one entry per video-level instance and frame: with an untrained
 * model that links nothing, instances grow with the frames, so keep the detections per frame
 * small). {@code heap_mib} (live Java heap, which holds the results) is reported next to RSS.
 */
public final class PredictMemoryBench {
  /** Frames of the generated videos (SynthVIS's default size). */
  public static final int HEIGHT = 96;

  public static final int WIDTH = 128;

  private PredictMemoryBench() {}

  /**
   * @param lengths video lengths in frames, run in this order (e.g. 100 then 2000)
   * @param sink receives sample rows ({@code predict_memory}) and one summary row per video
   *     ({@code predict_memory_summary})
   */
  public static void run(MaskPropConfig config, List<Integer> lengths, int every, Consumer<Map<String, Object>> sink) {
    try (NDManager m = NDManager.newBaseManager()) {
      FrameTransform t = FrameTransform.resizeShorter(HEIGHT, WIDTH, config.data().minSize(), config.data().maxSize(),
          false);
      VideoMaskRcnn model = ModelFactory.build(config, m, config.data().minSize(), config.data().maxSize());
      ParameterStore ps = new ParameterStore(m, false);
      int videoId = 0;
      for (int frames : lengths) {
        videoId++;
        RssSeries series = new RssSeries();
        int id = videoId;
        GeneratedFrameSource source = new GeneratedFrameSource(frames, HEIGHT, WIDTH, 3, config.seed(), f -> {
          if (f % every == 0) {
            RssSeries.Sample s = series.sample(f);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("op", "predict_memory");
            row.put("video_frames", frames);
            row.put("frame", f);
            row.put("rss_mib", RssSeries.round1(s.rssMiB()));
            row.put("heap_mib", RssSeries.round1(s.heapMiB()));
            row.put("native_mib", RssSeries.round1(s.nativeMiB()));
            sink.accept(row);
          }
        });
        long t0 = System.nanoTime();
        List<YtvisResult> results = VideoPredictor.predict(ps, model, source, id, config.infer(), t, c -> c, false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        series.sample(frames);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("op", "predict_memory_summary");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("preset", config.preset());
        params.put("video_frames", frames);
        params.put("frame", List.of(HEIGHT, WIDTH));
        params.put("model_input", List.of(t.outHeight(), t.outWidth()));
        params.put("clip_length", config.infer().clipLength());
        params.put("detections_per_frame", config.roiHeads().detectionsPerImage());
        params.put("every", every);
        summary.put("params", params);
        summary.putAll(series.summary(Math.min(100, frames)));
        summary.put("ms_per_frame", RssSeries.round1(seconds * 1e3 / frames));
        summary.put("instances", results.size());
        summary.put("threads", OpTimer.engineThreads());
        summary.put("impl", "maskprop-djl");
        sink.accept(summary);
      }
    }
  }
}
