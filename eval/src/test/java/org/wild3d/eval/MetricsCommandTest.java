package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.checkpoint.Manifest;
import org.wild3d.config.Configs;
import org.wild3d.config.LoadedConfig;
import org.wild3d.metrics.MetricResult;
import org.wild3d.model.TinyRuns;

class MetricsCommandTest extends EvalCliTest {
  @TempDir static Path shared;
  @TempDir Path dir;

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
    assertThat(run("metrics", "--dataset", dir.toString(), "--metrics", "fid2k_cls"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("expected --against OTHER or --split");
  }

  @Test
  void architectureMismatchExitsFourNamingTheCheckpoint() throws Exception {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("runcache"), "");
    Configs.writeRunConfigs(dir, cfg);
    Path ckpt = Files.createDirectories(dir.resolve("checkpoints/step-000000002"));
    Files.writeString(ckpt.resolve("variables.index"), "");
    Files.writeString(ckpt.resolve("manifest.json"), new Manifest(2, 0.1, 7, "c", "another-arch",
        "0", Map.of()).toJson());
    assertThat(run("metrics", "--run", dir.toString(), "--metrics", "fid8_cls")).isEqualTo(4);
    assertThat(err.toString()).contains(ckpt.toString(), "architecture hash", "another-arch");
    assertThat(dir.resolve("metrics.jsonl")).doesNotExist();
  }

}
