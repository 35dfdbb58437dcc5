package org.wild3d.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Mixin for {@code --verbose}: stack traces of unexpected errors are printed (see {@link
 * ExitCodes}). Inherited by subcommands. Setting the environment variable {@value
 * ExitCodes#DEBUG_ENV} to anything but "" or "0" has the same effect.
 */
public final class Verbosity {
  /** The option's name, as {@link ExitCodes} looks for it in a parse result. */
  public static final String OPTION = "--verbose";

  @Option(
      names = OPTION,
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of unexpected errors (also: WILD3D_DEBUG=1).")
  boolean verbose;

  public boolean verbose() {
    return verbose;
  }
}
