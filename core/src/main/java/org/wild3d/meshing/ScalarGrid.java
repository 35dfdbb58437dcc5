package org.wild3d.meshing;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.function.ToDoubleFunction;

/**
 * Samples of a scalar field at the nodes of a regular grid spanning an axis-aligned box: node
 * {@code (i, j, k)} sits at {@code min + (i, j, k)·(max − min)/(n − 1)} (the box's faces carry
 * nodes) and is value {@code (i·Y + j)·Z + k}.
 *
 * <p>Shapes: {@code values [X,Y,Z]} row-major; {@code min}, {@code max} {@code [3]}.
 */
public record ScalarGrid(float[] values, int nx, int ny, int nz, double[] min, double[] max) {
  public ScalarGrid {
    checkArgument(nx >= 2 && ny >= 2 && nz >= 2,
        "grid size: expected >= 2 nodes per axis, found %s x %s x %s", nx, ny, nz);
    checkArgument((long) nx * ny * nz == values.length,
        "grid values: expected X*Y*Z = %s, found %s", (long) nx * ny * nz, values.length);
    checkArgument(min.length == 3 && max.length == 3, "grid box: expected 3 coordinates each");
    for (int a = 0; a < 3; a++) {
      checkArgument(min[a] < max[a], "grid box axis %s: expected min < max, found %s, %s", a,
          min[a], max[a]);
    }
    min = min.clone();
    max = max.clone();
  }

  /** An {@code n³} grid over the cube {@code [−half, half]³} with every value 0. */
  public static ScalarGrid cube(int n, double half) {
    checkArgument(half > 0, "grid half size: expected > 0, found %s", half);
    return new ScalarGrid(new float[n * n * n], n, n, n, new double[] {-half, -half, -half},
        new double[] {half, half, half});
  }

  /** The same nodes with {@code values} instead. */
  public ScalarGrid withValues(float[] newValues) {
    return new ScalarGrid(newValues, nx, ny, nz, min, max);
  }

  /** Node spacing along {@code axis}. */
  public double step(int axis) {
    int n = axis == 0 ? nx : axis == 1 ? ny : nz;
    return (max[axis] - min[axis]) / (n - 1);
  }

  /** World coordinate of node index {@code i} along {@code axis}. */
  public double coordinate(int axis, double i) {
    return min[axis] + i * step(axis);
  }

  /** World positions of all nodes in value order. Shapes: {@code [X·Y·Z, 3]}. */
  public float[] points() {
    float[] p = new float[3 * values.length];
    int n = 0;
    for (int i = 0; i < nx; i++) {
      for (int j = 0; j < ny; j++) {
        for (int k = 0; k < nz; k++) {
          p[n++] = (float) coordinate(0, i);
          p[n++] = (float) coordinate(1, j);
          p[n++] = (float) coordinate(2, k);
        }
      }
    }
    return p;
  }

  /** This grid's nodes with values {@code field(x, y, z)} (an analytic field, in tests). */
  public ScalarGrid sample(ToDoubleFunction<double[]> field) {
    float[] v = new float[values.length];
    int n = 0;
    for (int i = 0; i < nx; i++) {
      for (int j = 0; j < ny; j++) {
        for (int k = 0; k < nz; k++) {
          v[n++] = (float) field.applyAsDouble(
              new double[] {coordinate(0, i), coordinate(1, j), coordinate(2, k)});
        }
      }
    }
    return withValues(v);
  }

  /** The value at node {@code (i, j, k)}. */
  public float at(int i, int j, int k) {
    return values[(i * ny + j) * nz + k];
  }

  /**
   * A copy whose outermost layer of nodes is set to {@code outside} (a value below the iso level),
   * so that a surface cut by the box is closed on the box's faces.
   */
  public ScalarGrid closedAtBoundary(float outside) {
    float[] v = values.clone();
    for (int i = 0; i < nx; i++) {
      for (int j = 0; j < ny; j++) {
        for (int k = 0; k < nz; k++) {
          if (i == 0 || j == 0 || k == 0 || i == nx - 1 || j == ny - 1 || k == nz - 1) {
            v[(i * ny + j) * nz + k] = outside;
          }
        }
      }
    }
    return withValues(v);
  }

  /** {@code {min, max}} of the values (NaN ignored). */
  public float[] range() {
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float x : values) {
      if (x < lo) {
        lo = x;
      }
      if (x > hi) {
        hi = x;
      }
    }
    return new float[] {lo, hi};
  }
}
