package org.wild3d.metrics.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wild3d.camera.Camera;
import org.wild3d.raster.Material;
import org.wild3d.raster.Mesh;

class RotationsTest {
  @Test
  void axisAngleTurnsXToYAboutZ() {
    double[] r = Rotations.axisAngle(new double[] {0, 0, 2}, Math.PI / 2);
    assertThat(Rotations.apply(r, new double[] {1, 0, 0}))
        .containsExactly(new double[] {0, 1, 0}, within(1e-12));
    assertThat(Rotations.angleBetween(Rotations.identity(), r)).isCloseTo(Math.PI / 2,
        within(1e-12));
  }

  /** Rendering a turned copy of the mesh equals rendering the mesh from R⁻¹c, pixel for pixel. */
  @Test
  void viewOfRotatedEqualsRenderingTheRotatedMesh() {
    float[] p = TestObjects.lShape();
    Mesh chair = Mesh.flat(p.clone(), Material.of(1, 1, 1));
    double[] r = TestObjects.randomRotation(new SplittableRandom(3));
    for (int i = 0; i < p.length; i += 3) {
      double[] q = Rotations.apply(r, new double[] {p[i], p[i + 1], p[i + 2]});
      p[i] = (float) q[0];
      p[i + 1] = (float) q[1];
      p[i + 2] = (float) q[2];
    }
    Mesh turned = Mesh.flat(p, Material.of(1, 1, 1));
    Camera c = Camera.fromSpherical(0.7, 1.1, 2.7, 13.37);
    DepthViews direct = new MeshDepthSource(turned, 32).render(c);
    DepthViews viaCamera = new RotatedSource(new MeshDepthSource(chair, 32), r).render(c);
    ViewScore s = ViewScore.compare(direct, viaCamera);
    int fg = 0;
    for (int i = 0; i < direct.pixels(); i++) {
      fg += direct.foreground(0, i) ? 1 : 0;
    }
    assertThat(fg).isGreaterThan(100);
    assertThat(s.iou()).isGreaterThan(0.995);
    assertThat(s.depthError()).isLessThan(1e-4);
  }

  @Test
  void gridCoversEveryRotationWithinItsSpacing() {
    List<double[]> grid = Rotations.grid(96, 12);
    assertThat(grid).hasSize(96 * 12);
    SplittableRandom rng = new SplittableRandom(5);
    double worst = 0;
    for (int t = 0; t < 200; t++) {
      double[] q = TestObjects.randomRotation(rng);
      double best = Double.MAX_VALUE;
      for (double[] g : grid) {
        best = Math.min(best, Rotations.angleBetween(g, q));
      }
      worst = Math.max(worst, best);
    }
    // Axes ~21° apart and rolls 30° apart: no rotation is farther than ~25° from the grid.
    assertThat(Math.toDegrees(worst)).isLessThan(25);
    for (double[] g : grid.subList(0, 20)) {
      Rotations.checkRotation(g);
    }
  }
}
