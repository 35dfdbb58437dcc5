package org.wild3d.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Mixin for the commands that open a trained run: {@code --run RUN}, {@code --checkpoint DIR} and
 * {@code --threads N} ({@link ThreadsOption}). {@code --run} is checked by {@link #run()} rather
 * than by picocli, so that a command with subcommands can take it too.
 */
public final class RunOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--run", paramLabel = "RUN",
      description = "Run directory written by wild3d-train, e.g. runs/00000-shapes-tiny.")
  Path run;

  @Option(names = "--checkpoint", paramLabel = "DIR",
      description = "Checkpoint of the run (RUN/checkpoints/step-NNNNNNNNN); default: the newest"
          + " that verifies.")
  Path checkpoint;

  @Mixin ThreadsOption threads;

  /** RUN; a usage error (exit 2) when {@code --run} is missing. */
  public Path run() {
    if (run == null) {
      throw new ParameterException(mixee.commandLine(), "Missing required option: '--run=RUN'");
    }
    return run;
  }

  /** DIR, or null for the newest checkpoint that verifies. */
  public Path checkpoint() {
    return checkpoint;
  }

  /** See {@link ThreadsOption#threads()}. */
  public int threads() {
    return threads.threads();
  }
}
