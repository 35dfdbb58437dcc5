package org.wild3d.camera;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * A pinhole camera in the convention of {@code docs/CONVENTIONS.md}: OpenCV axes (camera {@code +x}
 * image right, {@code +y} image down, {@code +z} viewing direction), world y up.
 *
 * <p>{@code cam2world} is a row-major 4×4 matrix whose columns are the camera's right, down and
 * forward axes and its position, in world coordinates: {@code p_world = R·p_cam + t}. Intrinsics
 * are normalised to the image size: {@code fx = fy = 0.5 / tan(fov/2)}, {@code cx = cy = 0.5}.
 *
 * @param cam2world 16 values, row-major
 * @param fovDegrees vertical = horizontal field of view in degrees, in (0, 180)
 */
public record Camera(double[] cam2world, double fovDegrees) {
  /**
   * Distance to the poles below which {@link #lookAt} switches the world up vector to {@code +z}.
   */
  static final double POLE_EPS = 1e-6;

  public Camera {
    checkArgument(
        cam2world.length == 16, "cam2world: expected 16 values, found %s", cam2world.length);
    checkArgument(
        fovDegrees > 0 && fovDegrees < 180,
        "fovDegrees: expected a value in (0, 180), found %s",
        fovDegrees);
    cam2world = cam2world.clone();
  }

  /** The matrix, row-major (a copy). */
  @Override
  public double[] cam2world() {
    return cam2world.clone();
  }

  /** Element (row, col) of cam2world. */
  public double at(int row, int col) {
    return cam2world[4 * row + col];
  }

  /**
   * A camera at {@code position} looking at {@code target}. The image's up direction is as close to
   * {@code up} as possible; if the viewing direction is parallel to {@code up} (within 1e-6), world
   * {@code +z} is used instead.
   */
  public static Camera lookAt(double[] position, double[] target, double[] up, double fovDegrees) {
    double[] forward = normalize(sub(target, position));
    double[] right = cross(forward, up);
    if (norm(right) < POLE_EPS) {
      right = cross(forward, new double[] {0, 0, 1});
    }
    right = normalize(right);
    double[] down = cross(forward, right); // right × down = forward: a right-handed frame
    double[] m = new double[16];
    for (int r = 0; r < 3; r++) {
      m[4 * r] = right[r];
      m[4 * r + 1] = down[r];
      m[4 * r + 2] = forward[r];
      m[4 * r + 3] = position[r];
    }
    m[15] = 1;
    return new Camera(m, fovDegrees);
  }

  /**
   * A camera on a sphere of {@code radius} around the origin, looking at it with world up {@code
   * +y}: azimuth θ about y from {@code +z} towards {@code +x}, polar angle φ from {@code +y};
   * position {@code r·(sin φ sin θ, cos φ, sin φ cos θ)}.
   */
  public static Camera fromSpherical(
      double azimuthRad, double polarRad, double radius, double fovDegrees) {
    checkArgument(radius > 0, "radius: expected > 0, found %s", radius);
    double s = Math.sin(polarRad);
    double[] pos = {
      radius * s * Math.sin(azimuthRad),
      radius * Math.cos(polarRad),
      radius * s * Math.cos(azimuthRad)
    };
    return lookAt(pos, new double[3], new double[] {0, 1, 0}, fovDegrees);
  }

  /** Normalised focal length {@code 0.5 / tan(fov/2)}. */
  public double focal() {
    return focal(fovDegrees);
  }

  /**
   * The normalised focal length of a field of view, {@code 0.5 / tan(fov/2)}: the intrinsics'
   * {@code fx = fy} (image width 1).
   */
  public static double focal(double fovDegrees) {
    return 0.5 / Math.tan(Math.toRadians(fovDegrees) / 2);
  }

  /** Normalised intrinsics {@code [[f,0,0.5],[0,f,0.5],[0,0,1]]}, row-major 3×3. */
  public double[][] intrinsics() {
    double f = focal();
    return new double[][] {{f, 0, 0.5}, {0, f, 0.5}, {0, 0, 1}};
  }

  /** Camera position in world coordinates. */
  public double[] position() {
    return new double[] {at(0, 3), at(1, 3), at(2, 3)};
  }

  /** Column {@code c} of the rotation (0 right, 1 down, 2 forward) in world coordinates. */
  public double[] axis(int c) {
    return new double[] {at(0, c), at(1, c), at(2, c)};
  }

  /** World point → camera coordinates {@code Rᵀ·(p − t)}. */
  public double[] toCamera(double[] worldPoint) {
    double[] d = sub(worldPoint, position());
    double[] out = new double[3];
    for (int c = 0; c < 3; c++) {
      out[c] = at(0, c) * d[0] + at(1, c) * d[1] + at(2, c) * d[2];
    }
    return out;
  }

  /**
   * Projects a world point to normalised image coordinates {@code (u, v)}: u along columns (0 at
   * the left edge, 1 at the right), v along rows (0 top, 1 bottom). Pixel (i, j) of a W×H image
   * covers {@code u ∈ [j/W, (j+1)/W)}, {@code v ∈ [i/H, (i+1)/H)}. Points behind the camera give
   * NaN.
   */
  public double[] project(double[] worldPoint) {
    double[] p = toCamera(worldPoint);
    if (p[2] <= 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double f = focal();
    return new double[] {f * p[0] / p[2] + 0.5, f * p[1] / p[2] + 0.5};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Camera c
        && Arrays.equals(cam2world, c.cam2world)
        && fovDegrees == c.fovDegrees;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(cam2world) + Double.hashCode(fovDegrees);
  }

  @Override
  public String toString() {
    return "Camera[position=" + Arrays.toString(position()) + ", fov=" + fovDegrees + "]";
  }

  static double[] sub(double[] a, double[] b) {
    return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
  }

  static double[] cross(double[] a, double[] b) {
    return new double[] {
      a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]
    };
  }

  static double norm(double[] a) {
    return Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
  }

  static double[] normalize(double[] a) {
    double n = norm(a);
    checkArgument(n > 0, "cannot normalise a zero vector (camera position equals its target?)");
    return new double[] {a[0] / n, a[1] / n, a[2] / n};
  }
}
