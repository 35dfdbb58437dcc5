package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.scale.ClusterSpec;

/**
 * Several {@code wild3d-train} processes on 127.0.0.1 (free ports, TF_CONFIG) train one run: the
 * chief's checkpoints match one process at the same total batch, only the chief writes, and a
 * worker that dies stops the run with a clear message; the run then resumes, here with another
 * number of processes.
 *
 * <p>Tolerance: the processes' gradients are means of their parts, summed in another order than
 * one process's, so they differ by float rounding (TowersEqualityTest measures it at ~1e-5 of the
 * largest gradient); Adam turns a gradient at float noise into a step of up to lr with a noise
 * sign, so after 3 steps a few elements may differ by up to 3 lr, while the mean difference over
 * every element stays at rounding level.
 */
@Timeout(600)
class MultiWorkerTest {
  @TempDir static Path shared;

  @BeforeAll
  static void dataset() throws Exception {
    // One process makes the shared dataset cache first, so the workers only read it.
    run(shared.resolve("warm"), 1, 1, List.of()).waitFor();
  }

  @ParameterizedTest(name = "{0} workers")
  @ValueSource(ints = {2, 3})
  void workersEqualOneProcessAtTheSameBatch(int workers) throws Exception {
    Path single = shared.resolve("single" + workers);
    Process one = run(single, workers, 3, List.of());
    assertThat(one.waitFor(240, TimeUnit.SECONDS)).isTrue();
    assertThat(one.exitValue()).as(log(single)).isZero();

    Path multi = shared.resolve("multi" + workers);
    List<Process> ps = cluster(multi, workers, 3, List.of());
    for (int i = 0; i < workers; i++) {
      assertThat(ps.get(i).waitFor(300, TimeUnit.SECONDS)).as("worker %s in time", i).isTrue();
      assertThat(ps.get(i).exitValue()).as("worker %s: %s", i, log(multi, i)).isZero();
    }
    assertThat(Files.exists(multi.resolve("out1"))).as("a worker wrote its --out").isFalse();
    assertThat(log(multi, 1)).contains("writes nothing");
    assertThat(log(multi, 0)).contains("data parallel: " + workers + " parts of each batch");
    // The same losses, step by step, as printed to 4 decimals.
    assertThat(losses(log(multi, 0))).isEqualTo(losses(log(single))).hasSize(3);

    Path a = CheckpointValues.onlyRun(single.resolve("out0"));
    Path b = CheckpointValues.onlyRun(multi.resolve("out0"));
    Experiment cfg = Configs.readResolved(a);
    Map<String, float[]> va = CheckpointValues.read(cfg, at(a, 3));
    Map<String, float[]> vb = CheckpointValues.read(cfg, at(b, 3));
    double max = CheckpointValues.maxAbsDiff(va, vb);
    double mean = meanAbsDiff(va, vb);
    System.out.printf(Locale.ROOT, "%d workers vs 1 process after 3 steps: max |diff| %.3g, mean"
        + " %.3g%n", workers, max, mean);
    float lr = Math.max(cfg.getTrain().getGLr(), cfg.getTrain().getDLr());
    assertThat(max).isLessThanOrEqualTo(3 * lr + 1e-6);
    assertThat(mean).isLessThan(1e-6);
  }

