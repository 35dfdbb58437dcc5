package org.wild3d.metrics.geometry;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.wild3d.config.CameraPrior;
import org.wild3d.model.Latents;
import org.wild3d.raster.Material;
import org.wild3d.raster.Mesh;
import org.wild3d.raster.Procedural;
import org.wild3d.raster.SphereCameras;

/** Procedural true objects and scene samplers for geometry tests (no dataset needed). */
final class TestObjects {
  static final CameraPrior PRIOR = CameraPrior.getDefaultInstance();
  /** Shapes-tiny's neural-render resolution. */
  static final int RES = 32;

  private TestObjects() {}

  /** A procedural object of {@code shape}, proportions from {@code seed}, bounding radius {@code fraction} of the visible radius. */
  static Mesh object(String shape, long seed, double fraction) {
    JsonObject p = Procedural.sampleParams(shape, new SplittableRandom(seed));
    Mesh m = Procedural.build(shape, p, Material.of(0.8f, 0.5f, 0.3f));
    float[] n = m.normalization((float) (fraction * SphereCameras.visibleRadius(PRIOR)));
    return m.transformed(n[0], n[1], n[2], n[3]);
  }

  /** Classes 0 chair, 1 cone, 2 torus; two candidates each of different proportions and sizes. */
  static TrueObjects truth() {
    return new TrueObjects(Map.of(
        0, List.of(new TrueObjects.Candidate(0, object("chair", 1, 0.9)),
            new TrueObjects.Candidate(1, object("chair", 2, 0.7))),
        1, List.of(new TrueObjects.Candidate(2, object("cone", 3, 0.8)),
            new TrueObjects.Candidate(3, object("cone", 4, 0.7))),
        2, List.of(new TrueObjects.Candidate(4, object("torus", 5, 0.9)),
            new TrueObjects.Candidate(5, object("torus", 6, 0.75)))));
  }

  /** Triangles of two boxes forming an L (no symmetry), within radius 0.3 of the origin. */
  static float[] lShape() {
    float[] a = box(-0.2, -0.2, -0.1, 0.2, -0.05, 0.1);
    float[] b = box(-0.2, -0.05, -0.1, -0.08, 0.22, 0.02);
    float[] out = new float[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The 12 triangles of an axis-aligned box. */
  static float[] box(double x0, double y0, double z0, double x1, double y1, double z1) {
    double[][] c = new double[8][];
    for (int i = 0; i < 8; i++) {
      c[i] = new double[] {(i & 1) == 0 ? x0 : x1, (i & 2) == 0 ? y0 : y1, (i & 4) == 0 ? z0 : z1};
    }
    int[][] faces = {{0, 1, 3, 2}, {4, 6, 7, 5}, {0, 4, 5, 1}, {2, 3, 7, 6}, {0, 2, 6, 4},
        {1, 5, 7, 3}};
    float[] out = new float[12 * 9];
    int k = 0;
    for (int[] f : faces) {
      for (int[] t : new int[][] {{f[0], f[1], f[2]}, {f[0], f[2], f[3]}}) {
        for (int v : t) {
          for (int d = 0; d < 3; d++) {
            out[k++] = (float) c[v][d];
          }
        }
      }
    }
    return out;
  }

  /** A uniformly random rotation (unit quaternion from 4 Gaussians). */
  static double[] randomRotation(SplittableRandom r) {
    double[] q = new double[4];
    double n = 0;
    for (int i = 0; i < 4; i++) {
      q[i] = Latents.gaussian(r);
      n += q[i] * q[i];
    }
    n = Math.sqrt(n);
    double w = q[0] / n;
    double x = q[1] / n;
    double y = q[2] / n;
    double z = q[3] / n;
    return new double[] {
      1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
      2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
      2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)
    };
  }

  /**
   * Scenes that are candidate {@code i mod 2} of the class turned by a random rotation of
   * {@code (seed, i)}: the truth presented under an unknown rotation.
   */
  static SceneSampler rotatedTruth(TrueObjects truth, long seed) {
    return new SceneSampler() {
      @Override
      public DepthSource scene(int index, int classIndex) {
        List<Mesh> meshes = truth.meshes(classIndex);
        Mesh m = meshes.get(index % meshes.size());
        double[] r = randomRotation(new SplittableRandom(seed * 1000 + index));
        return new RotatedSource(new MeshDepthSource(m, RES), r);
      }

      @Override
      public int numClasses() {
        return 3;
      }
    };
  }
}
