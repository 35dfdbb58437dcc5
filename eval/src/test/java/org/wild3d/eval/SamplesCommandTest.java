package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.camera.Camera;
import org.wild3d.config.LoadedConfig;
import org.wild3d.data.Dataset;
import org.wild3d.data.TrueView;
import org.wild3d.metrics.MetricResult;
import org.wild3d.model.Snapshot;
import org.wild3d.model.TinyRuns;

/** {@code wild3d-eval samples}: exactly N images whose labels, cameras and seeds round-trip. */
class SamplesCommandTest extends EvalCliTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path run;

  @BeforeAll
  static void tinyRun() {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("cache"), "");
    run = shared.resolve("run");
    TinyRuns.writeRun(run, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
  }

  @Test
  void writesExactlyNImagesWhoseLabelsCamerasAndSeedsRoundTrip() throws Exception {
    Path dest = dir.resolve("samples");
    assertThat(run("samples", "--run", run.toString(), "-n", "10", "--batch", "4", "--seed",
        "100", "--out", dest.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("wrote " + dest + ": 10 images of 16x16, 3 classes "
        + "(dataset), cameras prior, psi 1.0, seeds 100-109");
    assertThat(err.toString()).contains("samples: 10 images in");
    try (Stream<Path> s = Files.walk(dest)) {
      assertThat(s.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(10);
    }
    try (Dataset ds = Dataset.open(dest);
        Snapshot snap = Snapshot.open(run, 0, new PrintWriter(new StringWriter()))) {
      assertThat(ds.size()).isEqualTo(10);
      assertThat(ds.classNames()).containsExactly("sphere", "cube", "torus");
      // The dataset has 4 images of each class: classes drawn with those frequencies.
      SamplesCommand.Draw d = SamplesCommand.draw(snap, 100, 10,
          SamplesCommand.cumulative(new int[] {4, 4, 4}), new SamplesCommand.CameraRule("prior",
              -1), snap.config().getCamera());
      for (int i = 0; i < 10; i++) {
        assertThat(ds.classOf(i)).isEqualTo(d.classes()[i]);
        TrueView v = ds.trueView(i).orElseThrow();
        assertThat(v.objectId()).isEqualTo(100 + i);
        assertThat(v.cam2world()).containsExactly(d.cameras()[i].cam2world(), within(1e-12));
        assertThat(v.fovDegrees()).isEqualTo(snap.config().getCamera().getFovDegrees(),
            within(1e-6));
      }
      assertThat(java.util.Arrays.stream(d.classes()).distinct().count()).isGreaterThan(1);
      // Pixels: image 6 rendered alone (another batch size) is the stored one.
      int zDim = snap.zDim();
      float[] z = java.util.Arrays.copyOfRange(d.z(), 6 * zDim, 7 * zDim);
      org.wild3d.model.GeneratedImages g = snap.generate(z, new int[] {d.classes()[6]},
          new Camera[] {d.cameras()[6]}, 1f);
      assertThat(ds.image(6)).isEqualTo(SamplesCommand.toRgb(g.images(), 0, 16));
      var src = ds.extras().getAsJsonObject("source");
      assertThat(src.get("first_seed").getAsLong()).isEqualTo(100);
      assertThat(src.get("checkpoint").getAsString()).endsWith("step-000000003");
      assertThat(src.get("truncation_psi").getAsFloat()).isEqualTo(1f);
    }

    // An existing --out is refused; --force replaces it.
    assertThat(run("samples", "--run", run.toString(), "-n", "3", "--out", dest.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--out: expected a new dataset path, found an existing "
        + "folder at " + dest + " (pass --force to replace it, or choose another --out)");
    assertThat(run("samples", "--run", run.toString(), "-n", "3", "--class-dist", "uniform",
        "--force", "--out", dest.toString())).as(err.toString()).isZero();
    try (Dataset ds = Dataset.open(dest)) {
      assertThat(ds.size()).isEqualTo(3);
    }
  }

  @Test
  void aRingPutsEveryCameraAtItsPolarAngleAndBadRulesAreUsageErrors() throws Exception {
    Path dest = dir.resolve("ring.zip");
    assertThat(run("samples", "--run", run.toString(), "-n", "6", "--cameras", "ring:60",
        "--truncation", "0.7", "--out", dest.toString())).as(err.toString()).isZero();
    try (Dataset ds = Dataset.open(dest)) {
      for (int i = 0; i < 6; i++) {
        double[] m = ds.trueView(i).orElseThrow().cam2world();
        double[] pos = {m[3], m[7], m[11]};
        double r = Math.sqrt(pos[0] * pos[0] + pos[1] * pos[1] + pos[2] * pos[2]);
        assertThat(Math.toDegrees(Math.acos(pos[1] / r))).isCloseTo(60, within(1e-6));
      }
    }
    assertThat(run("samples", "--run", run.toString(), "-n", "2", "--cameras", "ring:180",
        "--out", dir.resolve("x").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--cameras: expected prior, equator or ring:DEG with DEG"
        + " a polar angle strictly between 0 and 180, found 'ring:180'");
    assertThat(run("samples", "--run", run.toString(), "-n", "2", "--class-dist", "even",
        "--out", dir.resolve("x").toString())).isEqualTo(2);
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void aSampleSetScoredAgainstItselfHasFidZero() throws Exception {
    Path dest = dir.resolve("s.zip");
    assertThat(run("samples", "--run", run.toString(), "-n", "48", "--out", dest.toString()))
        .as(err.toString()).isZero();
    Path jsonl = dir.resolve("m.jsonl");
    assertThat(run("metrics", "--dataset", dest.toString(), "--against", dest.toString(),
        "--metrics", "fid48_cls", "--classifier-steps", "20", "--cache-dir",
        dir.resolve("cache").toString(), "--out", jsonl.toString())).as(err.toString()).isZero();
    List<String> lines = Files.readAllLines(jsonl);
    MetricResult r = MetricResult.fromJsonLine(lines.get(0));
    assertThat(r.numGenerated()).isEqualTo(48);
    assertThat(r.numReal()).isEqualTo(48);
    assertThat(r.value()).isCloseTo(0, within(1e-3));
  }
}
