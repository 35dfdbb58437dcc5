package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** The stop control alone: what one and two signals do, and that the old handlers come back. */
class GracefulStopTest {
  private final StringWriter text = new StringWriter();
  private final List<String> ends = new ArrayList<>();

  private GracefulStop stop() {
    return new GracefulStop(new PrintWriter(text, true), "wild3d-train", "runs/00001-x holds only"
        + " its configs; start the run again", code -> ends.add("exit " + code),
        code -> ends.add("halt " + code));
  }

  @Test
  void onceStepsRunTheFirstSignalAsksForAStopAndTheSecondAbortsAtOnce() {
    GracefulStop s = stop();
    s.arm();
    assertThat(s.requested()).isFalse();
    s.request(GracefulStop.Sig.TERM);
    assertThat(s.requested()).isTrue();
    assertThat(s.signal()).isEqualTo(GracefulStop.Sig.TERM);
    assertThat(ends).isEmpty();
    assertThat(text.toString()).isEqualTo("wild3d-train: SIGTERM received: finishing the step in"
        + " flight, then writing a checkpoint (a second signal aborts at once, without one)\n");
    text.getBuffer().setLength(0);
    s.request(GracefulStop.Sig.INT);
    assertThat(ends).containsExactly("halt 130");
    assertThat(text.toString()).isEqualTo("wild3d-train: SIGINT again: aborting at once, without"
        + " writing a checkpoint (exit 130; the complete checkpoints stay)\n");
    assertThat(s.stoppedMessage(s.signal().label(), 1234, 9.872, "runs/00001-x/checkpoints/step-000001234",
        "wild3d-train --resume runs/00001-x")).isEqualTo("stopped by SIGTERM at step 1234"
        + " (9.872 kimg): checkpoint runs/00001-x/checkpoints/step-000001234 written; continue"
        + " with: wild3d-train --resume runs/00001-x");
  }

  @Test
  void beforeAnyStepCanRunASignalEndsTheProcessAtOnceWithFive() {
    GracefulStop s = stop();
    s.request(GracefulStop.Sig.INT);
    assertThat(ends).containsExactly("exit 5");
    assertThat(text.toString()).isEqualTo("wild3d-train: stopped by SIGINT before the first"
        + " training step: no checkpoint was written because no step had run (runs/00001-x holds"
        + " only its configs; start the run again)\n");
  }

  @Test
  @Timeout(30)
  void aRealSignalReachesTheStopAndCloseRestoresThePreviousHandler() throws Exception {
    Signal term = new Signal("TERM");
    AtomicInteger seenByPrevious = new AtomicInteger();
    SignalHandler previous = signal -> seenByPrevious.incrementAndGet();
    SignalHandler jvms = Signal.handle(term, previous);
    try {
      GracefulStop s = stop();
      s.connect();
      s.arm();
      Signal.raise(term); // delivered on the JVM's signal thread
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!s.requested() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(s.signal()).isEqualTo(GracefulStop.Sig.TERM);
      assertThat(seenByPrevious).hasValue(0);
      s.close();
      Signal.raise(term);
      while (seenByPrevious.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(seenByPrevious).hasValue(1);
      assertThat(ends).isEmpty();
    } finally {
      assertThat(Signal.handle(term, jvms)).isSameAs(previous);
    }
  }
}
