package org.wild3d.eval;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Base of wild3d-eval command tests: runs the executable's command line, capturing its output. */
abstract class EvalCliTest {
  /** Everything the commands run by {@link #run} printed to standard output. */
  final StringWriter out = new StringWriter();
  /** Everything they printed to standard error. */
  final StringWriter err = new StringWriter();

  /** Runs {@code wild3d-eval args} and returns its exit code. */
  int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
