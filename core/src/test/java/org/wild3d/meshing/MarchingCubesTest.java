package org.wild3d.meshing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarchingCubesTest {
  @TempDir Path dir;

  /** Sphere of radius 0.5 as a density: σ = 10·(0.5 − |x|), positive inside. */
  private static double sphere(double[] p) {
    return 10 * (0.5 - Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]));
  }

  @Test
  void sphereAt64IsClosedGenusZeroOnTheTrueRadiusWithOutwardNormals() {
    ScalarGrid grid = ScalarGrid.cube(64, 1.0).sample(MarchingCubesTest::sphere);
    TriangleMesh m = MarchingCubes.extract(grid, 0f);
    assertThat(m.faceCount()).isGreaterThan(5000);
    double sum = 0;
    double max = 0;
    for (int v = 0; v < m.vertexCount(); v++) {
      double[] p = m.vertex(v);
      double dev = Math.abs(Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) - 0.5) / 0.5;
      sum += dev;
      max = Math.max(max, dev);
    }
    assertThat(sum / m.vertexCount()).as("mean relative radius deviation").isLessThan(0.005);
    assertThat(max).as("max relative radius deviation").isLessThan(0.02);
    assertThat(m.isClosed()).isTrue();
    assertThat(m.edges().other()).isZero();
    assertThat(m.eulerCharacteristic()).isEqualTo(2);
    // Welded: V − E + F = 2 and E = 3F/2 give V = F/2 + 2 exactly.
    assertThat(m.vertexCount()).isEqualTo(m.faceCount() / 2 + 2);
    double area = 0;
    for (int f = 0; f < m.faceCount(); f++) {
      double[] n = m.faceNormal(f);
      double[] c = centroid(m, f);
      double len = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      area += len / 2;
      if (len > 1e-9) {
        assertThat((n[0] * c[0] + n[1] * c[1] + n[2] * c[2]) / len).as("face %s faces out", f)
            .isPositive();
      }
    }
    assertThat(area).as("area of a sphere of radius 0.5 = π").isCloseTo(Math.PI, within(0.02));
    assertThat(signedVolume(m)).as("volume 4/3·π·0.125").isCloseTo(Math.PI / 6, within(0.01));
  }

  @Test
  void torusHasEulerCharacteristicZero() {
    ScalarGrid grid = ScalarGrid.cube(48, 1.0).sample(p -> {
      double q = Math.sqrt(p[0] * p[0] + p[2] * p[2]) - 0.5;
      return 0.2 - Math.sqrt(q * q + p[1] * p[1]);
    });
    TriangleMesh m = MarchingCubes.extract(grid, 0f);
    assertThat(m.isClosed()).isTrue();
    assertThat(m.eulerCharacteristic()).isZero();
    double torusVolume = 2 * Math.PI * Math.PI * 0.5 * 0.2 * 0.2;
    assertThat(signedVolume(m)).isCloseTo(torusVolume, within(0.01 * torusVolume * 3));
  }

  @Test
  void randomFieldsGiveClosedConsistentlyWoundSurfacesInEveryCase() {
    SplittableRandom r = new SplittableRandom(11);
    boolean[] seenCase = new boolean[256];
    for (int trial = 0; trial < 300; trial++) {
      int n = 6;
      float[] v = new float[n * n * n];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextDouble() * 2 - 1);
      }
      ScalarGrid g = new ScalarGrid(v, n, n, n, new double[] {0, 0, 0}, new double[] {1, 1, 1})
          .closedAtBoundary(-1f);
      markCases(g, 0f, seenCase);
      TriangleMesh m = MarchingCubes.extract(g, 0f);
      if (m.isEmpty()) {
        continue;
      }
      assertThat(m.edges().other()).as("trial %s: non-manifold or inconsistently wound edges",
          trial).isZero();
      assertThat(m.eulerCharacteristic() % 2).as("closed orientable surfaces have even χ")
          .isZero();
      assertThat(signedVolume(m)).as("trial %s: outward winding encloses positive volume",
          trial).isPositive();
    }
    int covered = 0;
    for (boolean b : seenCase) {
      covered += b ? 1 : 0;
    }
    assertThat(covered).as("corner patterns exercised").isEqualTo(256);
  }

  @Test
  void caseTableCountsMatchTheClassicCases() {
    assertThat(MarchingCubes.triangleCount(0)).isZero();
    assertThat(MarchingCubes.triangleCount(255)).isZero();
    assertThat(MarchingCubes.triangleCount(1)).isEqualTo(1); // one corner
    assertThat(MarchingCubes.triangleCount(0b11)).isEqualTo(2); // one edge: a quad
    assertThat(MarchingCubes.triangleCount(0b1111)).isEqualTo(2); // one face: a quad
    assertThat(MarchingCubes.triangleCount(1 | 1 << 7)).isEqualTo(2); // opposite corners
    for (int mask = 0; mask < 256; mask++) {
      assertThat(MarchingCubes.triangleCount(mask)).as("case %s", mask).isBetween(0, 12);
    }
  }

  @Test
  void aFieldFilledToTheBoxIsClosedOnTheBoxFaces() {
    ScalarGrid grid = ScalarGrid.cube(8, 0.5).sample(p -> 1.0);
    assertThat(MarchingCubes.extract(grid, 0f).isEmpty()).isTrue();
    TriangleMesh m = MarchingCubes.extract(grid.closedAtBoundary(-1f), 0f);
    assertThat(m.isClosed()).isTrue();
    assertThat(m.eulerCharacteristic()).isEqualTo(2);
    // Halfway between the boundary layer and the next: a cube of half size 0.5 − 1/14.
    double h = 0.5 - 0.5 / 7;
    for (int v = 0; v < m.vertexCount(); v++) {
      double[] p = m.vertex(v);
      double inf = Math.max(Math.abs(p[0]), Math.max(Math.abs(p[1]), Math.abs(p[2])));
      assertThat(inf).isCloseTo(h, within(1e-6));
    }
  }

  @Test
  void emptyFieldGivesAnEmptyMeshThatTheWritersRefuseWithAReason() {
    ScalarGrid grid = ScalarGrid.cube(16, 1.0).sample(p -> -1.0);
    TriangleMesh m = MarchingCubes.extract(grid, 0f);
    assertThat(m.isEmpty()).isTrue();
    assertThat(m.isClosed()).isFalse();
    Path ply = dir.resolve("empty.ply");
    assertThatThrownBy(() -> PlyWriter.write(m, ply))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected at least one face, found none")
        .hasMessageContaining("iso level");
    assertThatThrownBy(() -> ObjWriter.write(m, dir.resolve("empty.obj")))
        .hasMessageContaining("expected at least one face");
    assertThat(ply).doesNotExist();
    assertThat(dir.resolve("empty.obj")).doesNotExist();
    assertThatThrownBy(() -> MarchingCubes.extract(grid, Float.NaN))
        .hasMessageContaining("iso level: expected a finite value");
  }

  @Test
  void gridPointsFollowTheValueOrder() {
    ScalarGrid g = new ScalarGrid(new float[2 * 3 * 4], 2, 3, 4, new double[] {-1, 0, 2},
        new double[] {1, 1, 5});
    float[] p = g.points();
    int idx = (1 * 3 + 2) * 4 + 3; // node (1, 2, 3)
    assertThat(p[3 * idx]).isEqualTo(1f);
    assertThat(p[3 * idx + 1]).isEqualTo(1f);
    assertThat(p[3 * idx + 2]).isEqualTo(5f);
    assertThat(p[3 * 5 + 2]).isEqualTo(3f); // node (0, 1, 1)
    assertThat(g.sample(q -> q[0] + 10 * q[1] + 100 * q[2]).at(1, 2, 3)).isEqualTo(511f);
    assertThatThrownBy(() -> new ScalarGrid(new float[5], 2, 2, 2, new double[3], new double[] {
        1, 1, 1})).hasMessageContaining("expected X*Y*Z = 8, found 5");
  }

  private static void markCases(ScalarGrid g, float iso, boolean[] seen) {
    for (int i = 0; i < g.nx() - 1; i++) {
      for (int j = 0; j < g.ny() - 1; j++) {
        for (int k = 0; k < g.nz() - 1; k++) {
          int mask = 0;
          for (int c = 0; c < 8; c++) {
            if (g.at(i + (c & 1), j + (c >> 1 & 1), k + (c >> 2 & 1)) > iso) {
              mask |= 1 << c;
            }
          }
          seen[mask] = true;
        }
      }
    }
  }

  private static double[] centroid(TriangleMesh m, int f) {
    double[] c = new double[3];
    for (int k = 0; k < 3; k++) {
      double[] p = m.vertex(m.faces()[3 * f + k]);
      for (int a = 0; a < 3; a++) {
        c[a] += p[a] / 3;
      }
    }
    return c;
  }

  /** Σ p0·(p1 × p2) / 6: the enclosed volume when faces wind outwards. */
  static double signedVolume(TriangleMesh m) {
    double vol = 0;
    for (int f = 0; f < m.faceCount(); f++) {
      double[] a = m.vertex(m.faces()[3 * f]);
      double[] b = m.vertex(m.faces()[3 * f + 1]);
      double[] c = m.vertex(m.faces()[3 * f + 2]);
      vol += a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
          + a[2] * (b[0] * c[1] - b[1] * c[0]);
    }
    return vol / 6;
  }
}
