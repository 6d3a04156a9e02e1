package org.maskprop.dataprep.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Each preset honours its documented parameters over many generated videos. */
class SynthVisPresetTest {
  private static final int H = 64;
  private static final int W = 80;
  private static final int FRAMES = 12;
  private static final int VIDEOS = 60;

  private static SynthVisSpec spec(SynthPreset p) {
    return new SynthVisSpec(p, VIDEOS, 2, 2, FRAMES, H, W, 2024, 1);
  }

  private static LabelFrame[] labels(SynthScene s) {
    LabelFrame[] out = new LabelFrame[s.frames()];
    for (int t = 0; t < out.length; t++) {
      out[t] = SynthRenderer.labels(s, t);
    }
    return out;
  }

  @Test
  void instanceCountsSpeedsAndOccluderAbsenceFollowEachPreset() {
    Map<SynthPreset, Double> meanStep = new EnumMap<>(SynthPreset.class);
    for (SynthPreset preset : SynthPreset.values()) {
      SynthParams p = preset.params();
      double maxStep = p.speed().max() * Math.min(H, W);
      double sum = 0;
      int steps = 0;
      TreeSet<Integer> counts = new TreeSet<>();
      for (int v = 0; v < VIDEOS; v++) {
        SynthScene s = SynthVis.scene(spec(preset), "train", v);
        int n = s.instances().size();
        counts.add(n);
        assertTrue(n >= p.instances().min() && n <= p.instances().max(), preset + ": " + n);
        LabelFrame[] labels = labels(s);
        for (int i = 0; i < n; i++) {
          boolean seen = false;
          for (LabelFrame f : labels) {
            seen |= f.present(i);
          }
          assertTrue(seen, preset + " video " + v + ": instance " + i + " never visible");
          InstanceTrack track = s.instances().get(i);
          for (int t = 0; t + 1 < FRAMES; t++) {
            double step = track.step(t);
            assertTrue(step <= maxStep + 1e-9, preset + ": step " + step + " > " + maxStep);
            sum += step;
            steps++;
          }
        }
        if (p.occluders().max() == 0) {
          assertTrue(s.occluders().isEmpty(), preset + " has occluders");
        }
      }
      // the whole documented range of instance counts occurs
      assertEquals(p.instances().min(), counts.first(), preset.toString());
      assertEquals(p.instances().max(), counts.last(), preset.toString());
      meanStep.put(preset, sum / steps);
    }
    for (SynthPreset other : SynthPreset.values()) {
      if (other != SynthPreset.BLUR) {
        assertTrue(
            meanStep.get(SynthPreset.BLUR) > 2 * meanStep.get(other),
            "blur is not faster than " + other + ": " + meanStep);
      }
    }
    assertTrue(meanStep.get(SynthPreset.EASY) < meanStep.get(SynthPreset.OCCLUSION), "" + meanStep);
  }

