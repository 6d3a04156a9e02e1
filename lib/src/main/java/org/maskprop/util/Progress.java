package org.maskprop.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr for long work (data generation, evaluation, training, inference).
 *
 * <p>On a terminal it redraws one line; otherwise (logs, CI, notebooks) it prints a line at every
 * 10% so that logs stay short. {@code MASKPROP_PROGRESS=0} silences it. Not thread-safe.
 */
public final class Progress implements AutoCloseable {
  private final String label;
  private final long total;
  private final PrintStream out;
  private final boolean tty;
  private final boolean enabled;
  private final long startNanos = System.nanoTime();
  private long done;
  private int lastDecile = -1;
  private long lastDrawNanos;

  private Progress(String label, long total, PrintStream out, boolean tty, boolean enabled) {
    this.label = label;
    this.total = Math.max(0, total);
    this.out = out;
    this.tty = tty;
    this.enabled = enabled;
  }

  /** A bar over {@code total} steps on stderr. */
  public static Progress start(String label, long total) {
    boolean enabled = !"0".equals(System.getenv("MASKPROP_PROGRESS"));
    return new Progress(label, total, System.err, System.console() != null, enabled);
  }

  /** A bar that prints nothing (for library calls that must stay quiet). */
  public static Progress silent(String label, long total) {
    return new Progress(label, total, System.err, false, false);
  }

  public void step() {
    step(1);
  }

  public void step(long n) {
    done = Math.min(total, done + n);
    if (!enabled || total == 0) {
      return;
    }
    if (tty) {
      long now = System.nanoTime();
      if (done == total || now - lastDrawNanos > 100_000_000L) {
        lastDrawNanos = now;
        out.print("\r" + line());
        out.flush();
      }
    } else {
      int decile = (int) (done * 10 / total);
      if (decile > lastDecile) {
        lastDecile = decile;
        out.println(line());
      }
    }
  }

  public long done() {
    return done;
  }

  private String line() {
    int width = 30;
    int filled = (int) (done * width / Math.max(1, total));
    double secs = (System.nanoTime() - startNanos) / 1e9;
    double eta = done == 0 ? Double.NaN : secs * (total - done) / done;
    return String.format(
        Locale.ROOT,
        "%s [%s%s] %d/%d %.1fs%s",
        label,
        "#".repeat(filled),
        ".".repeat(width - filled),
        done,
        total,
        secs,
        done < total && !Double.isNaN(eta) ? String.format(Locale.ROOT, " (eta %.0fs)", eta) : "");
  }

  @Override
  public void close() {
    if (enabled && tty && total > 0) {
      out.println();
    }
  }
}
