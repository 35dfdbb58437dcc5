package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.CameraPrior;
import org.wild3d.data.Dataset;
import org.wild3d.data.DatasetWriter;
import org.wild3d.data.ShapesGenerator;
import org.wild3d.image.RgbImage;
import org.wild3d.metrics.MetricResult;

/** wild3d-eval metrics on datasets: the sanity check of a metric. */
class MetricsDatasetCommandTest extends EvalCliTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  static Path shapes;
  static Path shifted;

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
    // The colour-shifted copy is scored against the shapes (the reference trains the classifier).
    assertThat(run("metrics", "--dataset", shifted.toString(), "--against", shapes.toString(),
        "--metrics", "fid300_cls", "--cache-dir", cache.toString(), "--classifier-steps", "150",
        "--out", dir.resolve("against.jsonl").toString())).as(err.toString()).isZero();
    MetricResult far = only(dir.resolve("against.jsonl"));
    assertThat(same.numGenerated()).isEqualTo(300);
    assertThat(same.numReal()).isEqualTo(300);
    assertThat(far.numGenerated()).isEqualTo(300);
    // Same classifier (trained once, then read from the cache) for both.
    assertThat(far.featureNetwork()).startsWith("cls-").isEqualTo(same.featureNetwork());
    assertThat(err.toString()).containsOnlyOnce("training the _cls feature network");
    System.out.printf("fid300_cls split halves %.3f, against colour-shifted copy %.3f%n",
        same.value(), far.value());
    assertThat(same.value()).isBetween(0.0, 10.0);
    assertThat(far.value()).isGreaterThan(10 * same.value()).isGreaterThan(20.0);
    assertThat(out.toString()).contains("fid300_cls", same.featureNetwork());
    assertThat(err.toString()).contains("generated features: 300 images in", "img/s");
    // The same dataset named by a config's data source: same halves, same classifier, same value.
    Path cfg = Files.writeString(dir.resolve("data.pbtxt"), "data { path: \""
        + shapes.toString().replace("\\", "\\\\")
        + "\" resolution: 16 } render { resolution: 16 }");
    for (String opt : List.of("--config", "--dataset")) {
      assertThat(run("metrics", opt, cfg.toString(), "--split", "--metrics", "fid300_cls",
          "--cache-dir", cache.toString(), "--classifier-steps", "150", "--out",
          dir.resolve(opt + ".jsonl").toString())).as(err.toString()).isZero();
      assertThat(only(dir.resolve(opt + ".jsonl")).value()).isEqualTo(same.value());
    }
  }

  @Test
  void inceptionMetricsWithoutTheGraphExitFourSayingWhereToGetIt() {
    assertThat(run("metrics", "--dataset", shapes.toString(), "--split", "--metrics",
        "fid10,kid10_cls", "--cache-dir", dir.toString())).isEqualTo(4);
    assertThat(err.toString()).contains("metrics fid10: expected the Inception 2015-12-05 graph",
        "--inception FILE", "inception-2015-12-05.tgz");
  }
}
