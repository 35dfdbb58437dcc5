package org.wild3d.raster;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.SplittableRandom;
import org.wild3d.config.CameraPrior;

/**
 * Cameras on a sphere around the origin looking at it, in the project's convention
 * (docs/CONVENTIONS.md): azimuth θ about +y measured from +z towards +x, polar angle φ from +y,
 * position {@code r·(sin φ sin θ, cos φ, sin φ cos θ)}, world up +y (+z within 1e-6 of the poles),
 * OpenCV axes (x right, y down, z forward). Matrices are 4×4 row-major cam2world.
 */
public final class SphereCameras {
  private SphereCameras() {}

  /** The camera at {@code eye} looking at the origin. */
  public static double[] lookAtOrigin(double[] eye) {
    double n = Math.sqrt(eye[0] * eye[0] + eye[1] * eye[1] + eye[2] * eye[2]);
    checkArgument(n > 0, "camera position: expected away from the origin, found (0, 0, 0)");
    double[] f = {-eye[0] / n, -eye[1] / n, -eye[2] / n};
    double[] up = Math.abs(f[1]) > 1 - 1e-6 ? new double[] {0, 0, 1} : new double[] {0, 1, 0};
    double[] right = normalize(cross(f, up));
    double[] down = cross(f, right);
    return new double[] {
      right[0], down[0], f[0], eye[0],
      right[1], down[1], f[1], eye[1],
      right[2], down[2], f[2], eye[2],
      0, 0, 0, 1
    };
  }

  /** The camera at azimuth θ and polar angle φ (radians) on the sphere of radius {@code r}. */
  public static double[] onSphere(double radius, double azimuth, double polar) {
    return lookAtOrigin(new double[] {
      radius * Math.sin(polar) * Math.sin(azimuth),
      radius * Math.cos(polar),
      radius * Math.sin(polar) * Math.cos(azimuth)
    });
  }

  /**
   * A camera drawn from {@code prior}: azimuth uniform in its range, polar angle area-uniform
   * ({@code cos φ} uniform) in its range. Returns the cam2world matrix.
   */
  public static double[] sample(CameraPrior prior, SplittableRandom rng) {
    double az = Math.toRadians(prior.getAzimuthMinDeg()
        + rng.nextDouble() * (prior.getAzimuthMaxDeg() - prior.getAzimuthMinDeg()));
    double cosHi = Math.cos(Math.toRadians(prior.getPolarMinDeg()));
    double cosLo = Math.cos(Math.toRadians(prior.getPolarMaxDeg()));
    double polar = Math.acos(Math.max(-1, Math.min(1, cosLo + rng.nextDouble() * (cosHi - cosLo))));
    return onSphere(prior.getRadius(), az, polar);
  }

  /**
   * Radius of the largest sphere about the origin that every camera of {@code prior} sees whole:
   * {@code r · sin(fov/2)}. Synthetic objects are scaled to fit inside it.
   */
  public static double visibleRadius(CameraPrior prior) {
    return prior.getRadius() * Math.sin(Math.toRadians(prior.getFovDegrees()) / 2);
  }

  private static double[] cross(double[] a, double[] b) {
    return new double[] {
      a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]
    };
  }

  private static double[] normalize(double[] v) {
    double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    return new double[] {v[0] / n, v[1] / n, v[2] / n};
  }
}
