package org.maskprop.dataprep.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.maskprop.dataprep.synth.InstanceTrack.Motion;

/**
 * Draws one SynthVIS video ({@link SynthScene}) from a preset's {@link SynthParams} and a seeded
 * RNG. All random draws happen in a fixed order, so the scene is a pure function of the RNG's seed.
 *
 * <p>Motion: each instance moves with a speed and heading that ease (30% per frame) towards targets
 * that change at random frames, spins, and oscillates in size. A staying instance's path is folded
 * into the frame (it bounces off the borders); an entering one starts outside and crosses one
 * border, then bounces; a leaving one is an entering path played backwards. Crossing pairs are
 * placed so that they meet mid-video. Targeted static occluders are placed on an instance's path
 * so that it is fully hidden for a drawn number of frames and visible just before and just after;
 * a candidate that breaks this (or an earlier placement, or leaves an instance never visible) is
 * redrawn.
 */
public final class SynthSceneGenerator {
  /** Fraction of the way a speed or heading moves towards its target per frame. */
  private static final double EASE = 0.3;
  /** Scene redraws when an instance would never be visible. */
  private static final int SCENE_ATTEMPTS = 20;
  /** Candidates per targeted occluder. */
  private static final int OCCLUDER_ATTEMPTS = 30;
  /** Headings of an entering instance stay within this angle of the inward normal. */
  private static final double ENTER_CONE = Math.PI / 3;

  private SynthSceneGenerator() {}

  /** Draws a video of {@code frames} frames of {@code height x width}. */
  public static SynthScene generate(
      SynthParams p, int height, int width, int frames, Random rng) {
    if (height < 8 || width < 8 || frames < 1) {
      throw new IllegalArgumentException("frame size or count too small");
    }
    float[][] background = Background.render(height, width, rng);
    int n = p.instances().draw(rng);
    ShapeClass[] classes = new ShapeClass[n];
    for (int i = 0; i < n; i++) {
      classes[i] = ShapeClass.values()[rng.nextInt(ShapeClass.values().length)];
    }
    int[] pair = null;
    if (n >= 2 && rng.nextDouble() < p.sameClassPair()) {
      pair = randomPair(n, rng);
      classes[pair[1]] = classes[pair[0]];
    }
    int[] crossing = null;
    if (n >= 2 && rng.nextDouble() < p.crossing()) {
      crossing = pair != null ? pair : randomPair(n, rng);
    }
    double[] gains = new double[frames];
    for (int t = 0; t < frames; t++) {
      gains[t] = 1 + p.flicker() * (2 * rng.nextDouble() - 1);
    }
    long noiseSeed = rng.nextLong();

    SynthScene scene = null;
    for (int attempt = 0; attempt < SCENE_ATTEMPTS; attempt++) {
      List<InstanceTrack> tracks = tracks(p, height, width, frames, classes, crossing, rng);
      scene =
          new SynthScene(
              height, width, frames, p, background, tracks, List.of(), List.of(), gains, noiseSeed,
              crossing);
      if (everyInstanceVisible(labelsAll(scene))) {
        break;
      }
    }
    return placeOccluders(scene, rng);
  }

  private static int[] randomPair(int n, Random rng) {
    int i = rng.nextInt(n);
    int j = (i + 1 + rng.nextInt(n - 1)) % n;
    return new int[] {i, j};
  }

