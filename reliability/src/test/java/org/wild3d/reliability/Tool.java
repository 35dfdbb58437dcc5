package org.wild3d.reliability;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;

/** The three executables, run in this JVM through their picocli command lines. */
enum Tool {
  TRAIN("wild3d-train", org.wild3d.train.Main::commandLine),
  EVAL("wild3d-eval", org.wild3d.eval.Main::commandLine),
  INVERT("wild3d-invert", org.wild3d.invert.Main::commandLine);

  final String command;
  private final Supplier<CommandLine> factory;

  Tool(String command, Supplier<CommandLine> factory) {
    this.command = command;
    this.factory = factory;
  }

  /** What one run printed and returned. */
  record Outcome(int exit, String out, String err) {}

  /** Runs the executable on {@code args} with captured standard output and error. */
  Outcome run(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = factory.get();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args.toArray(String[]::new));
    return new Outcome(exit, out.toString(), err.toString());
  }
}
