package org.wild3d.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress lines on a fake clock: rate, ETA, the time cap, and how often lines appear. */
class ProgressTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final StringWriter text = new StringWriter();
  private final PrintWriter out = new PrintWriter(text, true);

  private void advance(double seconds) {
    now.addAndGet((long) (seconds * 1e9));
  }

  @Test
  void etaIsTheRemainingWorkAtTheRateSoFar() {
    Progress p = new Progress(out, "train", 100, Progress.Unit.KIMG, 0, now::get);
    advance(310);
    String line = p.report(10, "step 1250");
    // 31 sec/kimg, 90 kimg left: 2790 s.
    assertThat(line).isEqualTo(
        "train 10.000/100.000 kimg (10.0%)  31.00 sec/kimg  elapsed 5m10s  ETA 46m30s  step 1250");
  }

  @Test
  void aTimeCapEarlierThanTheWorkGivesTheEtaAndSaysSo() {
    // The README's run: 100 kimg at ~31 sec/kimg would take 52 minutes, train.max_minutes: 17
    // ends it after 17.
    Progress p = new Progress(out, "train", 100, Progress.Unit.KIMG, 0, now::get).timeCap(17 * 60);
    advance(300);
    assertThat(p.report(300 / 31.0, "")).contains("ETA 12m00s (time cap)");
    // Metrics time is left out of the rate but not out of the cap.
    p.exclude(60);
    advance(120);
    assertThat(p.report(360 / 31.0, "")).contains("31.00 sec/kimg").contains("ETA 10m00s (time cap)");
    advance(700);
    assertThat(p.report(1060 / 31.0, "")).contains("ETA 0s (time cap)");
  }

  @Test
  void aTimeCapLaterThanTheWorkChangesNothing() {
    Progress p = new Progress(out, "train", 1, Progress.Unit.KIMG, 0, now::get).timeCap(3600);
    advance(10);
    assertThat(p.report(0.5, "")).contains("ETA 10s").doesNotContain("time cap");
  }

  @Test
  void aResumedRunCountsOnlyTheWorkOfThisSessionInTheRate() {
    Progress p = new Progress(out, "train", 10, Progress.Unit.KIMG, 4, now::get);
    advance(20);
    assertThat(p.report(5, "")).startsWith("train 5.000/10.000 kimg (50.0%)  20.00 sec/kimg")
        .contains("ETA 1m40s");
  }

  @Test
  void beforeAnyWorkTheRateAndEtaAreUnknownUnlessCapped() {
    Progress p = new Progress(out, "train", 10, Progress.Unit.KIMG, 0, now::get);
    assertThat(p.report(0, "")).contains("  -  elapsed 0s  ETA -");
    Progress capped = new Progress(out, "train", 10, Progress.Unit.KIMG, 0, now::get).timeCap(60);
    advance(5);
    assertThat(capped.report(0, "")).contains("ETA 55s (time cap)");
  }

  @Test
  void addPrintsAtMostOneLinePerIntervalAndASummary() {
    Progress p = new Progress(out, "classifier", 1000, Progress.Unit.STEPS, 0, now::get)
        .interval(10);
    for (int i = 0; i < 1000; i++) {
      advance(0.035); // 35 s in all
      p.add(1);
    }
    p.finish();
    String[] lines = text.toString().split("\n");
    // Lines at 10, 20 and 30 s, then the summary.
    assertThat(lines).hasSize(4);
    assertThat(lines[0]).startsWith("classifier 286/1000 steps (28.6%)  28.6 steps/s  elapsed 10s"
        + "  ETA 25s");
    assertThat(lines[2]).startsWith("classifier 858/1000 steps");
    assertThat(lines[3]).isEqualTo("classifier: 1000 steps in 35.0 s (28.6 steps/s)");
  }

  @Test
  void aNullWriterPrintsNothingButStillCounts() {
    Progress p = new Progress(null, "shapes", 10, Progress.Unit.IMAGES, 0, now::get).interval(0);
    advance(1);
    p.add(4);
    assertThat(p.rate()).isEqualTo(4.0);
    assertThat(p.finish()).isEqualTo(1.0);
  }

  @Test
  void durations() {
    assertThat(Progress.duration(59.4)).isEqualTo("59s");
    assertThat(Progress.duration(723)).isEqualTo("12m03s");
    assertThat(Progress.duration(7857)).isEqualTo("2h10m57s");
  }
}