  private static List<InstanceTrack> tracks(
      SynthParams p,
      int h,
      int w,
      int frames,
      ShapeClass[] classes,
      int[] crossing,
      Random rng) {
    int n = classes.length;
    // meeting point of the crossing pair: centre third of the frame, middle half of the video
    int meetFrame = frames / 4 + rng.nextInt(Math.max(1, frames / 2));
    double meetX = w / 3.0 + rng.nextDouble() * w / 3.0;
    double meetY = h / 3.0 + rng.nextDouble() * h / 3.0;
    List<InstanceTrack> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean crosses = crossing != null && (i == crossing[0] || i == crossing[1]);
      Motion motion = Motion.STAY;
      if (!crosses && rng.nextDouble() < p.enterLeave()) {
        motion = rng.nextBoolean() ? Motion.ENTER : Motion.LEAVE;
      }
      double[] anchor = null;
      if (crosses) {
        double m = Math.min(h, w);
        double jitter = 0.05 * m;
        anchor =
            new double[] {
              meetFrame,
              meetX + jitter * (2 * rng.nextDouble() - 1),
              meetY + jitter * (2 * rng.nextDouble() - 1)
            };
      }
      out.add(track(p, h, w, frames, classes[i], motion, anchor, rng));
    }
    return out;
  }

  /**
   * One instance's path. {@code anchor} = {frame, x, y} pins a staying instance's centre at that
   * frame (crossing pairs); null draws the anchor at random.
   */
  private static InstanceTrack track(
      SynthParams p,
      int h,
      int w,
      int frames,
      ShapeClass shape,
      Motion motion,
      double[] anchor,
      Random rng) {
    double m = Math.min(h, w);
    double radius = p.radius().draw(rng) * m;
    float[] color = Palette.vivid(rng);
    int steps = frames + 2; // times -1 .. frames
    double amp = p.scaleAmplitude();
    double period = 8 + 16 * rng.nextDouble();
    double phase = 2 * Math.PI * rng.nextDouble();
    double[] scale = new double[steps];
    for (int k = 0; k < steps; k++) {
      scale[k] = 1 + amp * Math.sin(2 * Math.PI * (k - 1) / period + phase);
    }
    double bound = radius * (1 + amp); // the shape never leaves this disc around its centre

    // ENTER/LEAVE: the side crossed, and the inward normal's heading (image y points down)
    int side = motion == Motion.STAY ? -1 : rng.nextInt(4);
    double inward = side < 0 ? 0 : new double[] {0, Math.PI, Math.PI / 2, -Math.PI / 2}[side];

    double speed = p.speed().draw(rng) * m;
    double heading =
        side < 0 ? 2 * Math.PI * rng.nextDouble() : inward + ENTER_CONE * (2 * rng.nextDouble() - 1);
    double spin = p.maxSpin() * (2 * rng.nextDouble() - 1);
    double targetSpeed = speed;
    double targetHeading = heading;
    double[] rx = new double[steps];
    double[] ry = new double[steps];
    double[] angle = new double[steps];
    angle[0] = 2 * Math.PI * rng.nextDouble();
    for (int k = 1; k < steps; k++) {
      if (rng.nextDouble() < p.speedChange()) {
        targetSpeed = p.speed().draw(rng) * m;
        targetHeading = heading + p.maxTurn() * (2 * rng.nextDouble() - 1);
        if (side >= 0) {
          targetHeading = inward + clamp(wrap(targetHeading - inward), -ENTER_CONE, ENTER_CONE);
        }
        spin = p.maxSpin() * (2 * rng.nextDouble() - 1);
      }
      speed += EASE * (targetSpeed - speed);
      heading += EASE * (targetHeading - heading);
      rx[k] = rx[k - 1] + speed * Math.cos(heading);
      ry[k] = ry[k - 1] + speed * Math.sin(heading);
      angle[k] = angle[k - 1] + spin;
    }

    double[] x = new double[steps];
    double[] y = new double[steps];
    if (side < 0) {
      int at = anchor != null ? (int) anchor[0] : rng.nextInt(frames);
      double ax = anchor != null ? anchor[1] : bound + rng.nextDouble() * (w - 2 * bound);
      double ay = anchor != null ? anchor[2] : bound + rng.nextDouble() * (h - 2 * bound);
      for (int k = 0; k < steps; k++) {
        x[k] = fold(ax + rx[k] - rx[at + 1], bound, w - bound);
        y[k] = fold(ay + ry[k] - ry[at + 1], bound, h - bound);
      }
    } else {
      // along: depth past the crossed border (negative = outside); across: position along it
      boolean horizontal = side < 2;
      double alongLength = horizontal ? w : h;
      double acrossLength = horizontal ? h : w;
      double sign = side % 2 == 0 ? 1 : -1;
      // at the entry frame the centre is just outside the border: less than half the shape shows
      int entry = rng.nextInt(Math.max(1, (frames + 1) / 2));
      double alongAtEntry = -0.8 * bound * rng.nextDouble();
      double acrossAtEntry = bound + rng.nextDouble() * (acrossLength - 2 * bound);
      for (int k = 0; k < steps; k++) {
        double along = sign * ((horizontal ? rx : ry)[k] - (horizontal ? rx : ry)[entry + 1]);
        double across = (horizontal ? ry : rx)[k] - (horizontal ? ry : rx)[entry + 1];
        along += alongAtEntry;
        across += acrossAtEntry;
        // outside (or crossing) the border the path is free; inside it bounces
        double depth = along < bound ? along : fold(along, bound, alongLength - bound);
        double pos = side % 2 == 0 ? depth : alongLength - depth;
        double acrossPos = fold(across, bound, acrossLength - bound);
        x[k] = horizontal ? pos : acrossPos;
        y[k] = horizontal ? acrossPos : pos;
      }
      if (motion == Motion.LEAVE) {
        reverse(x);
        reverse(y);
        reverse(angle);
        reverse(scale);
      }
    }
    return new InstanceTrack(shape, color, radius, x, y, angle, scale, motion);
  }

  /** Reflects {@code v} into {@code [lo, hi]} as a bouncing point would be. */
  static double fold(double v, double lo, double hi) {
    double len = hi - lo;
    if (len <= 0) {
      return (lo + hi) / 2;
    }
    double d = (v - lo) % (2 * len);
    if (d < 0) {
      d += 2 * len;
    }
    return lo + (d <= len ? d : 2 * len - d);
  }

  private static double wrap(double a) {
    return Math.atan2(Math.sin(a), Math.cos(a));
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static void reverse(double[] a) {
    for (int i = 0, j = a.length - 1; i < j; i++, j--) {
      double t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** The ground truth of every frame. */
  static LabelFrame[] labelsAll(SynthScene scene) {
    LabelFrame[] out = new LabelFrame[scene.frames()];
    for (int t = 0; t < out.length; t++) {
      out[t] = SynthRenderer.labels(scene, t);
    }
    return out;
  }

  private static boolean everyInstanceVisible(LabelFrame[] labels) {
    int n = labels[0].visibleArea().length;
    boolean[] seen = new boolean[n];
    for (LabelFrame f : labels) {
      for (int i = 0; i < n; i++) {
        seen[i] |= f.present(i);
      }
    }
    for (boolean s : seen) {
      if (!s) {
        return false;
      }
    }
    return true;
  }

  private static SynthScene placeOccluders(SynthScene scene, Random rng) {
    SynthParams p = scene.params();
    int wanted = p.occluders().draw(rng);
    if (wanted == 0) {
      return scene;
    }
    int h = scene.height();
    int w = scene.width();
    int frames = scene.frames();
    int n = scene.instances().size();
    LabelFrame[] free = labelsAll(scene); // amodal boxes do not depend on occluders
    List<Occluder> occluders = new ArrayList<>();
    List<Occluder.Placement> placements = new ArrayList<>();
    for (int o = 0; o < wanted; o++) {
      for (int attempt = 0; attempt < OCCLUDER_ATTEMPTS; attempt++) {
        int target = rng.nextInt(n);
        boolean taken = false;
        for (Occluder.Placement pl : placements) {
          taken |= pl.instance() == target;
        }
        int hidden = p.hiddenFrames().draw(rng);
        int margin = rng.nextInt(2);
        double extend = 0.2 * Math.min(h, w) * rng.nextDouble();
        float[] color = Palette.muted(rng);
        double stripePeriod = 3 + 5 * rng.nextDouble();
        boolean vertical = rng.nextBoolean();
        if (taken || hidden + 2 > frames) {
          continue; // one occluder per instance; a frame before and after the run
        }
        int first = 1 + rng.nextInt(frames - hidden - 1); // a frame before and after the run
        int[] box = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE};
        boolean inFrame = true;
        for (int t = first; t < first + hidden; t++) {
          LabelFrame f = free[t];
          if (f.amodalArea()[target] < LabelFrame.MIN_VISIBLE_PIXELS) {
            inFrame = false;
            break;
          }
          box[0] = Math.min(box[0], f.amodalBox()[4 * target]);
          box[1] = Math.min(box[1], f.amodalBox()[4 * target + 1]);
          box[2] = Math.max(box[2], f.amodalBox()[4 * target + 2]);
          box[3] = Math.max(box[3], f.amodalBox()[4 * target + 3]);
        }
        if (!inFrame) {
          continue;
        }
        // a pillar across the direction of motion: extended on the axis the instance moved less
        InstanceTrack.Pose from = scene.instances().get(target).pose(first);
        InstanceTrack.Pose to = scene.instances().get(target).pose(first + hidden - 1);
        boolean movesAcross = Math.abs(to.x() - from.x()) >= Math.abs(to.y() - from.y());
        int ex = movesAcross ? 0 : (int) extend;
        int ey = movesAcross ? (int) extend : 0;
        Occluder occ =
            new Occluder(
                Math.max(0, box[0] - margin - ex),
                Math.max(0, box[1] - margin - ey),
                Math.min(w, box[2] + 1 + margin + ex),
                Math.min(h, box[3] + 1 + margin + ey),
                color,
                stripePeriod,
                vertical);
        if (occ.area() > p.maxOccluderArea() * h * w) {
          continue;
        }
        List<Occluder> occ2 = new ArrayList<>(occluders);
        occ2.add(occ);
        List<Occluder.Placement> placed2 = new ArrayList<>(placements);
        placed2.add(new Occluder.Placement(occluders.size(), target, first, hidden));
        SynthScene candidate = scene.withOccluders(occ2, placed2);
        LabelFrame[] labels = labelsAll(candidate);
        if (everyInstanceVisible(labels) && placementsHold(placed2, labels)) {
          occluders = occ2;
          placements = placed2;
          break;
        }
      }
    }
    return scene.withOccluders(occluders, placements);
  }

  /** Each placement hides its instance exactly during its run and shows it just before and after. */
  private static boolean placementsHold(List<Occluder.Placement> placements, LabelFrame[] labels) {
    for (Occluder.Placement pl : placements) {
      int i = pl.instance();
      int first = pl.firstFrame();
      int last = first + pl.frames() - 1;
      if (!labels[first - 1].present(i) || !labels[last + 1].present(i)) {
        return false;
      }
      for (int t = first; t <= last; t++) {
        if (labels[t].present(i)) {
          return false;
        }
      }
    }
    return true;
  }
}
