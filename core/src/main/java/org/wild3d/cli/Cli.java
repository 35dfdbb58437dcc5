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

  /**
   * Runs {@code cl} on {@code args} and returns its exit code. Picocli hands only {@link
   * Exception}s to {@link ExitCodes}; an {@link Error} (out of memory, say) is reported here in
   * the same form (exit 1, a message in words) instead of as the JVM's raw stack trace.
   */
  public static int execute(CommandLine cl, String... args) {
    try {
      return cl.execute(args);
    } catch (Error e) {
      return new ExitCodes().report(e, cl, cl.getParseResult());
    }
  }

  /** Runs {@code cl} on {@code args} and exits the JVM with its exit code. */
  public static void exit(CommandLine cl, String... args) {
    System.exit(execute(cl, args));
  }
}
