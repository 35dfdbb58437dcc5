package org.wild3d.raster;

import java.util.List;

/** Accumulates triangles with per-corner normals for the procedural shapes. */
final class MeshBuilder {
  private float[] p = new float[9 * 64];
  private float[] n = new float[9 * 64];
  private int t;

  /** A triangle with one normal per corner (counter-clockwise seen from outside). */
  void tri(double[] a, double[] b, double[] c, double[] na, double[] nb, double[] nc) {
    if ((t + 1) * 9 > p.length) {
      p = java.util.Arrays.copyOf(p, p.length * 2);
      n = java.util.Arrays.copyOf(n, n.length * 2);
    }
    int o = t * 9;
    put(p, o, a);
    put(p, o + 3, b);
    put(p, o + 6, c);
    put(n, o, na);
    put(n, o + 3, nb);
    put(n, o + 6, nc);
    t++;
  }

  /** A flat triangle (the face normal at every corner). */
  void flat(double[] a, double[] b, double[] c) {
    double[] u = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    double[] v = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    double[] f = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
    double len = Math.sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
    if (len == 0) {
      return;
    }
    f[0] /= len;
    f[1] /= len;
    f[2] /= len;
    tri(a, b, c, f, f, f);
  }

  /** A flat quad a-b-c-d (counter-clockwise). */
  void quad(double[] a, double[] b, double[] c, double[] d) {
    flat(a, b, c);
    flat(a, c, d);
  }

  /** An axis-aligned box between two corners. */
  void box(double x0, double y0, double z0, double x1, double y1, double z1) {
    double[][] v = new double[8][];
    for (int i = 0; i < 8; i++) {
      v[i] = new double[] {(i & 1) == 0 ? x0 : x1, (i & 2) == 0 ? y0 : y1, (i & 4) == 0 ? z0 : z1};
    }
    quad(v[0], v[4], v[6], v[2]); // -x
    quad(v[1], v[3], v[7], v[5]); // +x
    quad(v[0], v[1], v[5], v[4]); // -y
    quad(v[2], v[6], v[7], v[3]); // +y
    quad(v[0], v[2], v[3], v[1]); // -z
    quad(v[4], v[5], v[7], v[6]); // +z
  }

  private static void put(float[] dst, int o, double[] v) {
    dst[o] = (float) v[0];
    dst[o + 1] = (float) v[1];
    dst[o + 2] = (float) v[2];
  }

  Mesh build(Material material) {
    return new Mesh(
        java.util.Arrays.copyOf(p, t * 9), java.util.Arrays.copyOf(n, t * 9), null, null, null,
        List.of(material));
  }
}
