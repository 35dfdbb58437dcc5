package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.CameraPrior;
import org.wild3d.config.Configs;
import org.wild3d.config.LoadedConfig;
import org.wild3d.data.Dataset;
import org.wild3d.data.DatasetWriter;
import org.wild3d.data.ShapesGenerator;
import org.wild3d.image.RgbImage;
import org.wild3d.metrics.MetricResult;
import org.wild3d.model.TinyRuns;
import picocli.CommandLine;

class MetricsCommandTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  static Path shapes;
  static Path shifted;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** 3 classes x 200 shapes at 16², and a copy with red raised and blue lowered. */
  @BeforeAll
  static void datasets() {
    shapes = ShapesGenerator.generate(shared.resolve("shapes"), new ShapesGenerator.Params(
        List.of("sphere", "cube", "torus"), 200, 1, 16, CameraPrior.getDefaultInstance()), 2,
        null);
    shifted = shared.resolve("shifted");
    try (Dataset a = Dataset.open(shapes);
        DatasetWriter w = DatasetWriter.create(shifted, 16, a.classNames())) {
      for (int i = 0; i < a.size(); i++) {
        byte[] px = a.image(i).rgb().clone();
        for (int p = 0; p < px.length; p += 3) {
          px[p] = (byte) Math.min(255, (px[p] & 0xff) + 100);
          px[p + 2] = (byte) Math.max(0, (px[p + 2] & 0xff) - 100);
        }
        w.add(i, new RgbImage(16, 16, px), a.classOf(i));
      }
      w.commit();
    }
  }

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private static MetricResult only(Path jsonl) throws Exception {
    List<String> lines = Files.readAllLines(jsonl);
    assertThat(lines).hasSize(1);
    return MetricResult.fromJsonLine(lines.get(0));
  }

  @Test
  void splitHalvesAreCloseAndAColourShiftedCopyIsFar() throws Exception {
    Path cache = shared.resolve("cache");
    assertThat(run("metrics", "--dataset", shapes.toString(), "--split", "--metrics",
        "fid300_cls", "--cache-dir", cache.toString(), "--classifier-steps", "150", "--out",
        dir.resolve("split.jsonl").toString())).as(err.toString()).isZero();
    MetricResult same = only(dir.resolve("split.jsonl"));
    assertThat(run("metrics", "--dataset", shapes.toString(), "--against", shifted.toString(),
        "--metrics", "fid300_cls", "--cache-dir", cache.toString(), "--classifier-steps", "150",
        "--out", dir.resolve("against.jsonl").toString())).as(err.toString()).isZero();
    MetricResult far = only(dir.resolve("against.jsonl"));
    assertThat(same.numGenerated()).isEqualTo(300);
    assertThat(same.numReal()).isEqualTo(300);
    assertThat(far.numGenerated()).isEqualTo(300);
    // Same classifier (trained once, then read from the cache) for both.
    assertThat(far.featureNetwork()).startsWith("cls-").isEqualTo(same.featureNetwork());
    assertThat(err.toString()).containsOnlyOnce("training the _cls feature network");
    assertThat(same.value()).isBetween(0.0, 10.0);
    assertThat(far.value()).isGreaterThan(10 * same.value()).isGreaterThan(20.0);
    assertThat(out.toString()).contains("fid300_cls", same.featureNetwork());
    assertThat(err.toString()).contains("generated features: 300 images in", "img/s");
  }

  @Test
  void runMetricsAppendReproducibleLinesWithProvenance() throws Exception {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("runcache"), "");
    Path run = dir.resolve("run");
    TinyRuns.writeRun(run, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    String[] args = {"metrics", "--run", run.toString(), "--metrics", "fid8_cls,kid8_cls,acc8_cls",
        "--classifier-steps", "20", "--seed", "3", "--batch", "5"};
    assertThat(run(args)).as(err.toString()).isZero();
    assertThat(run(args)).as(err.toString()).isZero();
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertThat(lines).hasSize(6);
    List<MetricResult> r = lines.stream().map(MetricResult::fromJsonLine).toList();
    assertThat(r.stream().map(MetricResult::name))
        .containsExactly("fid8_cls", "kid8_cls", "acc8_cls", "fid8_cls", "kid8_cls", "acc8_cls");
    for (int i = 0; i < 3; i++) {
      assertThat(r.get(i + 3)).isEqualTo(r.get(i)); // same seeds, same checkpoint: same line
      assertThat(r.get(i).provenance())
          .containsEntry("checkpoint", run.resolve("checkpoints/step-000000003").toString())
          .containsEntry("step", "3")
          .containsEntry("config_hash", Configs.hash(cfg.resolved()))
          .containsEntry("classifier_steps", "20")
          .containsKey("dataset");
      assertThat(r.get(i).seeds()).containsEntry("generator", 3L);
      assertThat(r.get(i).featureNetwork()).startsWith("cls-");
      assertThat(r.get(i).numGenerated()).isEqualTo(8);
      assertThat(r.get(i).value()).isFinite();
    }
    assertThat(r.get(0).numReal()).isEqualTo(8);
    assertThat(r.get(0).value()).isPositive();
    assertThat(r.get(2).value()).isBetween(0.0, 1.0);
    assertThat(out.toString()).contains("acc8_cls", "appended 3 line(s) to "
        + run.resolve("metrics.jsonl"));
  }

  @Test
  void unknownMetricIsUsageErrorNamingIt() throws Exception {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("runcache"), "");
    Configs.writeRunConfigs(dir, cfg);
    assertThat(run("metrics", "--run", dir.toString(), "--metrics", "fid2k_cls,fidd2k"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("'fidd2k'");
    assertThat(run("metrics", "--dataset", shapes.toString(), "--metrics", "fid2k_cls"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("expected --against OTHER or --split");
  }

  @Test
  void architectureMismatchExitsFourNamingTheCheckpoint() {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("runcache"), "");
    Path run = dir.resolve("run");
    TinyRuns.writeRun(run, cfg, 2, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    Configs.writeRunConfigs(run,
        TinyRuns.config(shared.resolve("runcache"), "model { decoder { hidden_dim: 8 } }"));
    assertThat(run("metrics", "--run", run.toString(), "--metrics", "fid8_cls")).isEqualTo(4);
    assertThat(err.toString()).contains(run.resolve("checkpoints/step-000000002").toString(),
        "architecture hash");
    assertThat(run.resolve("metrics.jsonl")).doesNotExist();
  }

  @Test
  void inceptionMetricsWithoutTheGraphExitFourSayingWhereToGetIt() {
    assertThat(run("metrics", "--dataset", shapes.toString(), "--split", "--metrics",
        "fid10,kid10_cls", "--cache-dir", dir.toString())).isEqualTo(4);
    assertThat(err.toString()).contains("metrics fid10: expected the Inception 2015-12-05 graph",
        "--inception FILE", "inception-2015-12-05.tgz");
  }
}
