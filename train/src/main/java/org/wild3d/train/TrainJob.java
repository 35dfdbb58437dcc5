package org.wild3d.train;

/**
 * What {@code wild3d-train} runs once the run directory and its configs are written. Exceptions
 * become exit codes in one place ({@link org.wild3d.cli.ExitCodes}): throw a {@link
 * org.wild3d.Wild3dException} subclass for failures caused by user input.
 */
@FunctionalInterface
public interface TrainJob {
  void run(RunContext context) throws Exception;
}
