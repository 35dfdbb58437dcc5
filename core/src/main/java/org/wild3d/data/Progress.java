package org.wild3d.data;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Line-based progress for long data jobs: at most one line every few seconds, e.g.
 * {@code import: 1200/6000 images (20%), 450.3 img/s, ETA 0:00:11}, plus a final summary line.
 * Thread-safe; a null writer prints nothing.
 */
public final class Progress {
  private static final long INTERVAL_NANOS = 2_000_000_000L;

  private final PrintWriter out;
  private final String what;
  private final long total;
  private final long start = System.nanoTime();
  private final AtomicLong done = new AtomicLong();
  private long lastPrint = System.nanoTime();

  public Progress(PrintWriter out, String what, long total) {
    this.out = out;
    this.what = what;
    this.total = total;
  }

  /** Counts {@code n} finished items and prints a line if the interval has passed. */
  public void step(long n) {
    long d = done.addAndGet(n);
    if (out == null) {
      return;
    }
    long now = System.nanoTime();
    synchronized (this) {
      if (now - lastPrint >= INTERVAL_NANOS && d < total) {
        lastPrint = now;
        out.println(line(d, now));
        out.flush();
      }
    }
  }

  /** Items per second so far. */
  public double rate() {
    double secs = (System.nanoTime() - start) / 1e9;
    return secs > 0 ? done.get() / secs : 0;
  }

  /** Prints the summary line; returns the elapsed seconds. */
  public double finish() {
    double secs = (System.nanoTime() - start) / 1e9;
    if (out != null) {
      out.printf("%s: %d images in %.1f s (%.1f img/s)%n", what, done.get(), secs, rate());
      out.flush();
    }
    return secs;
  }

  private String line(long d, long now) {
    double secs = (now - start) / 1e9;
    double rate = secs > 0 ? d / secs : 0;
    long eta = rate > 0 ? (long) ((total - d) / rate) : 0;
    Duration e = Duration.ofSeconds(eta);
    return String.format("%s: %d/%d images (%d%%), %.1f img/s, ETA %d:%02d:%02d", what, d, total,
        total > 0 ? d * 100 / total : 100, rate, e.toHours(), e.toMinutesPart(), e.toSecondsPart());
  }
}
