package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.LoadedConfig;
import org.wild3d.metrics.MetricResult;
import org.wild3d.model.TinyRuns;
import picocli.CommandLine;

/**
 * Wall-clock of {@code wild3d-eval metrics --metrics fid2k_cls} on a run: the first call (dataset
 * generation excluded; classifier training and real statistics included) and a second one (both
 * cached). Prints the figures; asserts the results are complete.
 */
@Tag("slow")
class MetricsTimingTest {
  @TempDir Path dir;

  private double time(Path run, String metric, StringWriter err) throws Exception {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    long t0 = System.nanoTime();
    assertThat(cl.execute("metrics", "--run", run.toString(), "--metrics", metric))
        .as(err.toString()).isZero();
    return (System.nanoTime() - t0) / 1e9;
  }

  private void measure(String label, LoadedConfig cfg) throws Exception {
    Path run = dir.resolve(label);
    TinyRuns.writeRun(run, cfg, 1, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    // Generate the dataset outside the timing.
    org.wild3d.data.Datasets.open(cfg.resolved().getData(), cfg.resolved().getCamera(),
        cfg.resolved().getData().getResolution(), null).close();
    StringWriter err = new StringWriter();
    double first = time(run, "fid2k_cls", err);
    double second = time(run, "fid2k_cls", err);
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertThat(lines).hasSize(2);
    MetricResult r = MetricResult.fromJsonLine(lines.get(1));
    assertThat(r.numGenerated()).isEqualTo(2000);
    assertThat(r.value()).isFinite().isPositive();
    System.out.printf("TIMING %s fid2k_cls: first %.1f s (classifier + real stats + generated),"
        + " cached %.1f s, value %.3f, load %s%n%s%n", label, first, second, r.value(),
        Files.readString(Path.of("/proc/loadavg")).trim(), err);
  }

  @Test
  void tinyModel16() throws Exception {
    measure("tiny16", TinyRuns.config(dir.resolve("cache"),
        "data { shapes { images_per_class: 700 } }"));
  }

  @Test
  void shapesTiny32() throws Exception {
    measure("shapes-tiny", ConfigLoader.loadDefault(List.of("data { cache_dir: \""
        + dir.resolve("cache") + "\" shapes { images_per_class: 350 } }")));
  }
}
