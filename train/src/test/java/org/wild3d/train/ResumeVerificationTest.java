package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.config.Configs;
import picocli.CommandLine;

/**
 * {@code wild3d-train --resume} on a run whose newest checkpoint is damaged, and on a run whose
 * recorded config no longer matches its checkpoints.
 */
class ResumeVerificationTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path trained;

  private static int train(TinyTraining.Io io, String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(io.outW);
    cl.setErr(io.errW);
    return cl.execute(args);
  }

  /** One finished tiny run with checkpoints at steps 2 and 4, copied by each test. */
  @BeforeAll
  static void trainOnce() throws Exception {
    Path runs = shared.resolve("runs");
    List<String> a = new ArrayList<>(List.of("--out", runs.toString()));
    for (String o : TinyTraining.overrides(shared.resolve("cache"),
        "train { total_kimg: 0.016 }")) {
      a.add("--override");
      a.add(o);
    }
    TinyTraining.Io io = new TinyTraining.Io();
    assertThat(train(io, a.toArray(String[]::new))).as(io.err.toString()).isZero();
    try (Stream<Path> s = Files.list(runs)) {
      trained = s.findFirst().orElseThrow();
    }
  }

  private Path trainedRun() throws Exception {
    Path run = dir.resolve(trained.getFileName().toString());
    try (Stream<Path> s = Files.walk(trained)) {
      for (Path p : s.sorted().toList()) {
        Files.copy(p, run.resolve(trained.relativize(p).toString()));
      }
    }
    return run;
  }

  @Test
  void resumeSkipsATruncatedNewestCheckpointSayingWhichItUses() throws Exception {
    Path run = trainedRun();
    Path step2 = run.resolve("checkpoints/step-000000002");
    Path step4 = run.resolve("checkpoints/step-000000004");
    Path data = step4.resolve("variables.data-00000-of-00001");
    byte[] b = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(b, b.length / 3));
    Path resolved = run.resolve(Configs.RESOLVED_FILE);
    Files.writeString(resolved, Files.readString(resolved)
        .replace("total_kimg: 0.016", "total_kimg: 0.024"));

    TinyTraining.Io io = new TinyTraining.Io();
    assertThat(train(io, "--resume", run.toString())).as(io.err.toString()).isZero();
    assertThat(io.out.toString()).contains("checkpoint " + step4
        + ": variables.data-00000-of-00001 is " + b.length / 3 + " bytes, the manifest says "
        + b.length + " (truncated or damaged); using step-000000002 instead\n"
        + "checkpoint: " + step2 + " (step 2, verified)\n"
        + "resumed from " + step2 + ": step 2, ");
    // Training went on from step 2; step 4 was written again (complete) on the way to step 6.
    CheckpointManager cm = new CheckpointManager(run.resolve("checkpoints"), 5);
    assertThat(cm.list()).extracting(c -> c.manifest().step()).containsExactly(2L, 4L, 6L);
    for (var c : cm.list()) {
      assertThat(c.verified().verification().kind()).isEqualTo(
          org.wild3d.checkpoint.Verification.Kind.VERIFIED);
    }
  }

  @Test
  void resumeWithAnotherArchitectureNamesTheFieldsThatDiffer() throws Exception {
    Path run = trainedRun();
    Path resolved = run.resolve(Configs.RESOLVED_FILE);
    String text = Files.readString(resolved);
    assertThat(text).contains("hidden_dim: 16");
    Files.writeString(resolved, text.replace("hidden_dim: 16", "hidden_dim: 32"));
    TinyTraining.Io io = new TinyTraining.Io();
    assertThat(train(io, "--resume", run.toString())).isEqualTo(4);
    Path step4 = run.resolve("checkpoints/step-000000004");
    assertThat(io.err.toString()).startsWith("wild3d-train: checkpoint " + step4 + ": expected"
        + " the architecture (model and render) of the config it is opened with, found 1 field"
        + " that differs:\n  model.decoder.hidden_dim: 16 in the checkpoint, 32 in the config\n");
    assertThat(io.err.toString()).doesNotContain("Exception");
  }

  @Test
  void resumeWithoutAnyCheckpointThatVerifiesIsExitFour() throws Exception {
    Path run = trainedRun();
    for (String s : List.of("step-000000002", "step-000000004")) {
      Files.writeString(run.resolve("checkpoints").resolve(s).resolve("variables.index"), "x");
    }
    TinyTraining.Io io = new TinyTraining.Io();
    assertThat(train(io, "--resume", run.toString())).isEqualTo(4);
    assertThat(io.err.toString()).startsWith("wild3d-train: run directory " + run
        + ": expected a checkpoint that verifies, found none of 2 in " + run.resolve("checkpoints")
        + ":\n  checkpoint " + run.resolve("checkpoints/step-000000004")
        + ": variables.index is 1 byte, the manifest says ");
  }
}
