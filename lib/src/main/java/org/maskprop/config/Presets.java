package org.maskprop.config;

import java.util.List;
import org.maskprop.InputException;
import org.maskprop.config.BackboneConfig.Arch;
import org.maskprop.config.PropagationConfig.MaskSource;

/**
 * Presets as code (DESIGN.md section 4): {@code cpu-tiny} (tests: seconds), {@code cpu-synthetic}
 * (the demo: minutes on 2 cores), and the paper-scale {@code ytvis-r50}, {@code ytvis-r101},
 * {@code ytvis-x101} (one GPU per clip; not verified on a GPU here).
 */
public final class Presets {
  private Presets() {}

  public static List<String> names() {
    return List.of("cpu-tiny", "cpu-synthetic", "ytvis-r50", "ytvis-r101", "ytvis-x101");
  }

  /** A preset at its own iteration count. */
  public static MaskPropConfig get(String name) {
    return get(name, 0);
  }

  /**
   * A preset run for {@code iterations} iterations (0: the preset's own count), with the values it
   * derives from the count moved along: the warm-up length, the LR steps and the checkpoint period.
   * {@link MaskPropConfig#fromPreset} and {@link MaskPropConfig#load} use it when {@code
   * train.iterations} is overridden, then apply the overrides again so that an explicit value wins.
   */
  public static MaskPropConfig get(String name, int iterations) {
    return switch (name) {
      case "cpu-tiny" -> cpu("cpu-tiny", Arch.R18, 32, 8, 64, 96, or(iterations, 30), PAPER_ANCHORS, false, 1.0);
      // anchors scaled to 96x128 frames, GroupNorm (from scratch), tracking loss weight 0.1 [U] (at 1
      // the joint tracking head cut the detector's frame AP from 0.066 to 0.008): session-2 notes
      case "cpu-synthetic" -> cpu("cpu-synthetic", Arch.R18, 64, 4, 96, 160, or(iterations, 5000), SMALL_ANCHORS,
          true, 0.1);
      case "ytvis-r50" -> ytvis("ytvis-r50", Arch.R50, or(iterations, YTVIS_STEPS));
      case "ytvis-r101" -> ytvis("ytvis-r101", Arch.R101, or(iterations, YTVIS_STEPS));
      case "ytvis-x101" -> ytvis("ytvis-x101", Arch.X101_64X4D, or(iterations, YTVIS_STEPS));
      default -> throw new InputException(
          "unknown preset '" + name + "' (known: " + String.join(", ", names()) + ")");
    };
  }

  private static int or(int iterations, int presetIterations) {
    return iterations > 0 ? iterations : presetIterations;
  }

  /** Anchor sizes of P2..P6 in torchvision's Mask R-CNN (frames of 800 px). */
  private static final List<Integer> PAPER_ANCHORS = List.of(32, 64, 128, 256, 512);

  /** Anchor sizes for SynthVIS frames (96x128: objects of 10-35 px) [U]. */
  private static final List<Integer> SMALL_ANCHORS = List.of(8, 16, 32, 64, 128);

  /**
   * Small networks on SynthVIS: reduced width (widthDivisor) and resolution, labelled as such;
   * {@code groupNorm}: the backbone trains from scratch with GroupNorm (no ImageNet weights here).
   */
  private static MaskPropConfig cpu(String name, Arch arch, int fpn, int widthDivisor, int minSize, int maxSize,
      int iterations, List<Integer> anchors, boolean groupNorm, double trackLossWeight) {
    return new MaskPropConfig(
        name,
        0,
        new DataConfig("data/synthvis", "train", "valid", null, 8, minSize, maxSize),
        new BackboneConfig(arch, fpn, true, 0, widthDivisor, groupNorm),
        rpn(anchors, new TrainTest<>(600, 300), new TrainTest<>(300, 100)),
        new RoiHeadsConfig(1, List.of(0.5), List.of(1.0), true, 64, 0.25, 2, 14, false, 0.2, 0.1, 0.5, 20),
        new PropagationConfig(fpn / 2, List.of(3, 6, 12), true, 1.0, MaskSource.GT, 1.0),
        new RefineConfig(false, 64, 16, 1),
        new TrainConfig(iterations, 0.01, 0.9, 1e-4, Math.min(100, iterations / 10), 0.001,
            List.of(iterations * 8 / 10), 0.1, 10.0, 5, List.of(minSize), 0.5, 1,
            Math.max(10, iterations / 5), 3, List.of()),
        new InferConfig(13, 0.1, 0.5, 0.5, 300),
        cpuTrack(widthDivisor, trackLossWeight));
  }

  /** 20 epochs of 2,238 videos, one clip per GPU on 64 GPUs [R?]. */
  private static final int YTVIS_STEPS = 20 * 2238 / 64;

  /**
   * Paper scale (Sec. 4.4; [R?] values as NOTES.md restores them). LR steps at epochs 16 and 19 of
   * 20 whatever the length; the 500-iteration warm-up is cut to the run when shorter.
   */
  private static MaskPropConfig ytvis(String name, Arch arch, int steps) {
    return new MaskPropConfig(
        name,
        0,
        new DataConfig("data/youtube-vis-2019", "train", "valid", null, 40, 400, 1333),
        new BackboneConfig(arch, 256, true, 1, 1),
        rpn(PAPER_ANCHORS, new TrainTest<>(2000, 1000), new TrainTest<>(2000, 1000)),
        new RoiHeadsConfig(3, List.of(0.5, 0.6, 0.7), List.of(1.0, 0.5, 0.25), true, 512, 0.25, 4, 28,
            true, 0.2, 0.1, 0.5, 100),
        new PropagationConfig(128, List.of(3, 6, 12), true, 1.0, MaskSource.GT, 1.0),
        new RefineConfig(true, 384, 128, 3),
        new TrainConfig(steps, 0.008, 0.9, 1e-4, Math.min(500, steps), 1.0 / 3, List.of(steps * 16 / 20, steps * 19 / 20),
            0.1, 35.0, 5, List.of(400, 800), 0.5, 1, Math.max(1, steps / 20), 3, List.of()),
        new InferConfig(13, 0.1, 0.5, 0.5, 1000),
        TrackConfig.paper(false)); // MaskProp's own training has no tracking head
  }

  /**
   * The tracking head trains jointly in the CPU presets (the demo runs the masktrack baseline): FC and
   * embedding widths 1024 / widthDivisor (at least 16) [U], MaskTrack R-CNN's loss weight and cues.
   */
  private static TrackConfig cpuTrack(int widthDivisor, double lossWeight) {
    int width = Math.max(16, 1024 / widthDivisor);
    TrackConfig paper = TrackConfig.paper(true);
    return new TrackConfig(true, width, width, lossWeight, paper.roisPerInstance(), paper.scoreWeight(),
        paper.iouWeight(), paper.categoryWeight());
  }

  private static RpnConfig rpn(List<Integer> anchors, TrainTest<Integer> pre, TrainTest<Integer> post) {
    return new RpnConfig(anchors, List.of(0.5, 1.0, 2.0), pre, post, 0.7, 0.7, 0.3,
        256, 0.5);
  }
}
