package org.maskprop.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maskprop synth}: generates a SynthVIS dataset (composition of {@link SynthVis} only). */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generate SynthVIS, the procedural video instance segmentation benchmark, in the "
          + "YouTube-VIS 2019 layout: OUT/{train,valid,test}/JPEGImages/<video>/<frame>.jpg and "
          + "OUT/{train,valid,test}.json, with GT for every split. The same arguments give "
          + "byte-identical files.",
      "Presets (parameters in data-prep/README.md): easy = 1-3 instances, slow, no occluders; "
          + "occlusion = 2-4 instances, same-class pairs, crossing paths, static occluders hiding "
          + "an instance for 1-6 frames; blur = fast motion with motion blur; crowded = 5-8 "
          + "instances.",
      "If OUT holds a previous SynthVIS dataset (OUT/synthvis.json), its splits are replaced; "
          + "other files named like the splits are never overwritten (exit 2)."
    })
final class SynthCommand implements Callable<Integer> {

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Output folder (default: data/synthvis-<preset>).")
  Path out;

  @Option(
      names = "--preset",
      paramLabel = "NAME",
      converter = PresetConverter.class,
      completionCandidates = PresetNames.class,
      defaultValue = "easy",
      description = "Difficulty preset: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  SynthPreset preset;

  @Option(
      names = "--videos",
      paramLabel = "N",
      defaultValue = "" + SynthVisSpec.DEFAULT_VIDEOS,
      description = "Training videos (default: ${DEFAULT-VALUE}).")
  int videos;

  @Option(
      names = "--valid-videos",
      paramLabel = "N",
      description = "Videos of the valid split (default: max(2, videos / 4)).")
  Integer validVideos;

  @Option(
      names = "--test-videos",
      paramLabel = "N",
      description = "Videos of the test split (default: max(2, videos / 4)).")
  Integer testVideos;

  @Option(
      names = "--frames",
      paramLabel = "F",
      defaultValue = "" + SynthVisSpec.DEFAULT_FRAMES,
      description = "Frames per video (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(
      names = "--size",
      paramLabel = "HxW",
      defaultValue = SynthVisSpec.DEFAULT_SIZE,
      description = "Frame height x width in pixels (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "" + SynthVisSpec.DEFAULT_SEED,
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--threads",
      paramLabel = "T",
      defaultValue = "" + SynthVisSpec.DEFAULT_THREADS,
      description = "Videos generated in parallel; the output does not depend on it "
          + "(default: ${DEFAULT-VALUE}).")
  int threads;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    SynthVisSpec s =
        SynthVisSpec.of(preset, videos, validVideos, testVideos, frames, size, seed, threads);
    Path dir = out != null ? out : Path.of("data", "synthvis-" + preset.label());
    var err = spec.commandLine().getErr();
    if (SynthVis.checkOutput(dir) == SynthVis.OutputState.PREVIOUS_SYNTHVIS) {
      err.println("maskprop synth: replacing the SynthVIS dataset in " + dir);
      err.flush();
    }
    long start = System.nanoTime();
    SynthVis.Summary summary = SynthVis.generate(s, dir, true);
    double secs = (System.nanoTime() - start) / 1e9;
    var o = spec.commandLine().getOut();
    o.printf(
        Locale.ROOT,
        "SynthVIS %s: %d frames of %dx%d per video, seed %d, in %.1fs%n",
        preset.label(),
        s.frames(),
        s.height(),
        s.width(),
        s.seed(),
        secs);
    for (SynthVis.SplitSummary split : summary.splits()) {
      o.printf(
          Locale.ROOT,
          "  %-5s %4d videos %5d instances -> %s%n",
          split.split(),
          split.videos(),
          split.instances(),
          split.json());
    }
    o.flush();
    return 0;
  }

  /** Case-insensitive preset names. */
  static final class PresetConverter implements CommandLine.ITypeConverter<SynthPreset> {
    @Override
    public SynthPreset convert(String value) {
      try {
        return SynthPreset.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "unknown preset '" + value + "' (easy, occlusion, blur, crowded)");
      }
    }
  }

  /** Preset names for the help text. */
  static final class PresetNames extends java.util.ArrayList<String> {
    PresetNames() {
      for (SynthPreset p : SynthPreset.values()) {
        add(p.label());
      }
    }
  }
}
