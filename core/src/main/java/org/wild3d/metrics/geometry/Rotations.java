package org.wild3d.metrics.geometry;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.wild3d.camera.Camera;

/**
 * 3×3 rotations as row-major {@code double[9]}, and what they do to cameras and scenes.
 *
 * <p>Rotating a scene about the origin by {@code R} ({@code p → R·p}) and looking at it with camera
 * {@code c} gives the same image as looking at the unrotated scene with camera {@code R⁻¹c}
 * ({@link #viewOfRotated}): {@code c}'s axes and position turned by {@code Rᵀ}.
 */
public final class Rotations {
  /** The golden angle, for Fibonacci spheres. */
  private static final double GOLDEN = Math.PI * (3 - Math.sqrt(5));

  private Rotations() {}

  public static double[] identity() {
    return new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
  }

  /** Rotation by {@code angle} radians about {@code axis} (need not be unit; right-handed). */
  public static double[] axisAngle(double[] axis, double angle) {
    double n = norm(axis);
    checkArgument(n > 0, "rotation axis: expected non-zero, found (0, 0, 0)");
    double x = axis[0] / n;
    double y = axis[1] / n;
    double z = axis[2] / n;
    double c = Math.cos(angle);
    double s = Math.sin(angle);
    double t = 1 - c;
    return new double[] {
      t * x * x + c, t * x * y - s * z, t * x * z + s * y,
      t * x * y + s * z, t * y * y + c, t * y * z - s * x,
      t * x * z - s * y, t * y * z + s * x, t * z * z + c
    };
  }

  /** {@code a·b}. */
  public static double[] multiply(double[] a, double[] b) {
    double[] out = new double[9];
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 3; c++) {
        out[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
      }
    }
    return out;
  }

  public static double[] transpose(double[] a) {
    return new double[] {a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]};
  }

  /** {@code R·v}. */
  public static double[] apply(double[] r, double[] v) {
    return new double[] {
      r[0] * v[0] + r[1] * v[1] + r[2] * v[2],
      r[3] * v[0] + r[4] * v[1] + r[5] * v[2],
      r[6] * v[0] + r[7] * v[1] + r[8] * v[2]
    };
  }

  /** {@code Rᵀ·v}. */
  public static double[] applyTransposed(double[] r, double[] v) {
    return new double[] {
      r[0] * v[0] + r[3] * v[1] + r[6] * v[2],
      r[1] * v[0] + r[4] * v[1] + r[7] * v[2],
      r[2] * v[0] + r[5] * v[1] + r[8] * v[2]
    };
  }

  /** The angle of {@code aᵀ·b} in radians: how far apart two rotations are. */
  public static double angleBetween(double[] a, double[] b) {
    double[] d = multiply(transpose(a), b);
    double c = (d[0] + d[4] + d[8] - 1) / 2;
    return Math.acos(Math.max(-1, Math.min(1, c)));
  }

  /**
   * The camera that sees the unrotated scene as {@code camera} sees the scene rotated by {@code r}:
   * cam2world rotation {@code Rᵀ·R_c}, position {@code Rᵀ·t}; same field of view.
   */
  public static Camera viewOfRotated(double[] r, Camera camera) {
    double[] m = camera.cam2world();
    double[] out = new double[16];
    for (int c = 0; c < 4; c++) {
      double[] col = applyTransposed(r, new double[] {m[c], m[4 + c], m[8 + c]});
      out[c] = col[0];
      out[4 + c] = col[1];
      out[8 + c] = col[2];
    }
    out[15] = 1;
    return new Camera(out, camera.fovDegrees());
  }

  /** {@code n} nearly uniform unit vectors (a Fibonacci sphere), deterministic. */
  public static double[][] fibonacciSphere(int n) {
    checkArgument(n > 0, "Fibonacci sphere: expected > 0 points, found %s", n);
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      double y = 1 - 2 * (i + 0.5) / n;
      double r = Math.sqrt(Math.max(0, 1 - y * y));
      double t = GOLDEN * i;
      out[i] = new double[] {r * Math.cos(t), y, r * Math.sin(t)};
    }
    return out;
  }

  /**
   * A grid over all rotations: for each of {@code axes} Fibonacci directions {@code u} and each of
   * {@code rolls} angles ψ = 2πk/rolls, the rotation {@code A_u·Rot_y(ψ)} where {@code A_u} turns
   * {@code +y} onto {@code u} along the shortest arc. Neighbouring rotations are about
   * {@code max(sqrt(4π/axes), 2π/rolls)} radians apart.
   */
  public static List<double[]> grid(int axes, int rolls) {
    checkArgument(rolls > 0, "rotation grid rolls: expected > 0, found %s", rolls);
    List<double[]> out = new ArrayList<>(axes * rolls);
    double[] y = {0, 1, 0};
    for (double[] u : fibonacciSphere(axes)) {
      double[] cross = {y[1] * u[2] - y[2] * u[1], y[2] * u[0] - y[0] * u[2],
          y[0] * u[1] - y[1] * u[0]};
      double[] align;
      if (norm(cross) < 1e-9) {
        align = u[1] > 0 ? identity() : axisAngle(new double[] {1, 0, 0}, Math.PI);
      } else {
        align = axisAngle(cross, Math.acos(Math.max(-1, Math.min(1, u[1]))));
      }
      for (int k = 0; k < rolls; k++) {
        out.add(multiply(align, axisAngle(y, 2 * Math.PI * k / rolls)));
      }
    }
    return out;
  }

  /** Checks that {@code r} has 9 values and is orthonormal with determinant 1 (within 1e-6). */
  static void checkRotation(double[] r) {
    checkArgument(r.length == 9, "rotation: expected 9 values (3x3 row-major), found %s",
        r.length);
    double[] d = multiply(transpose(r), r);
    double err = 0;
    double[] id = identity();
    for (int i = 0; i < 9; i++) {
      err = Math.max(err, Math.abs(d[i] - id[i]));
    }
    double det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6])
        + r[2] * (r[3] * r[7] - r[4] * r[6]);
    checkArgument(err < 1e-6 && Math.abs(det - 1) < 1e-6,
        "rotation: expected orthonormal with determinant 1, found |RᵀR−I| = %s, det = %s", err,
        det);
  }

  static double norm(double[] v) {
    return Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  }
}
