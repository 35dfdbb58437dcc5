package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.LoadedConfig;
import org.wild3d.meshing.ScalarGrid;
import org.wild3d.model.Snapshot;
import org.wild3d.model.TinyRuns;
import org.wild3d.raster.MeshFiles;

class MeshCommandTest extends EvalCliTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path run;
  /** The 90th percentile of σ of scene (seed 1, class 2) on the 20³ grid: 10% of nodes inside. */
  private static float level;
  private static float[] sceneWs;
  private static Snapshot snap;

  @BeforeAll
  static void tinyRun() {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("cache"), "");
    run = shared.resolve("run");
    TinyRuns.writeRun(run, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    snap = Snapshot.open(run, 0);
    sceneWs = snap.map(SceneOptions.latent(1, snap.zDim()), new int[] {2}, 0.7f);
    float[] sigma = snap.density(sceneWs, ScalarGrid.cube(20, snap.boxSize() / 2).points());
    float[] sorted = sigma.clone();
    Arrays.sort(sorted);
    level = sorted[(int) (0.9 * sorted.length)];
  }

  @AfterAll
  static void close() {
    snap.close();
  }

  @Test
  void writesAClosedColouredMeshPerSceneOnTheDensityLevel() throws Exception {
    Path outDir = dir.resolve("meshes");
    assertThat(run("mesh", "--run", run.toString(), "--seeds", "0-1", "--classes", "2",
        "--resolution", "20", "--threshold", Float.toString(level), "--format", "obj",
        "--out", outDir.toString())).as(err.toString()).isZero();
    Path obj = outDir.resolve("seed0001-class02.obj");
    assertThat(outDir.resolve("seed0000-class02.obj")).exists();
    assertThat(obj).exists();
    assertThat(err.toString()).contains("mesh 1/2 seed0000-class02: ", "mesh 2/2 seed0001-class02: ",
        "closed");
    List<float[]> v = new ArrayList<>();
    int faces = 0;
    for (String line : Files.readAllLines(obj)) {
      String[] t = line.split(" ");
      if (t[0].equals("v")) {
        assertThat(t).hasSize(7);
        float[] x = new float[6];
        for (int i = 0; i < 6; i++) {
          x[i] = Float.parseFloat(t[i + 1]);
        }
        v.add(x);
      } else if (t[0].equals("f")) {
        faces++;
      }
    }
    assertThat(MeshFiles.load(obj).triangles()).isEqualTo(faces);
    String row = out.toString().lines().filter(l -> l.startsWith("seed0001-class02")).findFirst()
        .orElseThrow();
    assertThat(row.split("\\s+")[1]).isEqualTo(Integer.toString(v.size()));
    assertThat(row.split("\\s+")[2]).isEqualTo(Integer.toString(faces));
    assertThat(row.split("\\s+")[3]).isEqualTo("yes");
    // Inside the triplane box, colours in [0, 1], and on the level set of the field.
    float[] pts = new float[3 * v.size()];
    for (int i = 0; i < v.size(); i++) {
      for (int c = 0; c < 3; c++) {
        assertThat(v.get(i)[c]).isBetween(-0.5f, 0.5f);
        assertThat(v.get(i)[3 + c]).isBetween(0f, 1f);
        pts[3 * i + c] = v.get(i)[c];
      }
    }
    float[] sigma = snap.density(sceneWs, pts);
    float[] range = ScalarGrid.cube(20, 0.5).withValues(
        snap.density(sceneWs, ScalarGrid.cube(20, 0.5).points())).range();
    double dev = 0;
    for (float x : sigma) {
      dev += Math.abs(x - level);
    }
    assertThat(dev / sigma.length / (range[1] - range[0]))
        .as("mean |sigma(vertex) - level| relative to the field's range").isLessThan(0.05);
  }

  @Test
  void plyByDefaultAndNoFileWithAClearMessageWhenThereIsNoSurface() throws Exception {
    Path outDir = dir.resolve("m");
    assertThat(run("mesh", "--run", run.toString(), "--seeds", "1", "--classes", "2",
        "--resolution", "16", "--threshold", Float.toString(level), "--out", outDir.toString()))
        .as(err.toString()).isZero();
    Path ply = outDir.resolve("seed0001-class02.ply");
    assertThat(Files.readString(ply, java.nio.charset.StandardCharsets.ISO_8859_1))
        .startsWith("ply\nformat binary_little_endian");
    assertThat(MeshFiles.load(ply).triangles()).isPositive();

    Path none = dir.resolve("none");
    assertThat(run("mesh", "--run", run.toString(), "--seeds", "0", "--classes", "0",
        "--resolution", "16", "--threshold", "1e6", "--out", none.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("seed0000-class00: no surface", "never above --threshold",
        "no file written", "1 of 1 scenes had no surface");
    if (Files.exists(none)) {
      try (Stream<Path> files = Files.list(none)) {
        assertThat(files).isEmpty();
      }
    }
  }

  @Test
  void usageAndRunErrorsHaveTheirExitCodes() {
    Path missing = dir.resolve("no-such-run");
    assertThat(run("mesh", "--run", missing.toString(), "--seeds", "0", "--out",
        dir.resolve("o").toString())).isEqualTo(4);
    assertThat(err.toString()).contains(missing.toString());
    assertThat(run("mesh", "--run", run.toString(), "--seeds", "3-1", "--out",
        dir.resolve("o").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--seeds: expected", "'3-1'");
    assertThat(run("mesh", "--run", run.toString(), "--seeds", "x", "--out",
        dir.resolve("o").toString())).isEqualTo(2);
    assertThat(run("mesh", "--run", run.toString(), "--seeds", "0", "--format", "stl", "--out",
        dir.resolve("o").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--format: expected ply or obj, found 'stl'");
    assertThat(run("mesh", "--run", run.toString(), "--seeds", "0", "--threshold", "0", "--out",
        dir.resolve("o").toString())).isEqualTo(2);
    assertThat(run("mesh", "--run", run.toString(), "--seeds", "0", "--classes", "3", "--out",
        dir.resolve("o").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--classes: expected values below 3");
    assertThat(dir.resolve("o")).doesNotExist();
  }
}
