package org.wild3d;

/**
 * A failure caused by user input (config, dataset, image, checkpoint), carrying the process exit
 * code the executables report for it (DESIGN.md §7: 0 ok, 2 usage, 3 bad config, 4 bad or
 * incompatible checkpoint or dataset, 1 anything else), or the end of a training run stopped by a
 * signal ({@link #EXIT_INTERRUPTED}).
 *
 * <p>Messages follow {@code <what>: expected <x>, found <y> (<file or field>; <how to fix>)}.
 */
public class Wild3dException extends RuntimeException {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_CONFIG = 3;
  public static final int EXIT_DATA = 4;

  /**
   * Interrupted: {@code wild3d-train} was stopped by SIGINT or SIGTERM (Ctrl-C, a scheduler's
   * preemption, {@code kill}), finished the step in flight, wrote a complete checkpoint, and {@code
   * --resume} continues it exactly. When the signal came before the first step, the message says
   * that no checkpoint was written.
   *
   * <p>Why 5 and not the shell's 128 + signal (130, 143): it must be non-zero, so that a cluster
   * scheduler requeues the job and Kubernetes restarts the pod as it would after any stop; it must
   * differ from every failure code, so that a script can tell "stopped cleanly, resume" ({@code
   * [ $? -eq 5 ] && wild3d-train --resume RUN}, or a Job's {@code podFailurePolicy} rule {@code
   * onExitCodes: [5]}) from "crashed" (1) and from "killed without a checkpoint"; and 143 / 130
   * already mean the latter: they are what the JVM exits with when a signal kills it before the
   * handler is installed, and what a second signal aborts with (see {@code GracefulStop} in the
   * train module). The cost: a program that handles a signal and exits is not "killed by a signal"
   * to its shell, so a shell loop over several runs goes on to the next one after Ctrl-C unless
   * it tests the code ({@code wild3d-train ... || break}); dying by the re-raised signal after
   * the checkpoint instead would make a clean stop look exactly like a kill.
   */
  public static final int EXIT_INTERRUPTED = 5;

  private final int exitCode;

  public Wild3dException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public Wild3dException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The process exit code for this failure. */
  public int exitCode() {
    return exitCode;
  }
}
