package org.wild3d.meshing;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.HashMap;
import java.util.Map;

/**
 * An indexed triangle mesh with shared (welded) vertices and optional per-vertex colours. Faces
 * are wound counter-clockwise seen from outside (right-hand normal points outwards).
 *
 * <p>Shapes: {@code vertices [V,3]} world coordinates, {@code faces [T,3]} vertex indices,
 * {@code colors [V,3]} RGB in [0, 1] or null. Arrays are taken as they are (not copied).
 */
public record TriangleMesh(float[] vertices, int[] faces, float[] colors) {
  public TriangleMesh {
    checkArgument(vertices.length % 3 == 0, "mesh vertices: expected [V,3], found %s floats",
        vertices.length);
    checkArgument(faces.length % 3 == 0, "mesh faces: expected [T,3], found %s ints",
        faces.length);
    checkArgument(colors == null || colors.length == vertices.length,
        "mesh colours: expected [V,3] = %s floats, found %s", vertices.length,
        colors == null ? 0 : colors.length);
    int v = vertices.length / 3;
    for (int f : faces) {
      checkArgument(f >= 0 && f < v, "mesh face index: expected in [0, %s), found %s", v, f);
    }
  }

  /** V. */
  public int vertexCount() {
    return vertices.length / 3;
  }

  /** T. */
  public int faceCount() {
    return faces.length / 3;
  }

  /** Whether there are no faces. */
  public boolean isEmpty() {
    return faces.length == 0;
  }

  /** This mesh with colours {@code [V,3]} in [0, 1]. */
  public TriangleMesh withColors(float[] rgb) {
    return new TriangleMesh(vertices, faces, rgb);
  }

  /**
   * Edge statistics: E (undirected edges), edges used by exactly two faces in opposite directions
   * (the only kind a closed, consistently wound surface has), and the rest.
   */
  public record Edges(int edges, int manifold, int other) {}

  /** Counts edges; see {@link Edges}. */
  public Edges edges() {
    // key (lo, hi) → count of lo→hi uses in the low 16 bits, hi→lo uses in the high bits
    Map<Long, Integer> use = new HashMap<>();
    int t = faceCount();
    for (int f = 0; f < t; f++) {
      for (int c = 0; c < 3; c++) {
        int a = faces[3 * f + c];
        int b = faces[3 * f + (c + 1) % 3];
        long key = ((long) Math.min(a, b) << 32) | Math.max(a, b);
        use.merge(key, a < b ? 1 : 1 << 16, Integer::sum);
      }
    }
    int manifold = 0;
    for (int u : use.values()) {
      if (u == (1 | 1 << 16)) {
        manifold++;
      }
    }
    return new Edges(use.size(), manifold, use.size() - manifold);
  }

  /**
   * Closed and consistently wound: every edge is used by exactly two faces, once in each
   * direction.
   */
  public boolean isClosed() {
    Edges e = edges();
    return faces.length > 0 && e.other() == 0;
  }

  /** V − E + F (2 for a closed surface of genus 0). */
  public int eulerCharacteristic() {
    return vertexCount() - edges().edges() + faceCount();
  }

  /** Unnormalised normal of face {@code f} (right-hand rule over its corners). */
  public double[] faceNormal(int f) {
    double[] p0 = vertex(faces[3 * f]);
    double[] p1 = vertex(faces[3 * f + 1]);
    double[] p2 = vertex(faces[3 * f + 2]);
    double[] u = {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
    double[] w = {p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]};
    return new double[] {
      u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]
    };
  }

  /** Position of vertex {@code v}. */
  public double[] vertex(int v) {
    return new double[] {vertices[3 * v], vertices[3 * v + 1], vertices[3 * v + 2]};
  }
}
