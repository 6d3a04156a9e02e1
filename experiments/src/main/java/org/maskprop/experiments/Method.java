package org.maskprop.experiments;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.maskprop.infer.VideoMethods;

/**
 * A method a grid scores, by the name grid files use: a {@link VideoMethods} name (the rows of
 * Tables 2 and 3: {@code maskprop}, {@code iou-linking}, {@code deepsort}, {@code flow-propagation},
 * {@code masktrack}, as far as they are registered) or one of the two GT-based references. A name
 * is checked against the registry when the plan is validated ({@link MethodRegistry#runnerFor}),
 * before anything runs, so a method that is not registered stops the grid with the known names.
 *
 * @param label the name in grid files, params and result tables
 */
public record Method(String label) {
  /** MaskProp (Sec. 4): clip-level mask propagation, Eq. 4-5 video-level linking. */
  public static final Method MASKPROP = new Method("maskprop");
  /** GT-initialised zero-motion reference ({@code FirstFrameCopyBaseline.predict}); reads GT. */
  public static final Method REFERENCE_FIRST_FRAME_COPY = new Method("reference-first-frame-copy");
  /** The GT tracks submitted as results: a pipeline check that must score AP = 1; reads GT. */
  public static final Method REFERENCE_GT = new Method("reference-gt");
  /** The references: yardsticks that read GT, never a method row of a paper table. */
  public static final List<Method> REFERENCES = List.of(REFERENCE_FIRST_FRAME_COPY, REFERENCE_GT);

  public Method {
    ExperimentGrid.require(label != null && label.matches("[a-z0-9][a-z0-9-]*"), "methods",
        "a method name is lower-case letters, digits and '-', got " + label);
  }

  /** Parses a grid file's method name (any well-formed name; the registry decides if it runs). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Method of(String label) {
    return new Method(label);
  }

  @JsonValue
  @Override
  public String label() {
    return label;
  }

  /** A reference predictor that reads GT: never a method row of a paper table. */
  public boolean usesGroundTruth() {
    return REFERENCES.contains(this);
  }

  /** What a grid may list today: the registered video methods, then the references. */
  public static List<String> knownNames() {
    List<String> names = new ArrayList<>(VideoMethods.names());
    REFERENCES.forEach(r -> names.add(r.label()));
    return names;
  }

  @Override
  public String toString() {
    return label;
  }
}
