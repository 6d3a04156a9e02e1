package org.maskprop.data;

/**
 * One training sample before loading: frames {@code t} and {@code tPrime} of a video, and the
 * instances (annotation ids) of frame {@code t}, split by whether they are present in {@code
 * tPrime}. The propagation loss (Eq. 2) compares each instance of {@code t} with its mask in {@code
 * tPrime}: the present ones have a GT mask there, the absent ones an empty target mask.
 *
 * @param trackIds instances of frame {@code t} in annotation order (never empty)
 * @param presentInTPrime the {@code trackIds} that are also instances of {@code tPrime}, same order
 * @param absentInTPrime the other {@code trackIds}, same order
 */
public record FramePair(int videoId, int t, int tPrime, int[] trackIds, int[] presentInTPrime, int[] absentInTPrime) {
  public FramePair {
    trackIds = trackIds.clone();
    presentInTPrime = presentInTPrime.clone();
    absentInTPrime = absentInTPrime.clone();
    if (presentInTPrime.length + absentInTPrime.length != trackIds.length) {
      throw new IllegalArgumentException("present + absent must partition the track ids");
    }
  }

  /** {@code tPrime - t}, in annotated frames. */
  public int gap() {
    return tPrime - t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FramePair p && p.videoId == videoId && p.t == t && p.tPrime == tPrime
        && java.util.Arrays.equals(p.trackIds, trackIds)
        && java.util.Arrays.equals(p.presentInTPrime, presentInTPrime)
        && java.util.Arrays.equals(p.absentInTPrime, absentInTPrime);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(videoId, t, tPrime, java.util.Arrays.hashCode(trackIds),
        java.util.Arrays.hashCode(presentInTPrime));
  }

  @Override
  public String toString() {
    return "FramePair[video " + videoId + ", t=" + t + ", t'=" + tPrime + ", tracks="
        + java.util.Arrays.toString(trackIds) + ", absent in t'=" + java.util.Arrays.toString(absentInTPrime) + "]";
  }
}
