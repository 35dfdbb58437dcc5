package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.GanSpec;
import org.wild3d.tf.Sessions;
import picocli.CommandLine;

/**
 * Fault test: {@code wild3d-train} in a separate JVM receives SIGTERM, SIGINT or SIGKILL at a
 * moment drawn from a seed (before the first step, during the first step, while a checkpoint is
 * being written, between ticks). After each, exactly the complete checkpoints are listed, the
 * newest is usable, and {@code --resume} reaches the same step with bit-identical variables as an
 * uninterrupted run. SIGTERM/SIGINT lose nothing (exit 5, a checkpoint of the step in flight);
 * SIGKILL (exit 137) loses at most one tick (a checkpoint every tick here). The default run has
 * five moments; more seeds are tagged "slow".
 */
class KillAndResumeTest {
  /** Steps per tick: 0.008 kimg per tick, 2 scenes x 2 views per step. */
  private static final int STEPS_PER_TICK = 2;
  /** The uninterrupted run's length; every resumed run ends before it. */
  private static final int REFERENCE_STEPS = 48;
  /** A moment is looked for until the run reaches this step. */
  private static final int LATEST_MOMENT_STEP = 40;

  @TempDir static Path shared; // the dataset cache and the uninterrupted run
  @TempDir Path dir;

  private static Path reference;
  private static Graph graph;

  /** When the signal is sent. */
  enum Moment {
    /** During graph building, before any step can run. */
    GRAPH_BUILD,
    /** After the graph is built, before the first checkpoint (the first step takes seconds). */
    FIRST_STEP,
    /** While a checkpoint is being written (its .tmp- directory exists), else between ticks. */
    CHECKPOINT_WRITE,
    /** After 1-3 ticks' checkpoints, plus 0-150 ms. */
    BETWEEN_TICKS
  }

  @AfterAll
  static void closeGraph() {
    if (graph != null) {
      graph.close();
    }
  }

  @Test
  @Timeout(120)
  void sigtermBeforeAnyStepExitsFiveSayingNoCheckpointWasWritten() throws Exception {
    fault("TERM", Moment.GRAPH_BUILD, 1);
  }

  @Test
  @Timeout(180)
  void sigtermDuringTheFirstStepSavesItAndResumesExactly() throws Exception {
    fault("TERM", Moment.FIRST_STEP, 2);
  }

  @Test
  @Timeout(180)
  void sigtermDuringACheckpointWriteKeepsItAndResumesExactly() throws Exception {
    fault("TERM", Moment.CHECKPOINT_WRITE, 3);
  }

  @Test
  @Timeout(180)
  void sigtermBetweenTicksSavesTheStepInFlightAndResumesExactly() throws Exception {
    fault("TERM", Moment.BETWEEN_TICKS, 4);
  }

  @Test
  @Timeout(180)
  void sigkillLosesAtMostOneTickAndResumesExactly() throws Exception {
    fault("KILL", Moment.BETWEEN_TICKS, 5);
  }

  @ParameterizedTest(name = "SIG{0} at {1}, seed {2}")
  @CsvSource({
    "TERM, FIRST_STEP, 11", "TERM, BETWEEN_TICKS, 12", "TERM, BETWEEN_TICKS, 13",
    "INT, GRAPH_BUILD, 14", "INT, BETWEEN_TICKS, 15", "INT, CHECKPOINT_WRITE, 16",
    "KILL, CHECKPOINT_WRITE, 17", "KILL, BETWEEN_TICKS, 18", "KILL, FIRST_STEP, 19",
  })
  @Tag("slow")
  @Timeout(180)
  void moreSeeds(String signal, Moment moment, long seed) throws Exception {
    fault(signal, moment, seed);
  }

