package org.wild3d.metrics.geometry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.wild3d.camera.Camera;
import org.wild3d.camera.Cameras;
import org.wild3d.config.Render;
import org.wild3d.config.RenderSpec;
import org.wild3d.raster.Material;
import org.wild3d.raster.Mesh;
import org.wild3d.render.DensityField;
import org.wild3d.render.RenderOutput;
import org.wild3d.render.Renderer;

/**
 * The volume renderer (generator side) and the mesh renderer (truth side) cast the same rays and
 * report the same depth — the distance along the ray, not the camera z — on an analytic sphere.
 *
 * <p>Tolerances: the UV sphere of 64×128 segments lies inside the true sphere by at most
 * {@code 2R(1−cos(π/128)) ≈ 5e-4} (two sagittas), measured along rays that meet the surface up to
 * 64° from its normal (rays within 0.9 R of the centre): ≤ 1.1e-3, bound 2e-3; the volume depth of a solid of density σ with 64 + 64 samples
 * is biased behind the surface by about {@code 1/σ} (mean free path, 1/400 = 0.0025) plus half a
 * fine sample interval (importance samples crowd the surface; ≤ 0.014/2 for the coarse one). So
 * mesh vs analytic within 2e-3, volume vs analytic within 0.01. The wide field of view (40°) makes
 * ray distance and camera z differ by up to 4% (≈ 0.08 at depth 2.1) on the interior pixels, so the
 * test fails if either side used camera z.
 */
class DepthConventionTest {
  static final double SPHERE = 0.8;
  static final float SIGMA = 400f;
  static final int RES = 32;
  static final double FOV = 40;

  /** A solid sphere of density σ at the origin (the generator's density field, analytically). */
  static final class Sphere implements DensityField {
    @Override
    public Output query(Ops tf, Operand<TFloat32> points, Operand<TInt64> noiseSeed) {
      Operand<TFloat32> r2 =
          tf.reduceSum(tf.math.square(points), tf.constant(-1), ReduceSum.keepDims(true));
      Operand<TFloat32> inside = tf.dtypes.cast(
          tf.math.less(r2, tf.constant((float) (SPHERE * SPHERE))), TFloat32.class); // [N,M,1]
      return new Output(tf.math.mul(inside, tf.constant(SIGMA)),
          tf.math.add(tf.zerosLike(points), tf.constant(0.5f))); // [N,M,3]
    }

    @Override
    public int featureChannels() {
      return 3;
    }
  }

  /** A UV sphere of radius {@link #SPHERE}, vertices on the sphere. */
  static Mesh uvSphere(int rings, int segments) {
    float[] p = new float[rings * segments * 2 * 9];
    int k = 0;
    for (int i = 0; i < rings; i++) {
      for (int j = 0; j < segments; j++) {
        double[][] q = new double[4][];
        for (int c = 0; c < 4; c++) {
          double t = Math.PI * (i + (c >= 2 ? 1 : 0)) / rings;
          double f = 2 * Math.PI * (j + (c == 1 || c == 2 ? 1 : 0)) / segments;
          q[c] = new double[] {SPHERE * Math.sin(t) * Math.cos(f), SPHERE * Math.cos(t),
              SPHERE * Math.sin(t) * Math.sin(f)};
        }
        for (int[] tri : new int[][] {{0, 1, 2}, {0, 2, 3}}) {
          for (int v : tri) {
            for (int d = 0; d < 3; d++) {
              p[k++] = (float) q[v][d];
            }
          }
        }
      }
    }
    return Mesh.flat(p, Material.of(1, 1, 1));
  }

