package org.wild3d.reliability;

import java.nio.file.Path;
import java.util.List;

/**
 * One kind of bad input: what it is, how a case makes it, which executable meets it, and what
 * must come out — the exit code and a fragment of the message that names the file or field and
 * the rule.
 *
 * @param kind the row group in the table (config, override, dataset, image, ZIP, checkpoint, run
 *     directory, invert input, signal)
 * @param input what is wrong with the input, in words
 * @param tool the executable that meets it
 * @param setup makes the input in the case's own directory and returns the arguments
 * @param exit the exit code that must come out
 * @param expect a fragment the message (standard error, or output for exit 0) must contain
 */
record BadInput(String kind, String input, Tool tool, Setup setup, int exit, String expect,
    Launcher launcher) {
  /** A case run in this JVM through the executable's command line. */
  BadInput(String kind, String input, Tool tool, Setup setup, int exit, String expect) {
    this(kind, input, tool, setup, exit, expect, null);
  }

  /** Runs the case some other way than in this JVM (e.g. a training process sent a signal). */
  @FunctionalInterface
  interface Launcher {
    Tool.Outcome run(List<String> args, Path dir) throws Exception;
  }

  /** What comes out of the case. */
  Tool.Outcome run(List<String> args, Path dir) throws Exception {
    return launcher == null ? tool.run(args) : launcher.run(args, dir);
  }

  /** Makes a case's input under {@code dir} (empty, the case's own) and returns the arguments. */
  @FunctionalInterface
  interface Setup {
    List<String> args(Fixtures fx, Path dir) throws Exception;
  }
}
