package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.GanSpec;
import org.wild3d.tf.Sessions;
import picocli.CommandLine;

/**
 * Training is a function of (config, seed): two runs give bit-identical checkpoints, a checkpoint
 * restores to exactly the saved values, and resuming from a checkpoint then training k steps gives
 * the same variables as the uninterrupted run at that step.
 */
class TrainDeterminismTest {
  @TempDir Path dir;

  private static Path train(Path runs, List<String> overrides) throws IOException {
    List<String> a = new ArrayList<>(List.of("--out", runs.toString()));
    for (String o : overrides) {
      a.add("--override");
      a.add(o);
    }
    TinyTraining.Io io = new TinyTraining.Io();
    CommandLine cl = Main.commandLine();
    cl.setOut(io.outW);
    cl.setErr(io.errW);
    assertThat(cl.execute(a.toArray(new String[0]))).as(io.err.toString()).isZero();
    return CheckpointValues.onlyRun(runs);
  }

  private static String resume(Path run) {
    TinyTraining.Io io = new TinyTraining.Io();
    CommandLine cl = Main.commandLine();
    cl.setOut(io.outW);
    cl.setErr(io.errW);
    assertThat(cl.execute("--resume", run.toString())).as(io.err.toString()).isZero();
    return io.out.toString();
  }