  static DepthViews volumeRender(Camera... cams) {
    Render cfg = Render.newBuilder().setResolution(RES).setSamplesStratified(64)
        .setSamplesImportance(64).setRayStart(1.8f).setRayEnd(3.6f).build();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var c2w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4)));
      var k = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3, 3)));
      RenderOutput out = new Renderer(RenderSpec.from(cfg), 1f, null)
          .render(tf, new Sphere(), c2w, k, null);
      try (Session s = new Session(g);
          Cameras.Batch b = Cameras.toTensors(cams);
          Result r = s.runner().feed(c2w, b.cam2world()).feed(k, b.intrinsics())
              .fetch(out.depth()).fetch(out.opacity()).run()) {
        return new DepthViews(floats((TFloat32) r.get(0)), floats((TFloat32) r.get(1)),
            cams.length, RES); // [V,r,r,1]
      }
    }
  }

  private static float[] floats(TFloat32 t) {
    float[] v = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  @Test
  void volumeAndMeshDepthAreBothRayDistance() {
    Camera cam = Camera.fromSpherical(0.9, 1.2, 2.7, FOV);
    DepthViews vol = volumeRender(cam);
    DepthViews mesh = new MeshDepthSource(uvSphere(64, 128), RES).render(cam);
    double f = cam.focal();
    double[] o = cam.position();
    double maxMesh = 0;
    double maxVol = 0;
    double maxZ = 0;
    int interior = 0;
    for (int i = 0; i < RES; i++) {
      for (int j = 0; j < RES; j++) {
        int p = i * RES + j;
        double[] dc = {((j + 0.5) / RES - 0.5) / f, ((i + 0.5) / RES - 0.5) / f, 1};
        double len = Math.sqrt(dc[0] * dc[0] + dc[1] * dc[1] + 1);
        double[] d = new double[3];
        for (int r = 0; r < 3; r++) {
          d[r] = (cam.at(r, 0) * dc[0] + cam.at(r, 1) * dc[1] + cam.at(r, 2)) / len;
        }
        // Ray o + t d against |x| = R: t = -b - sqrt(b² - c) with b = o·d, c = |o|² - R².
        double b = o[0] * d[0] + o[1] * d[1] + o[2] * d[2];
        double c = o[0] * o[0] + o[1] * o[1] + o[2] * o[2] - SPHERE * SPHERE;
        double impact2 = b * b - c; // R² − (distance of the ray from the centre)²
        if (impact2 < SPHERE * SPHERE * (1 - 0.9 * 0.9)) {
          // Outside 0.9 R of the centre: silhouette pixels, where a facet or a sample step
          // decides the hit.
          if (impact2 < 0) {
            assertThat(mesh.foreground(0, p)).isFalse();
            assertThat(vol.foreground(0, p)).isFalse();
          }
          continue;
        }
        interior++;
        double t = -b - Math.sqrt(impact2);
        assertThat(mesh.foreground(0, p)).isTrue();
        assertThat(vol.foreground(0, p)).isTrue();
        maxMesh = Math.max(maxMesh, Math.abs(mesh.depthAt(0, p) - t));
        maxVol = Math.max(maxVol, Math.abs(vol.depthAt(0, p) - t));
        maxZ = Math.max(maxZ, Math.abs(vol.depthAt(0, p) - mesh.depthAt(0, p) / len));
      }
    }
    System.out.printf("interior %d: |mesh-t| %.6f |vol-t| %.6f |vol-meshZ| %.4f%n", interior,
        maxMesh, maxVol, maxZ);
    assertThat(interior).isGreaterThan(300);
    assertThat(maxMesh).isLessThan(2e-3);
    assertThat(maxVol).isLessThan(0.01);
    // Camera z instead of ray distance on one side would break the agreement by far more.
    assertThat(maxZ).isGreaterThan(0.05);
    ViewScore s = ViewScore.compare(vol, mesh);
    assertThat(s.iou()).isGreaterThan(0.97);
    assertThat(s.depthError()).isLessThan(0.01);
  }

  /** The geometry metric cannot tell the volume-rendered sphere from the sphere mesh. */
  @Test
  void metricOfVolumeSphereAgainstMeshSphereIsPerfect() {
    Camera[] cams = {Camera.fromSpherical(0.3, 0.8, 2.7, FOV),
        Camera.fromSpherical(2.0, 2.1, 2.7, FOV)};
    Aligner aligner = new Aligner(2.7, FOV, RES, Aligner.Settings.defaults());
    Aligner.Result r = aligner.align(volumeRender(cams), cams, List.of(uvSphere(32, 64)));
    assertThat(r.score().iou()).isGreaterThan(0.97);
    assertThat(r.score().depthError()).isLessThan(0.01);
  }

}
