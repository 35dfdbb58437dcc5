package org.wild3d.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * One progress line per report: done/total with units, rate, ETA and free-form fields. Lines (not
 * carriage returns) so logs and pipes stay readable.
 */
public final class Progress {
  private final PrintWriter out;
  private final String what;
  private final double total;
  private final String unit;
  private final long startNanos;
  private final double startDone;
  private double excludedSeconds;

  /**
   * @param what label, e.g. {@code "train"}
   * @param total total amount of work in {@code unit}s (e.g. kimg)
   * @param startDone work already done when this progress starts (resume)
   */
  public Progress(PrintWriter out, String what, double total, String unit, double startDone) {
    this.out = out;
    this.what = what;
    this.total = total;
    this.unit = unit;
    this.startDone = startDone;
    this.startNanos = System.nanoTime();
  }

  /** Work already done when this progress started. */
  public double startDone() {
    return startDone;
  }

  /** Seconds since this progress started. */
  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /**
   * Leaves {@code seconds} of work that is not progress (e.g. metrics) out of the rate; the
   * elapsed time still counts them.
   */
  public void exclude(double seconds) {
    excludedSeconds += seconds;
  }

  /** Seconds since this progress started, less those {@link #exclude excluded}. */
  public double workSeconds() {
    return elapsedSeconds() - excludedSeconds;
  }

  /** Prints {@code done} with rate, ETA and {@code fields} (already formatted "k v" pairs). */
  public String report(double done, String fields) {
    double secs = elapsedSeconds();
    double rate = (done - startDone) / Math.max(workSeconds(), 1e-9); // units per second
    double eta = rate > 0 ? (total - done) / rate : Double.POSITIVE_INFINITY;
    String line =
        String.format(
            Locale.ROOT,
            "%s %.3f/%.3f %s (%.1f%%)  %s  elapsed %s  ETA %s  %s",
            what,
            done,
            total,
            unit,
            100 * done / Math.max(total, 1e-12),
            rate > 0 ? String.format(Locale.ROOT, "%.2f sec/%s", 1 / rate, unit) : "-",
            duration(secs),
            Double.isFinite(eta) ? duration(eta) : "-",
            fields);
    out.println(line.strip());
    out.flush();
    return line;
  }

  /** {@code 1h02m03s} style durations. */
  public static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
  }
}
