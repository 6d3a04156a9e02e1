package org.maskprop.dataprep.synth;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.maskprop.dataprep.synth.SynthParams.IntRange;
import org.maskprop.dataprep.synth.SynthParams.Range;

/**
 * SynthVIS difficulty presets (DESIGN.md section 5), fixed before any method is tuned. This enum is
 * the single source of the numbers; data-prep/README.md repeats them as {@link #markdownTable()}.
 *
 * <ul>
 *   <li>{@code easy}: 1-3 instances, slow motion, no occluders, no blur.
 *   <li>{@code occlusion}: 2-4 instances, a same-class pair in most videos, crossing paths, static
 *       occluders that hide an instance for 1-6 frames.
 *   <li>{@code blur}: 1-3 instances, fast motion with motion blur, stronger flicker.
 *   <li>{@code crowded}: 5-8 smaller instances.
 * </ul>
 */
public enum SynthPreset {
  EASY(
      new SynthParams(
          new IntRange(1, 3), // instances
          new Range(0.10, 0.20), // radius
          new Range(0.005, 0.02), // speed
          0.05, // speedChange
          0.5, // maxTurn
          0.03, // maxSpin
          0.10, // scaleAmplitude
          0.15, // enterLeave
          0.30, // sameClassPair
          0.0, // crossing
          new IntRange(0, 0), // occluders
          new IntRange(0, 0), // hiddenFrames
          0.0, // maxOccluderArea
          0.0, // blurExposure
          1, // blurSamples
          0.02, // flicker
          2.0)), // noise
  OCCLUSION(
      new SynthParams(
          new IntRange(2, 4),
          new Range(0.10, 0.18),
          new Range(0.015, 0.04),
          0.10,
          0.8,
          0.06,
          0.15,
          0.20,
          0.80,
          0.80,
          new IntRange(1, 2),
          new IntRange(1, 6),
          0.20,
          0.0,
          1,
          0.04,
          3.0)),
  BLUR(
      new SynthParams(
          new IntRange(1, 3),
          new Range(0.10, 0.18),
          new Range(0.05, 0.10),
          0.15,
          1.0,
          0.15,
          0.20,
          0.30,
          0.30,
          0.0,
          new IntRange(0, 0),
          new IntRange(0, 0),
          0.0,
          1.0,
          7,
          0.06,
          3.0)),
  CROWDED(
      new SynthParams(
          new IntRange(5, 8),
          new Range(0.07, 0.13),
          new Range(0.01, 0.03),
          0.10,
          0.8,
          0.06,
          0.15,
          0.20,
          0.50,
          0.50,
          new IntRange(0, 0),
          new IntRange(0, 0),
          0.0,
          0.0,
          1,
          0.04,
          3.0));

  private final SynthParams params;

  SynthPreset(SynthParams params) {
    this.params = params;
  }

  public SynthParams params() {
    return params;
  }

  /** The name used on the command line and in the dataset's {@code synthvis.json}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a preset name (case-insensitive). */
  public static SynthPreset parse(String name) {
    for (SynthPreset p : values()) {
      if (p.label().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown SynthVIS preset '" + name + "'");
  }

  /** The parameter table of all presets as Markdown (rows = parameters, columns = presets). */
  public static String markdownTable() {
    List<Row> rows =
        List.of(
            new Row("instances per video", p -> ints(p.instances())),
            new Row("radius (x min side)", p -> range(p.radius())),
            new Row("speed (x min side / frame)", p -> range(p.speed())),
            new Row("speed-change probability / frame", p -> num(p.speedChange())),
            new Row("max turn at a change (rad)", p -> num(p.maxTurn())),
            new Row("max spin (rad / frame)", p -> num(p.maxSpin())),
            new Row("scale amplitude (+-)", p -> num(p.scaleAmplitude())),
            new Row("enter/leave probability / instance", p -> num(p.enterLeave())),
            new Row("same-class pair probability / video", p -> num(p.sameClassPair())),
            new Row("crossing-paths probability / video", p -> num(p.crossing())),
            new Row("static occluders / video", p -> ints(p.occluders())),
            new Row(
                "frames an occluder hides its instance",
                p -> p.occluders().max() == 0 ? "-" : ints(p.hiddenFrames())),
            new Row(
                "max occluder area (x frame)",
                p -> p.occluders().max() == 0 ? "-" : num(p.maxOccluderArea())),
            new Row("motion-blur exposure (x frame interval)", p -> num(p.blurExposure())),
            new Row("motion-blur sub-frames", p -> Integer.toString(p.blurSamples())),
            new Row("flicker (gain +-)", p -> num(p.flicker())),
            new Row("sensor noise (sigma, grey levels)", p -> num(p.noise())));
    StringBuilder sb = new StringBuilder("| parameter |");
    for (SynthPreset p : values()) {
      sb.append(" `").append(p.label()).append("` |");
    }
    sb.append("\n|---|");
    sb.append("---|".repeat(values().length)).append('\n');
    for (Row row : rows) {
      sb.append("| ").append(row.name()).append(" |");
      for (SynthPreset p : values()) {
        sb.append(' ').append(row.value().apply(p.params())).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private record Row(String name, Function<SynthParams, String> value) {}

  private static String ints(IntRange r) {
    return r.min() == r.max() ? Integer.toString(r.min()) : r.min() + "-" + r.max();
  }

  private static String range(Range r) {
    return num(r.min()) + "-" + num(r.max());
  }

  private static String num(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
