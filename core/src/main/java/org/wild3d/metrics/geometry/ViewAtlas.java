package org.wild3d.metrics.geometry;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import org.wild3d.camera.Camera;
import org.wild3d.raster.Mesh;

/**
 * Pre-rendered views of one object from {@code D} directions on the camera sphere, for a fast
 * approximate rendering from any camera of that sphere (the coarse stage of {@link Aligner}).
 *
 * <p>Every camera on a sphere of radius ρ that looks at the origin is fixed by its direction and
 * its roll about the optical axis, and a roll only turns the image about its centre. So a camera
 * is approximated by the atlas view of the nearest direction, turned by the camera's roll relative
 * to that view (nearest-pixel lookup through precomputed index maps, {@link Geometry#rollBins}
 * bins). The error is that of the direction step (about {@code sqrt(4π/D)} radians) and of the
 * nearest-pixel rotation; {@link Aligner} refines with exact renders.
 *
 * <p>Shapes: {@code silhouettes [D,r,r]}, {@code depths [D,r,r]}.
 */
final class ViewAtlas {
  /** What all atlases of one camera sphere share: directions, their cameras, roll index maps. */
  static final class Geometry {
    final double radius;
    final double fovDegrees;
    final int resolution;
    final double[][] directions;
    final Camera[] cameras;
    final int rollBins;
    /** {@code [bins][r²]}: atlas pixel seen by each pixel of a camera rolled by bin·2π/bins; −1 outside. */
    final int[][] rollMaps;

    Geometry(double radius, double fovDegrees, int resolution, int directionCount, int rollBins) {
      checkArgument(radius > 0, "camera radius: expected > 0, found %s", radius);
      checkArgument(rollBins > 0, "roll bins: expected > 0, found %s", rollBins);
      this.radius = radius;
      this.fovDegrees = fovDegrees;
      this.resolution = resolution;
      this.directions = Rotations.fibonacciSphere(directionCount);
      this.cameras = new Camera[directionCount];
      for (int j = 0; j < directionCount; j++) {
        double[] d = directions[j];
        cameras[j] = Camera.lookAt(new double[] {radius * d[0], radius * d[1], radius * d[2]},
            new double[3], new double[] {0, 1, 0}, fovDegrees);
      }
      this.rollBins = rollBins;
      this.rollMaps = new int[rollBins][resolution * resolution];
      for (int b = 0; b < rollBins; b++) {
        double psi = 2 * Math.PI * b / rollBins;
        double c = Math.cos(psi);
        double s = Math.sin(psi);
        for (int i = 0; i < resolution; i++) {
          for (int j = 0; j < resolution; j++) {
            double x = (j + 0.5) / resolution - 0.5;
            double y = (i + 0.5) / resolution - 0.5;
            int jj = (int) Math.floor((x * c - y * s + 0.5) * resolution);
            int ii = (int) Math.floor((x * s + y * c + 0.5) * resolution);
            rollMaps[b][i * resolution + j] =
                ii >= 0 && ii < resolution && jj >= 0 && jj < resolution ? ii * resolution + jj
                    : -1;
          }
        }
      }
    }

    /**
     * The atlas view and roll bin that approximate {@code camera}: {@code {direction index, roll
     * bin}}. The camera must sit on this sphere and look at the origin.
     */
    int[] locate(Camera camera) {
      double[] pos = camera.position();
      double n = Rotations.norm(pos);
      checkArgument(Math.abs(n - radius) < 1e-3 * radius,
          "atlas camera: expected distance %s from the origin (camera.radius), found %s", radius,
          n);
      double[] f = camera.axis(2);
      checkArgument(f[0] * pos[0] + f[1] * pos[1] + f[2] * pos[2] < -0.999 * n,
          "atlas camera: expected to look at the origin, found forward %s", Arrays.toString(f));
      int best = 0;
      double bestDot = -2;
      for (int j = 0; j < directions.length; j++) {
        double[] d = directions[j];
        double dot = d[0] * pos[0] + d[1] * pos[1] + d[2] * pos[2];
        if (dot > bestDot) {
          bestDot = dot;
          best = j;
        }
      }
      double[] right = camera.axis(0);
      double[] ra = cameras[best].axis(0);
      double[] da = cameras[best].axis(1);
      double psi = Math.atan2(dot(right, da), dot(right, ra));
      int bin = (int) Math.floorMod(Math.round(psi / (2 * Math.PI) * rollBins), (long) rollBins);
      return new int[] {best, bin};
    }
  }

  final Geometry geometry;
  final boolean[][] silhouettes;
  final float[][] depths;

  ViewAtlas(Geometry g, Mesh mesh) {
    this.geometry = g;
    int d = g.directions.length;
    silhouettes = new boolean[d][];
    depths = new float[d][];
    MeshDepthSource source = new MeshDepthSource(mesh, g.resolution);
    for (int j = 0; j < d; j++) {
      DepthViews v = source.render(g.cameras[j]);
      silhouettes[j] = new boolean[v.pixels()];
      for (int p = 0; p < v.pixels(); p++) {
        silhouettes[j][p] = v.foreground(0, p);
      }
      depths[j] = v.depth();
    }
  }

  /**
   * Approximate score of this object against {@code target} when view v is seen from atlas view
   * {@code located[v][0]} rolled by bin {@code located[v][1]}: {@code {mean IoU, mean |Δdepth|}}
   * (depth NaN without overlap).
   */
  double[] score(DepthViews target, int[][] located) {
    int n = target.pixels();
    double iouSum = 0;
    double depthSum = 0;
    int overlap = 0;
    for (int v = 0; v < target.views(); v++) {
      boolean[] sil = silhouettes[located[v][0]];
      float[] dep = depths[located[v][0]];
      int[] map = geometry.rollMaps[located[v][1]];
      int inter = 0;
      int union = 0;
      int base = v * n;
      for (int p = 0; p < n; p++) {
        boolean ft = target.opacity()[base + p] > DepthViews.FOREGROUND;
        int q = map[p];
        boolean fa = q >= 0 && sil[q];
        if (ft && fa) {
          inter++;
          depthSum += Math.abs(target.depth()[base + p] - dep[q]);
        }
        if (ft || fa) {
          union++;
        }
      }
      iouSum += union == 0 ? 1 : (double) inter / union;
      overlap += inter;
    }
    return new double[] {iouSum / target.views(), overlap == 0 ? Double.NaN : depthSum / overlap};
  }

  private static double dot(double[] a, double[] b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  }
}
