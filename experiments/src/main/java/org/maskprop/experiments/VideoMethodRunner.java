package org.maskprop.experiments;

import java.util.ArrayList;
import java.util.List;
import org.maskprop.config.DataConfig;
import org.maskprop.data.CategoryIndex;
import org.maskprop.data.FrameSource;
import org.maskprop.data.FrameTransform;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisResult;
import org.maskprop.infer.VideoMethod;
import org.maskprop.util.Progress;

/**
 * A {@link VideoMethod} at a grid point: the point's detector from the grid's {@link
 * TrainedDetectors} (trained on first use of its training config, shared with every other method
 * and point that trains the same way), then the method on every video of the split, frames resized
 * as training sized them (shorter side {@code data.minSize}, longer at most {@code data.maxSize}),
 * detector classes mapped back to the split's category ids. The method child run is tagged with the
 * training run and folder of its detector; the per-step losses are on that training child run.
 */
final class VideoMethodRunner implements MethodRunner {
  private final VideoMethod method;

  VideoMethodRunner(VideoMethod method) {
    this.method = method;
  }

  @Override
  public List<YtvisResult> run(MethodContext ctx) {
    TrainedDetectors.Detector d = ctx.detectors().get(ctx.config());
    ctx.tags().tag(TrainedDetectors.TAG_TRAIN_KEY, d.key());
    ctx.tags().tag(TrainedDetectors.TAG_TRAIN_DIR, d.runDir().toAbsolutePath().normalize().toString());
    if (d.trainRunId() != null) {
      ctx.tags().tag(TrainedDetectors.TAG_TRAIN_RUN, d.trainRunId());
    }
    DataConfig dc = ctx.config().data();
    CategoryIndex categories = CategoryIndex.of(ctx.gt());
    List<YtvisResult> all = new ArrayList<>();
    try (Progress progress = Progress.start(method.name() + " " + ctx.split().label(), ctx.gt().videos().size())) {
      for (YtvisDataset.Video v : ctx.gt().videos()) {
        try (FrameSource frames = FrameSource.ofImages(ctx.imageRoot(), v)) {
          FrameTransform t = FrameTransform.resizeShorter(v.height(), v.width(), dc.minSize(), dc.maxSize(), false);
          all.addAll(method.predict(d.ps(), d.model(), frames, v.id(), ctx.config().infer(), t,
              categories::categoryId, false));
        }
        progress.step();
      }
    }
    return all;
  }

  @Override
  public String toString() {
    return method.name();
  }
}