  @Test
  void occlusionPresetHidesInstancesAndShowsThemAgain() {
    int withPlacement = 0;
    int sameClass = 0;
    int crossing = 0;
    int partlyHidden = 0;
    TreeSet<Integer> hiddenLengths = new TreeSet<>();
    for (int v = 0; v < VIDEOS; v++) {
      SynthScene s = SynthVis.scene(spec(SynthPreset.OCCLUSION), "train", v);
      LabelFrame[] labels = labels(s);
      int n = s.instances().size();
      if (!s.placements().isEmpty()) {
        withPlacement++;
      }
      for (Occluder.Placement pl : s.placements()) {
        int i = pl.instance();
        int first = pl.firstFrame();
        int last = first + pl.frames() - 1;
        hiddenLengths.add(pl.frames());
        assertTrue(pl.frames() >= 1 && pl.frames() <= 6, "hidden " + pl.frames() + " frames");
        assertTrue(labels[first - 1].present(i), "not visible before the occluder: " + pl);
        assertTrue(labels[last + 1].present(i), "not visible after the occluder: " + pl);
        for (int t = first; t <= last; t++) {
          assertFalse(labels[t].present(i), "visible behind the occluder: " + pl);
          assertTrue(labels[t].amodalArea()[i] >= LabelFrame.MIN_VISIBLE_PIXELS, "not in frame");
        }
        Occluder o = s.occluders().get(pl.occluder());
        assertTrue(o.area() <= SynthPreset.OCCLUSION.params().maxOccluderArea() * H * W);
      }
      // occluders are not annotated: no label under them
      for (Occluder o : s.occluders()) {
        for (LabelFrame f : labels) {
          for (int y = o.y0(); y < o.y1(); y++) {
            for (int x = o.x0(); x < o.x1(); x++) {
              assertEquals(0, f.label()[y * W + x]);
            }
          }
        }
      }
      boolean pair = false;
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          pair |= s.instances().get(i).shape() == s.instances().get(j).shape();
        }
      }
      if (pair) {
        sameClass++;
      }
      if (s.crossingPair() != null) {
        InstanceTrack a = s.instances().get(s.crossingPair()[0]);
        InstanceTrack b = s.instances().get(s.crossingPair()[1]);
        double closest = Double.POSITIVE_INFINITY;
        for (int t = 0; t < FRAMES; t++) {
          closest =
              Math.min(closest, Math.hypot(a.pose(t).x() - b.pose(t).x(), a.pose(t).y() - b.pose(t).y()));
        }
        assertTrue(closest < 0.5 * (a.radius() + b.radius()), "crossing pair never meets");
        crossing++;
      }
      boolean partly = false;
      for (LabelFrame f : labels) {
        for (int i = 0; i < n; i++) {
          partly |= f.present(i) && f.visibleArea()[i] < f.amodalArea()[i];
        }
      }
      if (partly) {
        partlyHidden++;
      }
    }
    // documented: occluders 1-2 (placed when a path allows), same-class pair p = 0.8, crossing 0.8
    assertTrue(withPlacement >= 0.8 * VIDEOS, "videos with an occluder placement: " + withPlacement);
    assertTrue(hiddenLengths.size() >= 4, "hidden lengths " + hiddenLengths);
    assertTrue(sameClass >= 0.7 * VIDEOS, "videos with a same-class pair: " + sameClass);
    assertTrue(crossing >= 0.65 * VIDEOS && crossing <= 0.95 * VIDEOS, "crossing " + crossing);
    assertTrue(partlyHidden >= 0.8 * VIDEOS, "videos with a partly hidden instance: " + partlyHidden);
  }

  @Test
  void instancesEnterAndLeaveTheFrame() {
    int entered = 0;
    int left = 0;
    for (SynthPreset preset : SynthPreset.values()) {
      for (int v = 0; v < VIDEOS; v++) {
        SynthScene s = SynthVis.scene(spec(preset), "valid", v);
        LabelFrame[] labels = labels(s);
        for (int i = 0; i < s.instances().size(); i++) {
          InstanceTrack.Motion m = s.instances().get(i).motion();
          // out of the frame entirely (no amodal pixel) at one end, visible at some other frame
          if (m == InstanceTrack.Motion.ENTER && labels[0].amodalArea()[i] == 0) {
            entered++;
          }
          if (m == InstanceTrack.Motion.LEAVE && labels[FRAMES - 1].amodalArea()[i] == 0) {
            left++;
          }
          if (m == InstanceTrack.Motion.STAY) {
            for (LabelFrame f : labels) {
              assertTrue(f.amodalArea()[i] > 0, "a staying instance left the frame");
            }
          }
        }
      }
    }
    assertTrue(entered >= 10, "instances entering from outside: " + entered);
    assertTrue(left >= 10, "instances leaving completely: " + left);
  }

  @Test
  void motionBlurSmoothsTheImage() {
    SynthParams blur = SynthPreset.BLUR.params();
    SynthParams sharp =
        new SynthParams(
            blur.instances(), blur.radius(), blur.speed(), blur.speedChange(), blur.maxTurn(),
            blur.maxSpin(), blur.scaleAmplitude(), blur.enterLeave(), blur.sameClassPair(),
            blur.crossing(), blur.occluders(), blur.hiddenFrames(), blur.maxOccluderArea(), 0.0,
            1, blur.flicker(), blur.noise());
    double blurred = 0;
    double crisp = 0;
    for (int v = 0; v < 8; v++) {
      SynthScene s = SynthVis.scene(spec(SynthPreset.BLUR), "test", v);
      SynthScene t =
          new SynthScene(
              s.height(), s.width(), s.frames(), sharp, s.background(), s.instances(),
              s.occluders(), s.placements(), s.gains(), s.noiseSeed(), s.crossingPair());
      blurred += edgeEnergy(SynthRenderer.image(s, 5));
      crisp += edgeEnergy(SynthRenderer.image(t, 5));
    }
    assertTrue(blurred < 0.9 * crisp, "blurred " + blurred + " vs crisp " + crisp);
  }

  /** Sum of squared differences between neighbouring pixels (all channels). */
  private static double edgeEnergy(BufferedImage img) {
    double e = 0;
    for (int y = 0; y + 1 < img.getHeight(); y++) {
      for (int x = 0; x + 1 < img.getWidth(); x++) {
        int c = img.getRGB(x, y);
        int r = img.getRGB(x + 1, y);
        int d = img.getRGB(x, y + 1);
        for (int shift = 0; shift <= 16; shift += 8) {
          int v = (c >> shift) & 255;
          e += Math.pow(v - ((r >> shift) & 255), 2) + Math.pow(v - ((d >> shift) & 255), 2);
        }
      }
    }
    return e;
  }
}