  @Test
  void aDeadWorkerStopsTheRunAndItResumesWithOtherWorkers() throws Exception {
    Path dir = shared.resolve("kill");
    List<Process> ps = cluster(dir, 2, 10_000, List.of("--collective-timeout", "8"));
    Path runs = dir.resolve("out0");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    // Wait for the chief's first checkpoint (end of tick 1) and a few more steps.
    while (!log(dir, 0).contains("step 3  tick 3")) {
      assertThat(ps.get(0).isAlive()).as(log(dir, 0)).isTrue();
      assertThat(System.nanoTime()).as("no third tick in time: %s", log(dir, 0))
          .isLessThan(deadline);
      Thread.sleep(50);
    }
    ps.get(1).destroyForcibly(); // SIGKILL: no goodbye to the others
    long killed = System.nanoTime();
    assertThat(ps.get(0).waitFor(120, TimeUnit.SECONDS)).as("the chief stops by itself").isTrue();
    long stopped = System.nanoTime();
    assertThat(ps.get(0).exitValue()).as(log(dir, 0)).isEqualTo(1);
    String[] lines = log(dir, 0).split("\n");
    System.out.printf(Locale.ROOT, "chief after its worker was killed (%.1f s):%n%s%n",
        (stopped - killed) / 1e9, lines[lines.length - 1]);
    assertThat(log(dir, 0)).contains("wild3d-train: the run stopped: ",
        "a worker that died or cannot be reached", "--resume " + runs);
    Path run = CheckpointValues.onlyRun(runs);
    CheckpointManager cm = new CheckpointManager(run.resolve("checkpoints"), 100);
    long newest = cm.latest().orElseThrow().manifest().step();
    assertThat(newest).isGreaterThanOrEqualTo(1);
    assertThat(cm.latest().orElseThrow().verified().verification().label()).isEqualTo("verified");

    // Resume with ONE process (the state is the run's, not the workers'), two more steps.
    Path resolved = run.resolve(Configs.RESOLVED_FILE);
    Files.writeString(resolved, Files.readString(resolved).replaceFirst(
        "(?m)^(\\s*)total_kimg: [0-9.eE+-]+$", "$1total_kimg: " + kimg(newest + 2, 2)));
    ProcessBuilder pb =
        new ProcessBuilder(TinyTraining.javaMain(List.of("--resume", run.toString())))
        .redirectErrorStream(true).redirectOutput(dir.resolve("resume.log").toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    pb.environment().remove("TF_CONFIG");
    Process r = pb.start();
    assertThat(r.waitFor(240, TimeUnit.SECONDS)).isTrue();
    String rlog = Files.readString(dir.resolve("resume.log"));
    assertThat(r.exitValue()).as(rlog).isZero();
    assertThat(rlog).contains("resumed from", "step " + (newest + 2) + "  tick");
  }

  @Test
  void aSignalToOneWorkerStopsAllAfterTheSameStepWithTheChiefsCheckpoint() throws Exception {
    Path dir = shared.resolve("signal");
    List<Process> ps = cluster(dir, 2, 10_000, List.of());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!log(dir, 1).contains("step 2  tick 2")) {
      assertThat(ps.get(1).isAlive()).as(log(dir, 1)).isTrue();
      assertThat(System.nanoTime()).as("no second tick in time: %s", log(dir, 1))
          .isLessThan(deadline);
      Thread.sleep(50);
    }
    ps.get(1).destroy(); // SIGTERM to the worker, not the chief
    for (int i = 0; i < 2; i++) {
      assertThat(ps.get(i).waitFor(120, TimeUnit.SECONDS)).as("process %s stops", i).isTrue();
      assertThat(ps.get(i).exitValue()).as(log(dir, i)).isEqualTo(5);
    }
    assertThat(log(dir, 1)).contains("SIGTERM received", "the chief wrote its checkpoint");
    assertThat(log(dir, 0)).contains("stopped by a signal to another process of the run at step");
    Matcher m = Pattern.compile("stopped after step (\\d+)").matcher(log(dir, 1));
    assertThat(m.find()).as(log(dir, 1)).isTrue();
    long step = Long.parseLong(m.group(1));
    Path run = CheckpointValues.onlyRun(dir.resolve("out0"));
    CheckpointManager cm = new CheckpointManager(run.resolve("checkpoints"), 100);
    assertThat(cm.latest().orElseThrow().manifest().step()).isEqualTo(step);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** kimg of exactly {@code steps} steps of the tiny run with batch 2·W (4·W reals a step). */
  private static String kimg(long steps, int workers) {
    return String.format(Locale.ROOT, "%.5f", (steps * 4.0 * workers - 0.5) / 1000);
  }

  private static List<String> args(Path out, int workers, long steps, List<String> extra) {
    List<String> a = new ArrayList<>(List.of("--out", out.toString()));
    for (String o : TinyTraining.overrides(shared.resolve("cache"), String.format(Locale.ROOT,
        "train { batch_size: %d total_kimg: %s keep_checkpoints: 100 }", 2 * workers,
        kimg(steps, workers)))) {
      a.add("--override");
      a.add(o);
    }
    a.addAll(extra);
    return a;
  }

  /** One process (no TF_CONFIG) with the batch of {@code workers} workers. */
  private static Process run(Path dir, int workers, long steps, List<String> extra)
      throws IOException {
    Files.createDirectories(dir);
    ProcessBuilder pb = new ProcessBuilder(
            TinyTraining.javaMain(args(dir.resolve("out0"), workers, steps, extra)))
        .redirectErrorStream(true).redirectOutput(dir.resolve("0.log").toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    pb.environment().remove("TF_CONFIG");
    return pb.start();
  }

  /** {@code workers} processes of one cluster on free loopback ports, task i writing to outI. */
  private static List<Process> cluster(Path dir, int workers, long steps, List<String> extra)
      throws IOException {
    Files.createDirectories(dir);
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      addresses.add("\"127.0.0.1:" + ClusterSpec.freeLoopbackPort() + "\"");
    }
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      ProcessBuilder pb = new ProcessBuilder(TinyTraining.javaMain(args(dir.resolve("out" + i),
          workers, steps, extra))).redirectErrorStream(true)
          .redirectOutput(dir.resolve(i + ".log").toFile());
      pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
      pb.environment().put("TF_CONFIG", "{\"cluster\": {\"worker\": [" + String.join(", ",
          addresses) + "]}, \"task\": {\"type\": \"worker\", \"index\": " + i + "}}");
      ps.add(pb.start());
    }
    return ps;
  }

  private static String log(Path dir) throws IOException {
    return log(dir, 0);
  }

  private static String log(Path dir, int task) throws IOException {
    Path p = dir.resolve(task + ".log");
    return Files.exists(p) ? Files.readString(p) : "";
  }

  /** The loss part of every progress line ("G 1.0243  D_fake ..."). */
  private static List<String> losses(String log) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("  step (\\d+)  tick \\d+  (G .*)").matcher(log);
    while (m.find()) {
      out.add(m.group(1) + ": " + m.group(2).trim());
    }
    return out;
  }

  private static CheckpointManager.Checkpoint at(Path run, long step) {
    return new CheckpointManager(run.resolve("checkpoints"), 100).list().stream()
        .filter(c -> c.manifest().step() == step).findFirst()
        .orElseThrow(() -> new AssertionError("no checkpoint at step " + step + " in " + run));
  }

  private static double meanAbsDiff(Map<String, float[]> a, Map<String, float[]> b) {
    double sum = 0;
    long n = 0;
    for (String k : a.keySet()) {
      float[] x = a.get(k);
      float[] y = b.get(k);
      for (int i = 0; i < x.length; i++) {
        sum += Math.abs((double) x[i] - y[i]);
        n++;
      }
    }
    return sum / n;
  }
}
