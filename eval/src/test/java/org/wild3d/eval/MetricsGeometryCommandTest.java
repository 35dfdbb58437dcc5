package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.Configs;
import org.wild3d.config.LoadedConfig;
import org.wild3d.data.DatasetWriter;
import org.wild3d.image.RgbImage;
import org.wild3d.metrics.MetricResult;
import org.wild3d.model.TinyRuns;

/** {@code wild3d-eval metrics --run RUN --metrics geo_*,mv_*} on a tiny run of the shapes data. */
class MetricsGeometryCommandTest extends EvalCliTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  @Test
  void geometryMetricsAppendReproducibleLinesWithProvenance() throws Exception {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("runcache"), "");
    Path run = dir.resolve("run");
    TinyRuns.writeRun(run, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    String[] args = {"metrics", "--run", run.toString(), "--metrics",
        "geo_iou2,geo_depth2,mv_depth3,mv_agree3", "--seed", "3"};
    assertThat(run(args)).as(err.toString()).isZero();
    assertThat(run(args)).as(err.toString()).isZero();
    List<MetricResult> r = Files.readAllLines(run.resolve("metrics.jsonl")).stream()
        .map(MetricResult::fromJsonLine).toList();
    assertThat(r.stream().map(MetricResult::name)).containsExactly("geo_iou2", "geo_depth2",
        "mv_depth3", "mv_agree3", "geo_iou2", "geo_depth2", "mv_depth3", "mv_agree3");
    for (int i = 0; i < 4; i++) {
      assertThat(r.get(i + 4)).isEqualTo(r.get(i)); // same seed, same checkpoint: same line
      assertThat(r.get(i).provenance())
          .containsEntry("checkpoint", run.resolve("checkpoints/step-000000003").toString())
          .containsEntry("config_hash", Configs.hash(cfg.resolved()))
          .containsEntry("render_resolution", "16")
          .containsKey("dataset");
      assertThat(r.get(i).seeds()).containsEntry("generator", 3L);
      assertThat(r.get(i).featureNetwork()).isEqualTo("none");
    }
    assertThat(r.get(0).numGenerated()).isEqualTo(2);
    assertThat(r.get(0).numReal()).isEqualTo(12); // 3 classes x 4 objects, all under the cap
    assertThat(r.get(0).provenance()).containsEntry("geometry_views", "3");
    assertThat(r.get(2).provenance()).containsKey("mv_tolerance");
    assertThat(r.get(0).value()).isBetween(0.0, 1.0);
    // The untrained generator's depth is finite and inside the ray range's scale.
    assertThat(r.get(2).numReal()).isZero();
    assertThat(out.toString()).contains("geo_iou2", "mv_agree3", "appended 4 line(s)");
  }

  @Test
  void datasetWithoutTrueObjectsIsExitFourNamingIt() throws Exception {
    Path data = dir.resolve("plain");
    try (DatasetWriter w = DatasetWriter.create(data, 16, List.of("a", "b", "c"))) {
      for (int i = 0; i < 6; i++) {
        w.add(i, new RgbImage(16, 16, new byte[16 * 16 * 3]), i % 3);
      }
      w.commit();
    }
    LoadedConfig cfg = TinyRuns.config(shared.resolve("runcache"),
        "data { path: \"" + data.toString().replace("\\", "\\\\") + "\" }");
    Path run = dir.resolve("run");
    TinyRuns.writeRun(run, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    assertThat(run("metrics", "--run", run.toString(), "--metrics", "geo_iou2")).isEqualTo(4);
    assertThat(err.toString()).contains(data.toString(), "true object", "synthetic dataset");
    assertThat(run.resolve("metrics.jsonl")).doesNotExist();
    // Multi-view consistency needs no truth.
    assertThat(run("metrics", "--run", run.toString(), "--metrics", "mv_agree2"))
        .as(err.toString()).isZero();
  }

  @Test
  void geometryMetricsOnDatasetsAreUsageErrors() throws Exception {
    assertThat(run("metrics", "--dataset", dir.toString(), "--split", "--metrics",
        "geo_iou4")).isEqualTo(2);
    assertThat(err.toString()).contains("geo_iou4", "expected --run");
  }
}