  /**
   * A second SIGTERM while the first waits for the step in flight (the first step, which takes
   * seconds) aborts at once with 143, without a checkpoint.
   */
  @Test
  @Timeout(120)
  void aSecondSignalAbortsAtOnce() throws Exception {
    Path runs = dir.resolve("runs");
    Path log = dir.resolve("train.log");
    Process p = start(runs, log);
    try {
      Path run = awaitRun(p, runs, log);
      await(p, log, () -> Files.readString(log).contains("graph built"), "the graph");
      Thread.sleep(800);
      signal(p, "TERM");
      await(p, log, () -> Files.readString(log).contains("SIGTERM received"), "the first stop");
      signal(p, "TERM");
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String text = Files.readString(log);
      assertThat(p.exitValue()).as(text).isEqualTo(143);
      assertThat(text).contains("wild3d-train: SIGTERM again: aborting at once, without writing"
          + " a checkpoint (exit 143; the complete checkpoints stay)\n");
      CheckpointManager cm = new CheckpointManager(run.resolve("checkpoints"), 100);
      assertOnlyCompleteCheckpointsListed(cm, run);
      assertThat(cm.list()).isEmpty();
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts a run, sends SIG{@code signal} at {@code moment} (drawn with {@code seed}), checks
   * what is left, resumes from the newest checkpoint and compares with the uninterrupted run.
   */
  private void fault(String signal, Moment moment, long seed) throws Exception {
    Random rnd = new Random(seed);
    Path runs = dir.resolve("runs");
    Path log = dir.resolve("train.log");
    Process p = start(runs, log);
    boolean noStepBeforeSignal = false;
    boolean sent = false;
    String at;
    try {
      Path run0 = awaitRun(p, runs, log);
      CheckpointManager cm0 = new CheckpointManager(run0.resolve("checkpoints"), 100);
      switch (moment) {
        case GRAPH_BUILD -> {
          await(p, log, () -> Files.exists(run0.resolve(Configs.RESOLVED_FILE)), "the configs");
          Thread.sleep(100 + rnd.nextInt(300)); // loading TF and building the graph take > 1 s
          at = "during graph building";
        }
        case FIRST_STEP -> {
          await(p, log, () -> Files.readString(log).contains("graph built"), "the graph");
          Thread.sleep(300 + rnd.nextInt(1200));
          at = cm0.list().isEmpty() ? "before the first checkpoint" : "after the first checkpoint";
        }
        case CHECKPOINT_WRITE -> {
          await(p, log, () -> !cm0.list().isEmpty(), "a checkpoint");
          at = "between ticks (no checkpoint write caught)";
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          // Busy-poll for the next tick's checkpoint being written: a save of the tiny model
          // takes milliseconds, so look for its temporary directory by name (one stat a turn).
          long newest = newestStep(cm0);
          Path next = tempDir(run0, newest + STEPS_PER_TICK);
          while (p.isAlive() && System.nanoTime() < deadline && newest < LATEST_MOMENT_STEP) {
            if (Files.exists(next)) {
              signal(p, signal); // at once: the write lasts milliseconds
              sent = true;
              at = "while the checkpoint of step " + (newest + STEPS_PER_TICK) + " was being written";
              break;
            }
            if (Files.exists(run0.resolve("checkpoints").resolve(stepName(newest + STEPS_PER_TICK)))) {
              newest = newestStep(cm0);
              next = tempDir(run0, newest + STEPS_PER_TICK);
            }
          }
        }
        case BETWEEN_TICKS -> {
          int ticks = 1 + rnd.nextInt(3);
          await(p, log, () -> newestStep(cm0) >= (long) ticks * STEPS_PER_TICK, ticks + " ticks");
          Thread.sleep(rnd.nextInt(150));
          at = "between ticks";
        }
        default -> throw new IllegalArgumentException(moment.toString());
      }
      if (!sent) {
        noStepBeforeSignal = !Files.readString(log).contains("graph built");
        assertThat(p.isAlive()).as("training ended before the signal:%n%s", Files.readString(log))
            .isTrue();
        signal(p, signal);
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("no exit after SIG%s", signal).isTrue();
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    String text = Files.readString(log);
    Path run = CheckpointValues.onlyRun(runs);
    CheckpointManager cm = new CheckpointManager(run.resolve("checkpoints"), 100);
    assertOnlyCompleteCheckpointsListed(cm, run);
    long stoppedAt;
    if (signal.equals("KILL")) {
      assertThat(p.exitValue()).as(text).isEqualTo(137); // 128 + SIGKILL: killed, not finished
      // At most one tick lost: the newest checkpoint is of the last tick reported or the one
      // before it (killed between a tick's line and its checkpoint).
      int lastTick = lastReportedTick(text);
      if (cm.list().isEmpty()) { // killed in the first tick: nothing to resume
        assertThat(lastTick).as(text).isLessThanOrEqualTo(1);
        System.out.printf(Locale.ROOT, "SIGKILL %s (seed %d): exit 137, no checkpoint yet%n", at,
            seed);
        return;
      }
      CheckpointManager.Checkpoint newest = cm.latest().orElseThrow();
      assertThat(Integer.parseInt(newest.manifest().extra().get("tick"))).as(text)
          .isGreaterThanOrEqualTo(lastTick - 1);
      stoppedAt = newest.manifest().step();
    } else {
      assertThat(p.exitValue()).as(text).isEqualTo(5);
      assertThat(hasTemp(run)).as("a clean stop leaves no temporary checkpoint").isFalse();
      Matcher m = Pattern.compile("wild3d-train: stopped by SIG" + signal + " at step (\\d+) \\(([0-9.]+)"
          + " kimg\\): checkpoint (\\S+) written; continue with: wild3d-train --resume (\\S+)\n")
          .matcher(text);
      if (!m.find()) {
        assertThat(text).as("SIG%s %s", signal, at).contains("wild3d-train: stopped by SIG" + signal
            + " before the first training step: no checkpoint was written because no step had"
            + " run (" + run + " holds only its configs; start the run again)\n");
        assertThat(moment).isIn(Moment.GRAPH_BUILD, Moment.FIRST_STEP);
        assertThat(cm.list()).isEmpty();
        System.out.printf(Locale.ROOT, "SIG%s %s (seed %d): exit 5, no step had run%n", signal, at,
            seed);
        return;
      }
      assertThat(noStepBeforeSignal).as("a stop after a step although the graph was not built")
          .isFalse();
      assertThat(moment).as("SIG%s %s", signal, at).isNotEqualTo(Moment.GRAPH_BUILD);
      stoppedAt = Long.parseLong(m.group(1));
      assertThat(m.group(3)).isEqualTo(
          run.resolve("checkpoints").resolve(String.format(Locale.ROOT, "step-%09d", stoppedAt))
              .toString());
      assertThat(m.group(4)).isEqualTo(run.toString());
      assertThat(cm.latest().orElseThrow().manifest().step()).isEqualTo(stoppedAt);
      assertThat(text).contains("wild3d-train: SIG" + signal + " received: finishing the step in"
          + " flight, then writing a checkpoint");
    }
    assertNewestVerifies(cm);
    System.out.printf(Locale.ROOT, "SIG%s %s (seed %d): exit %d, newest checkpoint at step %d,"
        + " checkpoints %s%n", signal, at, seed, p.exitValue(), stoppedAt,
        cm.list().stream().map(c -> c.manifest().step()).toList());

    // --resume (in this JVM) to a tick boundary at least one tick later, then compare with the
    // uninterrupted run at that step.
    long target = (stoppedAt / STEPS_PER_TICK + 2) * STEPS_PER_TICK;
    assertThat(target).isLessThanOrEqualTo(REFERENCE_STEPS);
    setTotalSteps(run, target);
    TinyTraining.Io io = new TinyTraining.Io();
    CommandLine cl = Main.commandLine();
    cl.setOut(io.outW);
    cl.setErr(io.errW);
    assertThat(cl.execute("--resume", run.toString())).as(io.err.toString()).isZero();
    assertThat(io.out.toString()).contains("resumed from " + run.resolve("checkpoints")
        .resolve(String.format(Locale.ROOT, "step-%09d", stoppedAt)) + ": step " + stoppedAt + ",");
    CheckpointManager.Checkpoint resumed = at(run, target);
    CheckpointManager.Checkpoint uninterrupted = at(reference(), target);
    assertThat(resumed.manifest().extra()).isEqualTo(uninterrupted.manifest().extra());
    assertThat(resumed.manifest().kimg()).isEqualTo(uninterrupted.manifest().kimg());
    assertThat(CheckpointValues.differing(values(uninterrupted), values(resumed))).isEmpty();
  }

  /**
   * The newest listed checkpoint verifies: every file the manifest lists is there with its size
   * and CRC32C, and the manifest's step names the directory.
   */
  private static void assertNewestVerifies(CheckpointManager cm) {
    CheckpointManager.Checkpoint c = cm.latest().orElseThrow().verified();
    assertThat(c.verification().kind()).as(c.verification().reason())
        .isEqualTo(org.wild3d.checkpoint.Verification.Kind.VERIFIED);
    assertThat(c.dir().getFileName().toString())
        .isEqualTo(String.format(Locale.ROOT, "step-%09d", c.manifest().step()));
  }

  /** Every step directory is listed (only complete ones are ever renamed into place). */
  private static void assertOnlyCompleteCheckpointsListed(CheckpointManager cm, Path run)
      throws IOException {
    Path ck = run.resolve("checkpoints");
    Set<String> onDisk = new HashSet<>();
    if (Files.isDirectory(ck)) {
      try (Stream<Path> s = Files.list(ck)) {
        s.map(q -> q.getFileName().toString()).filter(n -> !n.startsWith(".tmp-"))
            .forEach(onDisk::add);
      }
    }
    Set<String> listed = new HashSet<>();
    for (CheckpointManager.Checkpoint c : cm.list()) {
      listed.add(c.dir().getFileName().toString());
      assertThat(c.dir().resolve("variables.index")).isRegularFile();
      assertThat(c.dir().resolve("variables.data-00000-of-00001")).isRegularFile();
    }
    assertThat(listed).isEqualTo(onDisk);
  }

  /** The uninterrupted run: {@link #REFERENCE_STEPS} steps with every tick's checkpoint kept. */
  private static synchronized Path reference() throws IOException {
    if (reference == null) {
      Path runs = shared.resolve("reference");
      List<String> a = new ArrayList<>(List.of("--out", runs.toString()));
      for (String o : overrides(String.format(Locale.ROOT,
          "train { total_kimg: %s keep_checkpoints: 100 }", totalKimg(REFERENCE_STEPS)))) {
        a.add("--override");
        a.add(o);
      }
      TinyTraining.Io io = new TinyTraining.Io();
      CommandLine cl = Main.commandLine();
      cl.setOut(io.outW);
      cl.setErr(io.errW);
      assertThat(cl.execute(a.toArray(new String[0]))).as(io.err.toString()).isZero();
      reference = CheckpointValues.onlyRun(runs);
    }
    return reference;
  }

  /** Every variable of {@code c}, restored into one training graph shared by the comparisons. */
  private static synchronized Map<String, float[]> values(CheckpointManager.Checkpoint c)
      throws IOException {
    Experiment cfg = Configs.readResolved(reference());
    if (graph == null) {
      graph = new Graph();
      new GanGraph(graph, GanSpec.from(cfg));
    }
    try (Session s = Sessions.create(graph, 1)) {
      CheckpointManager.restore(s, c, Configs.architectureHash(cfg));
      return CheckpointValues.fetchAll(graph, s);
    }
  }

  private static CheckpointManager.Checkpoint at(Path run, long step) {
    return new CheckpointManager(run.resolve("checkpoints"), 100).list().stream()
        .filter(c -> c.manifest().step() == step).findFirst()
        .orElseThrow(() -> new AssertionError("no checkpoint at step " + step + " in " + run));
  }

  /** Between {@code steps − 1} and {@code steps} steps of 4 images, so exactly {@code steps}. */
  private static String totalKimg(long steps) {
    return String.format(Locale.ROOT, "%.4f", (steps * 4 - 0.5) / 1000);
  }

  private static List<String> overrides(String extra) {
    return TinyTraining.overrides(shared.resolve("cache"), extra);
  }

  /** Makes the run end after exactly {@code steps} steps when resumed. */
  private static void setTotalSteps(Path run, long steps) throws IOException {
    Path resolved = run.resolve(Configs.RESOLVED_FILE);
    Files.writeString(resolved, Files.readString(resolved).replaceFirst(
        "(?m)^(\\s*)total_kimg: [0-9.eE+-]+$", "$1total_kimg: " + totalKimg(steps)));
    assertThat(Configs.readResolved(run).getTrain().getTotalKimg())
        .isEqualTo(Double.parseDouble(totalKimg(steps)));
  }

  /** Starts {@code wild3d-train} on a 100-kimg tiny run (it runs until signalled). */
  private static Process start(Path runs, Path log) throws IOException {
    List<String> args = new ArrayList<>(List.of("--out", runs.toString()));
    for (String o : overrides("train { total_kimg: 100 }")) {
      args.add("--override");
      args.add(o);
    }
    ProcessBuilder pb = new ProcessBuilder(TinyTraining.javaMain(args)).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return pb.start();
  }

  /**
   * Sends SIG{@code signal}: TERM and KILL straight from this JVM ({@link Process#destroy} and
   * {@link Process#destroyForcibly} are SIGTERM and SIGKILL on Linux; no process to start, so a
   * signal meant for a checkpoint write arrives during it), others with {@code kill -s}.
   */
  private static void signal(Process p, String signal) throws Exception {
    if (signal.equals("TERM")) {
      p.destroy();
      return;
    }
    if (signal.equals("KILL")) {
      p.destroyForcibly();
      return;
    }
    Process k = new ProcessBuilder("kill", "-s", signal, Long.toString(p.pid()))
        .redirectErrorStream(true).start();
    assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(k.exitValue()).as(new String(k.getInputStream().readAllBytes())).isZero();
  }

  @FunctionalInterface
  private interface Condition {
    boolean holds() throws Exception;
  }

  /** Waits (at most 90 s, training still alive) until {@code c} holds. */
  private static void await(Process p, Path log, Condition c, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!c.holds()) {
      assertThat(p.isAlive()).as("training exited before %s:%n%s", what, Files.readString(log))
          .isTrue();
      assertThat(System.nanoTime()).as("no %s in time:%n%s", what, Files.readString(log))
          .isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /** The run directory, once Main has created it. */
  private static Path awaitRun(Process p, Path runs, Path log) throws Exception {
    await(p, log, () -> {
      if (!Files.isDirectory(runs)) {
        return false;
      }
      try (Stream<Path> s = Files.list(runs)) {
        return s.findAny().isPresent();
      }
    }, "run directory");
    return CheckpointValues.onlyRun(runs);
  }

  private static long newestStep(CheckpointManager cm) {
    return cm.latest().map(c -> c.manifest().step()).orElse(0L);
  }

  /** The tick of the last progress line ("... step N  tick M ..."), 0 if none. */
  private static int lastReportedTick(String log) {
    Matcher m = Pattern.compile("  step \\d+  tick (\\d+) ").matcher(log);
    int tick = 0;
    while (m.find()) {
      tick = Integer.parseInt(m.group(1));
    }
    return tick;
  }

  private static String stepName(long step) {
    return String.format(Locale.ROOT, "step-%09d", step);
  }

  /** Where the checkpoint of {@code step} is written before it is renamed into place. */
  private static Path tempDir(Path run, long step) {
    return run.resolve("checkpoints").resolve(".tmp-" + stepName(step));
  }

  private static boolean hasTemp(Path run) throws IOException {
    Path ck = run.resolve("checkpoints");
    if (!Files.isDirectory(ck)) {
      return false;
    }
    try (Stream<Path> s = Files.list(ck)) {
      return s.anyMatch(q -> q.getFileName().toString().startsWith(".tmp-"));
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
  }
}
