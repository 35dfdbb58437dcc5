package org.wild3d;

/**
 * A failure caused by user input (config, dataset, image, checkpoint), carrying the process exit
 * code the executables report for it (DESIGN.md §7: 0 ok, 2 usage, 3 bad config, 4 bad or
 * incompatible checkpoint or dataset, 1 anything else).
 *
 * <p>Messages follow {@code <what>: expected <x>, found <y> (<file or field>; <how to fix>)}.
 */
public class Wild3dException extends RuntimeException {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_CONFIG = 3;
  public static final int EXIT_DATA = 4;

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
