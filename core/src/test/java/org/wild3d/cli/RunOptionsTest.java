package org.wild3d.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/** The shared --run/--checkpoint/--threads options, as every command that opens a run sees them. */
class RunOptionsTest {
  @Command(name = "opener")
  static final class Opener implements Callable<Integer> {
    @Mixin RunOptions run;
    String seen;

    @Override
    public Integer call() {
      seen = run.run() + " " + run.checkpoint() + " " + run.threads();
      return 0;
    }
  }

  private final StringWriter err = new StringWriter();

  private int run(Opener o, String... args) {
    CommandLine cl = new CommandLine(o);
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void parsesTheThreeOptions() {
    Opener o = new Opener();
    assertThat(run(o, "--run", "runs/a", "--checkpoint", "runs/a/checkpoints/step-000000001",
        "--threads", "2")).isZero();
    assertThat(o.seen).isEqualTo(Path.of("runs/a") + " "
        + Path.of("runs/a/checkpoints/step-000000001") + " 2");
    Opener d = new Opener();
    assertThat(run(d, "--run", "runs/a")).isZero();
    assertThat(d.seen).isEqualTo(Path.of("runs/a") + " null 0");
  }

  @Test
  void aMissingRunAndNegativeThreadsAreUsageErrors() {
    assertThat(run(new Opener())).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--run=RUN'");
    assertThat(run(new Opener(), "--run", "r", "--threads", "-1")).isEqualTo(2);
    assertThat(err.toString()).contains("--threads: expected >= 0, found -1");
  }
}
