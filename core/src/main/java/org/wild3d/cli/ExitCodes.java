package org.wild3d.cli;

import java.io.PrintWriter;
import org.wild3d.Wild3dException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place where failures become exit codes (DESIGN.md §7) and messages on stderr:
 *
 * <ul>
 *   <li>a {@link Wild3dException} → its {@link Wild3dException#exitCode()} (3 bad config, 4 bad
 *       dataset/checkpoint/image, ...) with its message;
 *   <li>a usage error (picocli's {@link ParameterException}, also when thrown by a command) → 2,
 *       with the message and a pointer to {@code --help};
 *   <li>anything else → 1 with a one-line message; the stack trace only with {@code --verbose} or
 *       the environment variable {@value #DEBUG_ENV}.
 * </ul>
 *
 * Messages go to the root command's error writer ({@link CommandLine#getErr()}), so tests can
 * capture them.
 */
public final class ExitCodes implements IExecutionExceptionHandler, IParameterExceptionHandler {
  /** Environment variable that turns on stack traces, like {@code --verbose}. */
  public static final String DEBUG_ENV = "WILD3D_DEBUG";

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
    PrintWriter err = rootOf(cl).getErr();
    String name = rootOf(cl).getCommandName();
    boolean verbose = verbose(parsed);
    int code;
    if (ex instanceof Wild3dException w) {
      err.println(name + ": " + w.getMessage());
      code = w.exitCode();
    } else {
      err.println(name + ": error: " + ex);
      if (!verbose) {
        err.println("(run with " + Verbosity.OPTION + " or " + DEBUG_ENV
            + "=1 for the stack trace)");
      }
      code = Wild3dException.EXIT_FAILURE;
    }
    if (verbose) {
      ex.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cl = ex.getCommandLine();
    PrintWriter err = rootOf(cl).getErr();
    err.println(rootOf(cl).getCommandName() + ": " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return Wild3dException.EXIT_USAGE;
  }

  private static CommandLine rootOf(CommandLine cl) {
    return cl.getCommandSpec().root().commandLine();
  }

  private static boolean verbose(ParseResult parsed) {
    String env = System.getenv(DEBUG_ENV);
    if (env != null && !env.isEmpty() && !env.equals("0")) {
      return true;
    }
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption(Verbosity.OPTION)) {
        return true;
      }
    }
    return false;
  }
}
