package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.Version;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Configs;
import picocli.CommandLine;

/** wild3d-train run in-process through picocli, with captured stdout and stderr. */
class MainTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<RunContext> jobs = new ArrayList<>();

  private int run(TrainJob job, String... args) {
    CommandLine cl = Main.commandLine(job);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private int run(String... args) {
    return run(ctx -> {
      jobs.add(ctx);
      new DescribeRunJob().run(ctx);
    }, args);
  }

  private Path write(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  @Test
  void allErrorsOfABadConfigAreReportedTogetherWithExitThree() throws Exception {
    Path bad = write("bad.pbtxt", String.join("\n",
        "model {",
        "  num_classes: 6",
        "  multiview { views: 0 }",
        "  triplane { resolution: 32 colour: 3 }",
        "}",
        "render { resolution: -32 }",
        "data { shapes {} resolution: 32 }",
        ""));
    assertThat(run("--config", bad.toString(), "--out", dir.resolve("runs").toString()))
        .isEqualTo(3);
    String e = err.toString();
    assertThat(e).startsWith("wild3d-train: invalid config (3 errors):\n")
        .contains(bad + ":4: model.triplane.colour: expected a field of Triplane, found unknown "
            + "field \"colour\"")
        .contains(bad + ":6: render.resolution: expected a power of two >= 4, found -32")
        .contains(bad + ":3: model.multiview.views: expected a value >= 1, found 0");
    assertThat(out.toString()).isEmpty();
    assertThat(jobs).isEmpty();
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  @Test
  void dryRunPrintsTheResolvedConfigAndTouchesNothing() {
    Path runs = dir.resolve("runs");
    assertThat(run("--dry-run", "--out", runs.toString(),
        "--override", "model { multiview { views: 3 } }")).isZero();
    String o = out.toString();
    // Defaults that shapes-tiny does not write appear explicitly.
    assertThat(o).contains("  w_avg_beta: 0.995\n").contains("  samples_importance: 12\n")
        .contains("name: \"shapes-tiny\"").contains("    views: 3\n")
        .contains("#   --override 'model { multiview { views: 3 } }'");
    assertThat(ConfigLoader.parse("out", o))
        .isEqualTo(ConfigLoader.loadDefault(List.of("model { multiview { views: 3 } }"))
            .resolved());
    assertThat(runs).doesNotExist();
    assertThat(jobs).isEmpty();
  }

  @Test
  void versionAndHelpExitZero() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("wild3d-train " + Version.get());
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("--config=FILE", "--override=SNIPPET", "--out=DIR",
        "--resume=RUN", "--dry-run", "Exit codes:");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void unknownOptionExitsTwo() {
    assertThat(run("--dryrun")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--dryrun'").contains("--dry-run");
  }

  @Test
  void runCreatesNumberedDirectoriesWithBothConfigsAndCallsTheJob() throws Exception {
    Path runs = dir.resolve("runs");
    assertThat(run("--out", runs.toString())).isZero();
    Path first = runs.resolve("00000-shapes-tiny");
    assertThat(first.resolve(Configs.INPUT_FILE)).exists();
    assertThat(Configs.readResolved(first)).isEqualTo(jobs.get(0).resolved());
    assertThat(jobs.get(0).runDir()).isEqualTo(first);
    assertThat(jobs.get(0).resumed()).isFalse();
    assertThat(out.toString()).isEqualTo("run directory: " + first + "\n"
        + "model: 6 classes, triplane 32x32x3x16, render 32x32, samples 12+12, views 2 PER_VIEW, "
        + "image 32x32 (no super-resolution)\n");

    Files.createDirectory(runs.resolve("00007-older"));
    Path cfg = write("chairs.pbtxt", ConfigLoader.defaultText());
    assertThat(run("--out", runs.toString(), "--config", cfg.toString())).isZero();
    assertThat(jobs.get(1).runDir()).isEqualTo(runs.resolve("00008-chairs"));
    assertThat(Files.readString(runs.resolve("00008-chairs").resolve(Configs.INPUT_FILE)))
        .endsWith(ConfigLoader.defaultText());
  }

  @Test
  void resumeRunsTheJobOnTheRecordedConfig() throws Exception {
    Path runs = dir.resolve("runs");
    assertThat(run("--out", runs.toString(), "--override", "train { total_kimg: 2 }")).isZero();
    Path runDir = jobs.get(0).runDir();
    assertThat(run("--resume", runDir.toString())).isZero();
    RunContext resumed = jobs.get(1);
    assertThat(resumed.resumed()).isTrue();
    assertThat(resumed.runDir()).isEqualTo(runDir);
    assertThat(resumed.resolved()).isEqualTo(jobs.get(0).resolved());
    assertThat(resumed.configHash()).isEqualTo(jobs.get(0).configHash());
    assertThat(resumed.input()).isEqualTo(jobs.get(0).input());
    assertThat(resumed.input().getTrain().getTotalKimg()).isEqualTo(2.0);
    assertThat(resumed.input().getTrain().hasBatchSize()).isTrue();
    assertThat(resumed.input().getTrain().hasBeta2()).isFalse();
    assertThat(resumed.resolved().getTrain().getTotalKimg()).isEqualTo(2.0);
  }

  @Test
  void resumeRejectsAConfigAndMissingRuns() {
    assertThat(run("--resume", dir.toString(), "--config", "x.pbtxt")).isEqualTo(2);
    assertThat(err.toString()).contains("--resume takes the config recorded in the run directory");
    assertThat(run("--resume", dir.toString())).isEqualTo(4);
    assertThat(err.toString()).contains(dir.resolve(Configs.RESOLVED_FILE).toString());
    assertThat(run("--resume", dir.resolve("nope").toString())).isEqualTo(4);
    assertThat(jobs).isEmpty();
  }

  @Test
  void missingConfigFileExitsThreeNamingIt() {
    Path f = dir.resolve("missing.pbtxt");
    assertThat(run("--config", f.toString(), "--dry-run")).isEqualTo(3);
    assertThat(err.toString()).contains(f.toString());
  }

  @Test
  void failingJobMapsToExitOne() {
    assertThat(run(ctx -> {
      throw new IllegalStateException("loss is NaN");
    }, "--out", dir.resolve("runs").toString())).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("wild3d-train: loss is NaN (run with --verbose or "
        + "WILD3D_DEBUG=1 for the stack trace)\n");
  }

  @Test
  void subcommandsCanBeAdded() {
    @CommandLine.Command(name = "probe")
    class Probe implements Runnable {
      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public void run() {
        spec.commandLine().getOut().println("benched");
      }
    }
    CommandLine cl = Main.commandLine();
    cl.addSubcommand(new Probe());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute("probe")).isZero();
    assertThat(out.toString()).isEqualTo("benched\n");
    assertThat(cl.execute("probe", "--help")).isZero();
  }

  @Test
  void benchAndDatasetAreSubcommandsAndBenchValidatesItsConfig() throws Exception {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.getSubcommands()).containsKeys("bench", "dataset");
    assertThat(cl.execute("bench", "--help")).isZero();
    assertThat(out.toString()).contains("GFLOP/s");
    assertThat(cl.execute("bench", "--override", "render { resolution: -4 }")).isEqualTo(3);
    assertThat(err.toString()).contains("render.resolution");
  }
}
