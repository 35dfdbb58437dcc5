package org.wild3d.log;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Console progress of a long job, one line at a time (no carriage returns, so logs and pipes stay
 * readable): done/total with units, percentage, rate, elapsed time, ETA and free-form fields, e.g.
 *
 * <pre>
 * train 9.872/100.000 kimg (9.9%)  31.02 sec/kimg  elapsed 5m06s  ETA 11m54s (time cap)  step 1234 ...
 * shapes 1200/6000 images (20.0%)  450.3 img/s  elapsed 3s  ETA 11s
 * </pre>
 *
 * <p>{@link #report} prints a line whenever it is called (training ticks); {@link #add} counts
 * work from any thread and prints at most one line per {@link #interval} (data jobs, classifier
 * training); {@link #finish} prints a summary. The ETA is the earlier of "the remaining work at the
 * rate so far" and, with a {@link #timeCap time cap}, "the time left before the cap"; a line says
 * {@code (time cap)} when the cap is the earlier. Seconds {@link #exclude excluded} (metrics, say)
 * count towards the elapsed time and the cap but not the rate. A null writer prints nothing.
 * Thread-safe.
 */
public final class Progress {
  /**
   * A unit of work.
   *
   * @param name after counts, e.g. {@code "kimg"}
   * @param decimals of counts
   * @param rateName after the rate, e.g. {@code "sec/kimg"} or {@code "img/s"}
   * @param secondsPer the rate reads as seconds per unit (StyleGAN's sec/kimg) instead of units
   *     per second
   */
  public record Unit(String name, int decimals, String rateName, boolean secondsPer) {
    /** Thousands of images shown to the discriminator: {@code 31.02 sec/kimg}. */
    public static final Unit KIMG = new Unit("kimg", 3, "sec/kimg", true);
    /** Images: {@code 450.3 img/s}. */
    public static final Unit IMAGES = new Unit("images", 0, "img/s", false);
    /** Optimisation steps: {@code 28.5 steps/s}. */
    public static final Unit STEPS = new Unit("steps", 0, "steps/s", false);
  }

  /** Default minimum time between two {@link #add} lines. */
  public static final double DEFAULT_INTERVAL_SECONDS = 2;

  private final PrintWriter out;
  private final String what;
  private final double total;
  private final Unit unit;
  private final double startDone;
  private final LongSupplier nanos;
  private final long startNanos;
  private long lastLineNanos;
  private long intervalNanos = (long) (DEFAULT_INTERVAL_SECONDS * 1e9);
  private double timeCapSeconds;
  private double excludedSeconds;
  private double done;

  /** Progress of {@code total} units from nothing, on the system clock. */
  public Progress(PrintWriter out, String what, double total, Unit unit) {
    this(out, what, total, unit, 0);
  }

  /**
   * @param startDone work already done when this progress starts (a resumed run)
   */
  public Progress(PrintWriter out, String what, double total, Unit unit, double startDone) {
    this(out, what, total, unit, startDone, System::nanoTime);
  }

  /**
   * @param what label at the start of each line, e.g. {@code "train"}
   * @param total total amount of work in {@code unit}s (e.g. kimg)
   * @param startDone work already done when this progress starts (a resumed run)
   * @param nanos the clock in nanoseconds ({@link System#nanoTime} outside tests)
   */
  public Progress(PrintWriter out, String what, double total, Unit unit, double startDone,
      LongSupplier nanos) {
    this.out = out;
    this.what = what;
    this.total = total;
    this.unit = unit;
    this.startDone = startDone;
    this.done = startDone;
    this.nanos = nanos;
    this.startNanos = nanos.getAsLong();
    this.lastLineNanos = startNanos;
  }

  /**
   * The job stops after {@code seconds} of elapsed time whatever is left (e.g. {@code
   * train.max_minutes}); the ETA honours it. 0 = no cap. Returns this.
   */
  public synchronized Progress timeCap(double seconds) {
    checkArgument(seconds >= 0, "time cap: expected >= 0 seconds, found %s", seconds);
    timeCapSeconds = seconds;
    return this;
  }

  /** At most one {@link #add} line per {@code seconds}. Returns this. */
  public synchronized Progress interval(double seconds) {
    checkArgument(seconds >= 0, "progress interval: expected >= 0 seconds, found %s", seconds);
    intervalNanos = (long) (seconds * 1e9);
    return this;
  }

  /** Work already done when this progress started. */
  public double startDone() {
    return startDone;
  }

  /** Seconds since this progress started. */
  public double elapsedSeconds() {
    return (nanos.getAsLong() - startNanos) / 1e9;
  }

  /**
   * Leaves {@code seconds} of work that is not progress (e.g. metrics) out of the rate; the
   * elapsed time and the time cap still count them.
   */
  public synchronized void exclude(double seconds) {
    excludedSeconds += seconds;
  }

  /** Seconds since this progress started, less those {@link #exclude excluded}. */
  public synchronized double workSeconds() {
    return elapsedSeconds() - excludedSeconds;
  }

  /** Units per second of work so far (0 before any). */
  public synchronized double rate() {
    return (done - startDone) / Math.max(workSeconds(), 1e-9);
  }

  /**
   * Sets the work done to {@code done} and prints a line with {@code fields} (already formatted
   * "k v" pairs, may be empty); returns the line.
   */
  public synchronized String report(double done, String fields) {
    this.done = done;
    long now = nanos.getAsLong();
    lastLineNanos = now;
    String line = line(now, fields);
    if (out != null) {
      out.println(line);
      out.flush();
    }
    return line;
  }

  /**
   * Counts {@code n} more units of work and prints a line if {@link #interval} has passed since
   * the last one and the work is not finished.
   */
  public synchronized void add(double n) {
    done += n;
    if (out == null) {
      return;
    }
    long now = nanos.getAsLong();
    if (now - lastLineNanos >= intervalNanos && done < total) {
      lastLineNanos = now;
      out.println(line(now, ""));
      out.flush();
    }
  }

  /**
   * Prints the summary, e.g. {@code shapes: 6000 images in 12.3 s (487.8 img/s)}; returns the
   * elapsed seconds.
   */
  public synchronized double finish() {
    double secs = elapsedSeconds();
    if (out != null) {
      out.printf(Locale.ROOT, "%s: %s %s in %.1f s (%s)%n", what, count(done - startDone),
          unit.name(), secs, rateText(rate()));
      out.flush();
    }
    return secs;
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

  private String line(long now, String fields) {
    double elapsed = (now - startNanos) / 1e9;
    double work = Math.max(elapsed - excludedSeconds, 1e-9);
    double rate = (done - startDone) / work;
    double etaWork = rate > 0 ? Math.max(total - done, 0) / rate : Double.POSITIVE_INFINITY;
    double etaCap = timeCapSeconds > 0 ? Math.max(timeCapSeconds - elapsed, 0)
        : Double.POSITIVE_INFINITY;
    String eta;
    if (etaCap < etaWork) {
      eta = duration(etaCap) + " (time cap)";
    } else {
      eta = Double.isFinite(etaWork) ? duration(etaWork) : "-";
    }
    String line = String.format(Locale.ROOT, "%s %s/%s %s (%.1f%%)  %s  elapsed %s  ETA %s  %s",
        what, count(done), count(total), unit.name(), 100 * done / Math.max(total, 1e-12),
        rate > 0 ? rateText(rate) : "-", duration(elapsed), eta, fields);
    return line.strip();
  }

  private String count(double x) {
    return String.format(Locale.ROOT, "%." + unit.decimals() + "f", x);
  }

  private String rateText(double rate) {
    if (rate <= 0) {
      return "- " + unit.rateName();
    }
    return unit.secondsPer()
        ? String.format(Locale.ROOT, "%.2f %s", 1 / rate, unit.rateName())
        : String.format(Locale.ROOT, "%.1f %s", rate, unit.rateName());
  }
}
