package org.wild3d.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Signals sent to a training process: {@code wild3d-train} runs in its own JVM (this test's class
 * path) on the fixture config with a long schedule, and gets SIGTERM, SIGINT or SIGKILL at a
 * moment read from its output or its run directory. Every wait is bounded.
 */
final class Signals {
  private Signals() {}

  /** How long a training process may take to reach the moment, or to end after the signal. */
  private static final long TIMEOUT_SECONDS = 120;

  /** When the signal is sent. */
  enum Moment {
    /** The run's configs are written: TF is loading and the graph is being built (> 1 s). */
    BEFORE_FIRST_STEP,
    /** The first checkpoint is complete: the run is between ticks. */
    AFTER_FIRST_CHECKPOINT
  }

  static void all(List<BadInput> c) {
    c.add(signal("SIGTERM before the first step (a scheduler cancelling a starting job)",
        List.of("TERM"), Moment.BEFORE_FIRST_STEP, 5, "no checkpoint was written"));
    c.add(signal("SIGTERM between ticks (preemption)", List.of("TERM"),
        Moment.AFTER_FIRST_CHECKPOINT, 5, "--resume"));
    c.add(signal("SIGINT between ticks (Ctrl-C)", List.of("INT"), Moment.AFTER_FIRST_CHECKPOINT,
        5, "--resume"));
    c.add(signal("a second SIGTERM right after the first", List.of("TERM", "TERM"),
        Moment.AFTER_FIRST_CHECKPOINT, 143, "again: aborting at once"));
    c.add(signal("SIGKILL between ticks (no handler can run)", List.of("KILL"),
        Moment.AFTER_FIRST_CHECKPOINT, 137, ""));
  }

  private static BadInput signal(String input, List<String> signals, Moment moment, int exit,
      String expect) {
    return new BadInput("signal", input, Tool.TRAIN, (fx, dir) -> List.of("--config",
        fx.config.toString(), "--out", dir.resolve("runs").toString(), "--override",
        "train { total_kimg: 100 }"), exit, expect,
        (args, dir) -> launch(args, dir, signals, moment));
  }

  /** Starts wild3d-train with {@code args}, sends {@code signals} at {@code moment}, waits. */
  private static Tool.Outcome launch(List<String> args, Path dir, List<String> signals,
      Moment moment) throws Exception {
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null) {
      cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        org.wild3d.train.Main.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    try {
      Path checkpoints = dir.resolve("runs");
      Predicate<Path> reached = moment == Moment.BEFORE_FIRST_STEP
          ? d -> hasRunConfig(checkpoints)
          : d -> hasCheckpoint(checkpoints);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
      while (!reached.test(dir)) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("training did not reach " + moment + ":\n" + read(out) + read(err));
        }
        Thread.sleep(20);
      }
      if (moment == Moment.BEFORE_FIRST_STEP) {
        Thread.sleep(200); // the handlers are installed first; loading TF and the graph follow
      }
      for (int i = 0; i < signals.size(); i++) {
        if (i > 0) {
          // The next signal once the handler has taken the first (the kernel would merge two
          // pending ones), while the run is still finishing its step and checkpoint.
          while (!read(err).contains("received") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
          }
        }
        send(p, signals.get(i));
      }
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("training did not stop after SIG" + signals + ":\n" + read(err));
      }
      if (signals.contains("KILL")) {
        // What the table says of SIGKILL: the newest complete checkpoint verifies.
        try (var runs = Files.list(dir.resolve("runs"))) {
          Path run = runs.findFirst().orElseThrow();
          org.wild3d.checkpoint.CheckpointManager.Checkpoint c =
              org.wild3d.checkpoint.CheckpointRestore.choose(run, null,
                  new java.io.PrintWriter(java.io.Writer.nullWriter()));
          if (c.verification().kind() != org.wild3d.checkpoint.Verification.Kind.VERIFIED) {
            throw new AssertionError("after SIGKILL the newest checkpoint of " + run
                + " does not verify: " + c.verification().reason());
          }
        }
      }
      return new Tool.Outcome(p.exitValue(), read(out), read(err));
    } finally {
      p.destroyForcibly();
    }
  }

  /** Sends SIG{@code name}: SIGTERM and SIGKILL straight from the JVM, others with kill(1). */
  private static void send(Process p, String name) throws Exception {
    switch (name) {
      case "TERM" -> p.destroy();
      case "KILL" -> p.destroyForcibly();
      default -> new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor();
    }
  }

  private static boolean hasRunConfig(Path runs) {
    try (var s = Files.walk(runs, 2)) {
      return s.anyMatch(q -> q.getFileName().toString().equals("config.resolved.pbtxt"));
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean hasCheckpoint(Path runs) {
    try (var s = Files.walk(runs, 3)) {
      return s.anyMatch(q -> q.getFileName().toString().startsWith("step-")
          && q.getParent().getFileName().toString().equals("checkpoints"));
    } catch (IOException e) {
      return false;
    }
  }

  private static String read(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