  private static CheckpointManager.Checkpoint at(Path run, long step) {
    return new CheckpointManager(run.resolve("checkpoints"), 100)
        .list().stream().filter(c -> c.manifest().step() == step).findFirst().orElseThrow();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  @Test
  void sameSeedRunsAreBitIdenticalAndRestoreIsExact() throws Exception {
    // One step (2 scenes x 2 views = 4 images) with every phase: G, density reg, D, R1, EMA.
    List<String> ov =
        TinyTraining.overrides(dir.resolve("cache"), "train { total_kimg: 0.004 kimg_per_tick: 0.004 }");
    Path a = train(dir.resolve("a"), ov);
    Path b = train(dir.resolve("b"), ov);
    Experiment cfg = Configs.readResolved(a);
    CheckpointManager.Checkpoint ck = at(a, 1);
    Path resaved = dir.resolve("resaved").resolve("variables");
    Map<String, float[]> init;
    Map<String, float[]> restored;
    Map<String, float[]> other;
    try (Graph graph = new Graph()) {
      new GanGraph(graph, GanSpec.from(cfg));
      try (Session fresh = Sessions.create(graph, 1)) {
        init = CheckpointValues.fetchAll(graph, fresh);
      }
      try (Session s = Sessions.create(graph, 1)) {
        CheckpointManager.restore(s, ck, Configs.architectureHash(cfg));
        restored = CheckpointValues.fetchAll(graph, s);
        Files.createDirectories(resaved.getParent());
        s.save(resaved.toString());
      }
      try (Session s = Sessions.create(graph, 1)) {
        CheckpointManager.restore(s, at(b, 1), Configs.architectureHash(cfg));
        other = CheckpointValues.fetchAll(graph, s);
      }
    }
    assertThat(restored).hasSizeGreaterThan(50);
    // A step of Adam moved most trainables and slots away from their initial values (so the
    // equalities below are not vacuous), and a restore silently followed by the initialisers
    // would leave none changed.
    assertThat(CheckpointValues.differing(init, restored).size()).isGreaterThan(init.size() / 2);
    // Same seed, same config: every variable (G, G_ema, D, Adam moments and beta powers, w_avg)
    // is bit-identical.
    assertThat(CheckpointValues.differing(restored, other)).isEmpty();
    // Saving the restored session again writes the very same bytes: restore is exact.
    assertThat(Files.readAllBytes(Path.of(resaved + ".data-00000-of-00001")))
        .isEqualTo(Files.readAllBytes(Path.of(ck.prefix() + ".data-00000-of-00001")));
  }

  @Test
  void aRunStoppedBySigtermThenResumedEqualsTheUninterruptedRun() throws Exception {
    // 6 steps of 4 images, ticks end at steps 2, 4 and 6; the stop comes after step 3, mid-tick.
    List<String> ov = TinyTraining.overrides(dir.resolve("cache"), "train { total_kimg: 0.024 }");
    Path a = train(dir.resolve("a"), ov);
    Experiment cfg = Configs.readResolved(a);

    // The same run, stopped after step 3 by the request that SIGTERM's handler makes.
    List<String> args = new ArrayList<>(List.of("--out", dir.resolve("b").toString()));
    for (String o : ov) {
      args.add("--override");
      args.add(o);
    }
    TinyTraining.Io io = new TinyTraining.Io();
    CommandLine cl = Main.commandLine(new TrainLoop((step, stop) -> {
      if (step == 3) {
        stop.request(GracefulStop.Sig.TERM);
      }
    }));
    cl.setOut(io.outW);
    cl.setErr(io.errW);
    assertThat(cl.execute(args.toArray(new String[0]))).as(io.err.toString()).isEqualTo(5);
    Path b = CheckpointValues.onlyRun(dir.resolve("b"));
    assertThat(io.err.toString()).isEqualTo(""
        + "wild3d-train: SIGTERM received: finishing the step in flight, then writing a checkpoint"
        + " (a second signal aborts at once, without one)\n"
        + "wild3d-train: stopped by SIGTERM at step 3 (0.012 kimg): checkpoint "
        + b.resolve("checkpoints").resolve("step-000000003") + " written; continue with:"
        + " wild3d-train --resume " + b + "\n");
    assertThat(new CheckpointManager(b.resolve("checkpoints"), 100).list())
        .extracting(c -> c.manifest().step()).containsExactly(2L, 3L);
    // The stop skips the samples of the stopped step.
    assertThat(b.resolve("samples/fakes-step0000002.png")).exists();
    assertThat(b.resolve("samples/fakes-step0000003.png")).doesNotExist();

    String log = resume(b);
    assertThat(log).contains("resumed from " + at(b, 3).dir() + ": step 3,");
    assertThat(CheckpointValues.differing(CheckpointValues.read(cfg, at(a, 4)),
        CheckpointValues.read(cfg, at(b, 4)))).isEmpty();
    Map<String, float[]> a6 = CheckpointValues.read(cfg, at(a, 6));
    assertThat(CheckpointValues.differing(CheckpointValues.read(cfg, at(a, 2)), a6))
        .hasSizeGreaterThan(a6.size() / 2);
    assertThat(CheckpointValues.differing(a6, CheckpointValues.read(cfg, at(b, 6)))).isEmpty();
    assertThat(at(b, 6).manifest().extra()).isEqualTo(at(a, 6).manifest().extra());
  }

  @Test
  @Tag("slow")
  void resumingThenTrainingKStepsEqualsTheUninterruptedRun() throws Exception {
    // 6 steps of 4 images, checkpoints at steps 2, 4 and 6.
    Path a = train(dir.resolve("a"), TinyTraining.overrides(dir.resolve("cache"), "train { total_kimg: 0.024 }"));
    Experiment cfg = Configs.readResolved(a);
    Map<String, float[]> a2 = CheckpointValues.read(cfg, at(a, 2));
    Map<String, float[]> a6 = CheckpointValues.read(cfg, at(a, 6));
    assertThat(CheckpointValues.differing(a2, a6)).hasSizeGreaterThan(a2.size() / 2);

    // A copy of run a without its step-4 and step-6 checkpoints, resumed: 4 more steps from step
    // 2, crossing a tick, a snapshot and the lazy density regulariser (step 4).
    Path c = dir.resolve("c").resolve(a.getFileName().toString());
    copyTree(a, c);
    deleteTree(at(c, 4).dir());
    deleteTree(at(c, 6).dir());
    String log = resume(c);
    assertThat(log).contains("resumed from").contains("step 2,");
    assertThat(CheckpointValues.differing(CheckpointValues.read(cfg, at(a, 4)), CheckpointValues.read(cfg, at(c, 4)))).isEmpty();
    assertThat(CheckpointValues.differing(a6, CheckpointValues.read(cfg, at(c, 6)))).isEmpty();
  }
}
