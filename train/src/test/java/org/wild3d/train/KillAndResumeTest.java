package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.tf.Sessions;
import picocli.CommandLine;

/**
 * {@code wild3d-train} killed with SIGKILL in the middle of training (a separate JVM) leaves only
 * complete checkpoints listed, and {@code --resume} continues from the newest one.
 */
class KillAndResumeTest {
  @TempDir Path dir;

  /** The java command running {@link Main} with this JVM's class path and native cache. */
  private static List<String> javaMain(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null) {
      cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    return cmd;
  }

  /** Every listed checkpoint has its variables (index and data), its manifest, and its step's name. */
  private static void assertComplete(List<CheckpointManager.Checkpoint> listed) {
    for (CheckpointManager.Checkpoint c : listed) {
      assertThat(c.dir().resolve("variables.index")).isRegularFile();
      assertThat(c.dir().resolve("variables.data-00000-of-00001")).isRegularFile();
      assertThat(c.dir().resolve("manifest.json")).isRegularFile();
      assertThat(c.dir().getFileName().toString())
          .isEqualTo(String.format(Locale.ROOT, "step-%09d", c.manifest().step()));
    }
  }

  @Test
  @Timeout(240)
  void sigkillLeavesOnlyCompleteCheckpointsAndResumeContinuesFromTheLast() throws Exception {
    Path runs = dir.resolve("runs");
    List<String> args = new ArrayList<>(List.of("--out", runs.toString()));
    for (String o : TinyTraining.overrides(dir.resolve("cache"), "train { total_kimg: 100 }")) {
      args.add("--override");
      args.add(o);
    }
    Path log = dir.resolve("train.log");
    ProcessBuilder pb = new ProcessBuilder(javaMain(args)).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    CheckpointManager cm = null;
    boolean killedDuringSave = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      // Kill while a checkpoint is being written if the poll catches one (.tmp-step-…), else
      // after the third complete checkpoint.
      while (true) {
        assertThat(p.isAlive()).as("training exited early:%n%s", Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as("no checkpoint in time:%n%s", Files.readString(log)).isLessThan(deadline);
        if (cm == null) {
          Path run = Files.isDirectory(runs) ? firstEntry(runs) : null;
          if (run != null) {
            cm = new CheckpointManager(run.resolve("checkpoints"), 100);
          }
          Thread.sleep(20);
          continue;
        }
        int complete = cm.list().size();
        if (complete >= 3) {
          break;
        }
        if (complete >= 1) {
          // Busy-poll for a checkpoint being written (a save of the tiny model takes milliseconds).
          long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
          while (System.nanoTime() < until && !killedDuringSave) {
            killedDuringSave = hasTemp(cm, run(runs));
          }
          if (killedDuringSave) {
            break;
          }
        } else {
          Thread.sleep(20);
        }
      }
    } finally {
      p.destroyForcibly(); // SIGKILL on Linux
      p.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(p.exitValue()).isEqualTo(137); // 128 + SIGKILL: killed, not finished

    List<CheckpointManager.Checkpoint> listed = cm.list();
    assertThat(listed).isNotEmpty();
    assertComplete(listed);
    CheckpointManager.Checkpoint last = listed.get(listed.size() - 1);
    long lastStep = last.manifest().step();
    Path run = run(runs);
    System.out.printf(
        Locale.ROOT,
        "killed %s; complete checkpoints at steps %s; leftover temp dirs: %s%n",
        killedDuringSave ? "while a checkpoint was being written" : "between checkpoints",
        listed.stream().map(c -> c.manifest().step()).toList(),
        hasTemp(cm, run));

    // The newest checkpoint restores to exactly what was saved: saving it again gives the same bytes.
    Experiment cfg = Configs.readResolved(run);
    Path resaved = dir.resolve("resaved").resolve("variables");
    try (Graph graph = new Graph()) {
      new GanGraph(graph, cfg);
      try (Session s = Sessions.create(graph, 1)) {
        CheckpointManager.restore(s, last, Configs.architectureHash(cfg));
        Files.createDirectories(resaved.getParent());
        s.save(resaved.toString());
      }
    }
    assertThat(Files.readAllBytes(Path.of(resaved + ".data-00000-of-00001")))
        .isEqualTo(Files.readAllBytes(Path.of(last.prefix() + ".data-00000-of-00001")));

    // Resume (in this JVM) for two more steps from the newest complete checkpoint.
    Path resolved = run.resolve(Configs.RESOLVED_FILE);
    double total = last.manifest().kimg() * (lastStep + 2) / lastStep;
    Files.writeString(
        resolved,
        Files.readString(resolved)
            .replaceFirst(
                "(?m)^(\\s*)total_kimg: [0-9.eE+-]+$", String.format(Locale.ROOT, "$1total_kimg: %.3f", total)));
    assertThat(Configs.readResolved(run).getTrain().getTotalKimg()).isCloseTo(total, org.assertj.core.api.Assertions.within(1e-6));
    TinyTraining.Io io = new TinyTraining.Io();
    CommandLine cl = Main.commandLine();
    cl.setOut(io.outW);
    cl.setErr(io.errW);
    assertThat(cl.execute("--resume", run.toString())).as(io.err.toString()).isZero();
    assertThat(io.out.toString())
        .contains("resumed from " + last.dir() + ": step " + lastStep + ",");
    List<CheckpointManager.Checkpoint> after = cm.list();
    assertComplete(after);
    assertThat(after.get(after.size() - 1).manifest().step()).as(io.out.toString()).isEqualTo(lastStep + 2);
  }

  private static boolean hasTemp(CheckpointManager cm, Path run) throws Exception {
    Path ck = run.resolve("checkpoints");
    if (!Files.isDirectory(ck)) {
      return false;
    }
    try (Stream<Path> s = Files.list(ck)) {
      return s.anyMatch(q -> q.getFileName().toString().startsWith(".tmp-"));
    }
  }

  private static Path run(Path runs) throws Exception {
    return CheckpointValues.onlyRun(runs);
  }

  private static Path firstEntry(Path runs) throws Exception {
    try (Stream<Path> s = Files.list(runs)) {
      return s.findFirst().orElse(null);
    }
  }
}
