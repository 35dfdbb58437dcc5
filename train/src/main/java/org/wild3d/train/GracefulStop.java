package org.wild3d.train;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.wild3d.Wild3dException;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * How a training job stops on SIGINT (Ctrl-C) and SIGTERM (a cluster scheduler's preemption,
 * {@code kill}, {@link Process#destroy()}): the JVM's own handling would run the shutdown hooks and
 * exit at once (143), losing every step since the last snapshot. While this is installed:
 *
 * <ul>
 *   <li>once steps may run ({@link #arm}), a signal only {@link #request requests} a stop: the
 *       loop finishes the step in flight, writes a checkpoint, skips any remaining metrics and
 *       samples, and the job ends with {@link Wild3dException#EXIT_INTERRUPTED} (5) and a line
 *       naming the checkpoint and the {@code --resume} command;
 *   <li>before that (graph building, dataset generation, the step-0 metrics and their classifier)
 *       there is nothing to save, so the process exits at once with 5 and a line that says no
 *       checkpoint was written because no step had run;
 *   <li>a second signal aborts at once ({@link Runtime#halt}) with 128 + its number (130 for
 *       SIGINT, 143 for SIGTERM) after one line; complete checkpoints stay complete, since they are
 *       written to a temporary name and renamed.
 * </ul>
 *
 * <p>{@link #close} restores the handlers that were installed before (tests run several training
 * jobs in one JVM). One training job per JVM at a time. Uses {@code sun.misc.Signal}
 * (jdk.unsupported, present in every JDK since 1.4); where a signal cannot be handled (the JVM
 * runs with {@code -Xrs}, or the platform lacks it) it keeps the JVM's behaviour and says so.
 */
final class GracefulStop implements AutoCloseable {
  /** A signal that asks training to stop. */
  enum Sig {
    INT(2),
    TERM(15);

    /** The POSIX signal number. */
    final int number;

    Sig(int number) {
      this.number = number;
    }

    /** {@code SIGTERM}. */
    String label() {
      return "SIG" + name();
    }

    /** The exit code of an abort by a second signal: the shell's 128 + number. */
    int abortCode() {
      return 128 + number;
    }
  }

  private final PrintWriter err;
  private final String command;
  private final String beforeFirstStep;
  private final IntConsumer exit;
  private final IntConsumer halt;
  private final Map<Sig, SignalHandler> previous = new EnumMap<>(Sig.class);
  private final AtomicInteger signals = new AtomicInteger();
  private volatile boolean armed;
  private volatile Sig requested;

  /**
   * A stop control that is not yet connected to any signal ({@link #install} connects it).
   *
   * @param err where the lines go (the command's error writer)
   * @param command the executable's name, the prefix of every line
   * @param beforeFirstStep what a stop before the first step means for this run, after "no
   *     checkpoint was written because no step had run"
   * @param exit ends the process on a stop before the first step ({@code System::exit})
   * @param halt ends the process on a second signal ({@code Runtime.getRuntime()::halt})
   */
  GracefulStop(PrintWriter err, String command, String beforeFirstStep, IntConsumer exit,
      IntConsumer halt) {
    this.err = err;
    this.command = command;
    this.beforeFirstStep = beforeFirstStep;
    this.exit = exit;
    this.halt = halt;
  }

  /**
   * Installs handlers of SIGINT and SIGTERM that {@link #request} a stop, exiting the JVM as
   * described above.
   */
  static GracefulStop install(PrintWriter err, String command, String beforeFirstStep) {
    GracefulStop stop = new GracefulStop(err, command, beforeFirstStep, System::exit,
        code -> Runtime.getRuntime().halt(code));
    stop.connect();
    return stop;
  }

  /** Connects this to the process's SIGINT and SIGTERM; {@link #close} disconnects. */
  void connect() {
    for (Sig s : Sig.values()) {
      try {
        previous.put(s, Signal.handle(new Signal(s.name()), signal -> request(s)));
      } catch (IllegalArgumentException e) {
        // Reserved by the JVM (-Xrs) or unknown on this platform: the JVM's behaviour stays.
        line(s.label() + " cannot be handled here (" + e.getMessage() + "): it ends training"
            + " without a checkpoint");
      }
    }
  }

  /** From now on a stop waits for the step in flight and a checkpoint. */
  void arm() {
    armed = true;
  }

  /**
   * What a signal does (and what tests call in-process): the first asks for a stop, or ends the
   * process at once when no step can have run yet; the second aborts at once.
   */
  void request(Sig s) {
    if (signals.incrementAndGet() > 1) {
      line(s.label() + " again: aborting at once, without writing a checkpoint (exit "
          + s.abortCode() + "; the complete checkpoints stay)");
      halt.accept(s.abortCode());
      return;
    }
    requested = s;
    if (!armed) {
      line(beforeFirstStepMessage());
      exit.accept(Wild3dException.EXIT_INTERRUPTED);
      return;
    }
    line(s.label() + " received: finishing the step in flight, then writing a checkpoint (a"
        + " second signal aborts at once, without one)");
  }

  /** Whether a stop was requested. */
  boolean requested() {
    return requested != null;
  }

  /** The signal that requested the stop, or null. */
  Sig signal() {
    return requested;
  }

  /** The message of a stop before the first step, without the command's name. */
  String beforeFirstStepMessage() {
    return "stopped by " + requested.label() + " before the first training step: no checkpoint"
        + " was written because no step had run (" + beforeFirstStep + ")";
  }

  /**
   * The message of a stop after steps ran and {@code checkpoint} was written.
   *
   * @param by what stopped the run, e.g. {@code SIGTERM}
   */
  String stoppedMessage(String by, long step, double kimg, String checkpoint, String continueWith) {
    return String.format(java.util.Locale.ROOT,
        "stopped by %s at step %d (%.3f kimg): checkpoint %s written; continue with: %s",
        by, step, kimg, checkpoint, continueWith);
  }

  /** Restores the handlers that were installed before {@link #connect}. */
  @Override
  public void close() {
    for (Map.Entry<Sig, SignalHandler> e : previous.entrySet()) {
      Signal.handle(new Signal(e.getKey().name()), e.getValue());
    }
    previous.clear();
  }

  private void line(String text) {
    err.println(command + ": " + text);
    err.flush();
  }
}
