package org.wild3d.cli;

import picocli.CommandLine;

/**
 * Builds the command lines of the executables with the shared behaviour: exit codes from {@link
 * ExitCodes}, usage errors → 2, no abbreviated options. Add subcommands to the returned command
 * line before setting writers: writers and settings reach the subcommands present at that moment.
 */
public final class Cli {
  private Cli() {}

  /** A command line for {@code command} (an annotated picocli command object) with the handlers. */
  public static CommandLine commandLine(Object command) {
    ExitCodes codes = new ExitCodes();
    CommandLine cl = new CommandLine(command);
    cl.setExecutionExceptionHandler(codes);
    cl.setParameterExceptionHandler(codes);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** Runs {@code cl} on {@code args} and exits the JVM with its exit code. */
  public static void exit(CommandLine cl, String... args) {
    System.exit(cl.execute(args));
  }
}
