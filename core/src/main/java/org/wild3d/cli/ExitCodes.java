package org.wild3d.cli;

import java.io.EOFException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.regex.Pattern;
import org.wild3d.Wild3dException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place where failures become exit codes (DESIGN.md §7) and messages on stderr. Every
 * line starts with the executable's name ({@code wild3d-train: ...}), nothing else:
 *
 * <ul>
 *   <li>a {@link Wild3dException} → its {@link Wild3dException#exitCode()} (3 bad config, 4 bad
 *       dataset/checkpoint/image, 5 stopped by a signal after a checkpoint, ...) with its message;
 *   <li>a usage error (picocli's {@link ParameterException}, also when thrown by a command) → 2,
 *       with the message and a pointer to {@code --help};
 *   <li>anything else, {@link Error}s such as running out of memory included ({@link
 *       Cli#execute}) → 1 with a one-line message in words ({@link #describe}: no Java class
 *       names) and the hint about {@code --verbose}; the stack trace only with {@code --verbose}
 *       or the environment variable {@value #DEBUG_ENV}.
 * </ul>
 *
 * Messages go to the root command's error writer ({@link CommandLine#getErr()}), so tests can
 * capture them.
 */
public final class ExitCodes implements IExecutionExceptionHandler, IParameterExceptionHandler {
  /** Environment variable that turns on stack traces, like {@code --verbose}. */
  public static final String DEBUG_ENV = "WILD3D_DEBUG";

  /** A leading Java class name, as in {@code Throwable.toString()}: "java.io.IOException: ". */
  private static final Pattern CLASS_NAME =
      Pattern.compile("^(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)(?::\\s*|$)");

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
    return report(ex, cl, parsed);
  }

  /** Prints {@code t} on the root command's error writer; returns the exit code. */
  int report(Throwable t, CommandLine cl, ParseResult parsed) {
    PrintWriter err = rootOf(cl).getErr();
    String name = rootOf(cl).getCommandName();
    boolean verbose = verbose(parsed);
    int code;
    if (t instanceof Wild3dException w) {
      err.println(name + ": " + w.getMessage());
      code = w.exitCode();
    } else {
      err.println(name + ": " + describe(t)
          + (verbose ? "" : " (run with " + Verbosity.OPTION + " or " + DEBUG_ENV
              + "=1 for the stack trace)"));
      code = Wild3dException.EXIT_FAILURE;
    }
    if (verbose && code != Wild3dException.EXIT_INTERRUPTED) {
      t.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  /**
   * What went wrong, in words: the message of {@code t} (and of its causes, when they add to it),
   * with the usual file-system and text failures named ("no such file: F", "not UTF-8 text") and
   * no Java class names.
   */
  public static String describe(Throwable t) {
    return describe(t, 0);
  }

  private static String describe(Throwable t, int depth) {
    String own = words(t);
    Throwable cause = t.getCause();
    if (cause == null || cause == t || depth >= 4) {
      return own;
    }
    String why = describe(cause, depth + 1);
    String raw = t.getMessage();
    if (raw == null || raw.isBlank() || raw.equals(cause.toString())
        || CLASS_NAME.matcher(raw).replaceFirst("").equals(why)) {
      return why; // the message is only the cause's
    }
    return own.contains(why) ? own : own + ": " + why;
  }

  /** The message of {@code t} alone, in words. */
  private static String words(Throwable t) {
    String msg = t.getMessage() == null ? "" : CLASS_NAME.matcher(t.getMessage().strip())
        .replaceFirst("");
    if (t instanceof FileSystemException f) {
      String file = f.getFile() == null ? "" : f.getFile();
      String other = f.getOtherFile() == null ? "" : " -> " + f.getOtherFile();
      String reason = f.getReason() == null ? "" : " (" + f.getReason() + ")";
      String what;
      if (t instanceof NoSuchFileException) {
        what = "no such file or directory";
      } else if (t instanceof AccessDeniedException) {
        what = "permission denied";
      } else if (t instanceof FileAlreadyExistsException) {
        what = "already exists";
      } else if (t instanceof NotDirectoryException) {
        what = "not a directory";
      } else if (t instanceof DirectoryNotEmptyException) {
        what = "directory not empty";
      } else {
        what = f.getReason() == null ? "file system failure" : f.getReason();
        reason = "";
      }
      return what + (file.isEmpty() ? "" : ": " + file) + other + reason;
    }
    if (t instanceof MalformedInputException m) {
      return "not UTF-8 text (a malformed sequence of " + m.getInputLength() + " bytes)";
    }
    if (t instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    if (t instanceof EOFException) {
      return "the file ends early" + (msg.isEmpty() ? "" : " (" + msg + ")");
    }
    if (t instanceof NumberFormatException) {
      return "not a number" + (msg.isEmpty() ? "" : ": " + msg.replaceFirst("^For input string: ",
          ""));
    }
    if (t instanceof OutOfMemoryError) {
      return "out of Java heap memory" + (msg.isEmpty() ? "" : " (" + msg + ")")
          + "; give the JVM more (WILD3D_JAVA_OPTS=-Xmx16g) or lower the batch size";
    }
    if (t instanceof StackOverflowError) {
      return "stack overflow (an internal error)";
    }
    if (t instanceof InterruptedException) {
      return "interrupted";
    }
    if (t instanceof UncheckedIOException && msg.isEmpty()) {
      return "input/output failure";
    }
    if (msg.isEmpty()) {
      return "an internal error without a message";
    }
    return msg;
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
