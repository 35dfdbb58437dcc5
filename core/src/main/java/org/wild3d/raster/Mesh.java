package org.wild3d.raster;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;

/**
 * A triangle mesh stored as a triangle soup with per-corner attributes (what OBJ's separate
 * position/UV/normal indices turn into). World units, y up (docs/CONVENTIONS.md).
 *
 * <p>Shapes: {@code positions} {@code [T, 3, 3]} (triangle, corner, xyz); {@code normals}
 * {@code [T, 3, 3]} or null (flat shading from the face normal); {@code colors} {@code [T, 3, 3]}
 * RGB in [0, 1] or null; {@code uvs} {@code [T, 3, 2]} or null; {@code materialIds} {@code [T]}
 * indices into {@code materials}, or null (material 0 for every triangle).
 *
 * <p>Albedo of a surface point: the interpolated per-corner colour if present, else its material
 * (texture at the UV if both exist, else the diffuse colour), else grey 0.7.
 */
public final class Mesh {
  private final float[] positions;
  private final float[] normals;
  private final float[] colors;
  private final float[] uvs;
  private final int[] materialIds;
  private final List<Material> materials;

  /** Arrays are taken as they are (not copied); see the class comment for their shapes. */
  public Mesh(
      float[] positions,
      float[] normals,
      float[] colors,
      float[] uvs,
      int[] materialIds,
      List<Material> materials) {
    checkArgument(positions.length % 9 == 0, "positions: expected [T,3,3], found %s floats",
        positions.length);
    int t = positions.length / 9;
    checkArgument(normals == null || normals.length == t * 9, "normals: expected %s floats", t * 9);
    checkArgument(colors == null || colors.length == t * 9, "colors: expected %s floats", t * 9);
    checkArgument(uvs == null || uvs.length == t * 6, "uvs: expected %s floats", t * 6);
    checkArgument(materialIds == null || materialIds.length == t, "material ids: expected %s", t);
    if (materialIds != null) {
      for (int m : materialIds) {
        checkArgument(m >= 0 && m < materials.size(), "material id: expected in [0, %s), found %s",
            materials.size(), m);
      }
    }
    this.positions = positions;
    this.normals = normals;
    this.colors = colors;
    this.uvs = uvs;
    this.materialIds = materialIds;
    this.materials = List.copyOf(materials);
  }

  /** A mesh of one plain colour with flat shading. */
  public static Mesh flat(float[] positions, Material material) {
    return new Mesh(positions, null, null, null, null, List.of(material));
  }

  /** T: number of triangles. */
  public int triangles() {
    return positions.length / 9;
  }

  float[] positions() {
    return positions;
  }

  float[] normals() {
    return normals;
  }

  float[] colors() {
    return colors;
  }

  float[] uvs() {
    return uvs;
  }

  int materialOf(int triangle) {
    return materialIds == null ? 0 : materialIds[triangle];
  }

  List<Material> materials() {
    return materials;
  }

  /** Axis-aligned bounds {@code {minX, minY, minZ, maxX, maxY, maxZ}}. */
  public float[] bounds() {
    float[] b = {
      Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE,
      -Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE
    };
    for (int i = 0; i < positions.length; i += 3) {
      for (int c = 0; c < 3; c++) {
        b[c] = Math.min(b[c], positions[i + c]);
        b[c + 3] = Math.max(b[c + 3], positions[i + c]);
      }
    }
    return b;
  }

  /** This mesh scaled by {@code s} then translated by {@code (tx, ty, tz)}. */
  public Mesh transformed(float s, float tx, float ty, float tz) {
    float[] p = positions.clone();
    for (int i = 0; i < p.length; i += 3) {
      p[i] = p[i] * s + tx;
      p[i + 1] = p[i + 1] * s + ty;
      p[i + 2] = p[i + 2] * s + tz;
    }
    float[] n = normals;
    if (n != null && s < 0) {
      n = n.clone();
      for (int i = 0; i < n.length; i++) {
        n[i] = -n[i];
      }
    }
    return new Mesh(p, n, colors, uvs, materialIds, materials);
  }

  /**
   * Centres the bounding box at the origin and scales uniformly so the bounding sphere (about the
   * box centre) has radius {@code radius}; returns {@code {scale, tx, ty, tz}} applied as
   * {@code p * scale + t}.
   */
  public float[] normalization(float radius) {
    float[] b = bounds();
    float cx = (b[0] + b[3]) / 2;
    float cy = (b[1] + b[4]) / 2;
    float cz = (b[2] + b[5]) / 2;
    double r2 = 0;
    for (int i = 0; i < positions.length; i += 3) {
      double dx = positions[i] - cx;
      double dy = positions[i + 1] - cy;
      double dz = positions[i + 2] - cz;
      r2 = Math.max(r2, dx * dx + dy * dy + dz * dz);
    }
    checkArgument(r2 > 0, "mesh: expected a non-degenerate mesh, found all vertices at one point");
    float s = (float) (radius / Math.sqrt(r2));
    return new float[] {s, -cx * s, -cy * s, -cz * s};
  }

  /** Concatenates meshes (materials are renumbered). */
  public static Mesh merge(List<Mesh> parts) {
    checkArgument(!parts.isEmpty(), "merge: expected at least one mesh");
    int t = parts.stream().mapToInt(Mesh::triangles).sum();
    boolean anyNormals = parts.stream().anyMatch(m -> m.normals != null);
    boolean anyColors = parts.stream().anyMatch(m -> m.colors != null);
    boolean anyUvs = parts.stream().anyMatch(m -> m.uvs != null);
    float[] p = new float[t * 9];
    float[] n = anyNormals ? new float[t * 9] : null;
    float[] c = anyColors ? new float[t * 9] : null;
    float[] uv = anyUvs ? new float[t * 6] : null;
    int[] mat = new int[t];
    List<Material> materials = new ArrayList<>();
    int off = 0;
    for (Mesh m : parts) {
      int mt = m.triangles();
      System.arraycopy(m.positions, 0, p, off * 9, mt * 9);
      if (n != null) {
        float[] src = m.normals != null ? m.normals : faceNormals(m.positions);
        System.arraycopy(src, 0, n, off * 9, mt * 9);
      }
      if (c != null) {
        if (m.colors != null) {
          System.arraycopy(m.colors, 0, c, off * 9, mt * 9);
        } else {
          for (int i = 0; i < mt; i++) {
            float[] d = m.materials.isEmpty() ? new float[] {0.7f, 0.7f, 0.7f}
                : m.materials.get(m.materialOf(i)).diffuse();
            for (int k = 0; k < 3; k++) {
              System.arraycopy(d, 0, c, (off + i) * 9 + k * 3, 3);
            }
          }
        }
      }
      if (uv != null && m.uvs != null) {
        System.arraycopy(m.uvs, 0, uv, off * 6, mt * 6);
      }
      int base = materials.size();
      materials.addAll(m.materials);
      for (int i = 0; i < mt; i++) {
        mat[off + i] = m.materials.isEmpty() ? 0 : base + m.materialOf(i);
      }
      off += mt;
    }
    if (materials.isEmpty()) {
      materials.add(Material.of(0.7f, 0.7f, 0.7f));
    }
    return new Mesh(p, n, c, uv, mat, materials);
  }

  /** Per-corner copies of each face's unit normal (counter-clockwise winding). */
  static float[] faceNormals(float[] p) {
    float[] n = new float[p.length];
    for (int t = 0; t < p.length; t += 9) {
      float ax = p[t + 3] - p[t];
      float ay = p[t + 4] - p[t + 1];
      float az = p[t + 5] - p[t + 2];
      float bx = p[t + 6] - p[t];
      float by = p[t + 7] - p[t + 1];
      float bz = p[t + 8] - p[t + 2];
      float nx = ay * bz - az * by;
      float ny = az * bx - ax * bz;
      float nz = ax * by - ay * bx;
      float len = (float) Math.sqrt(nx * nx + ny * ny + nz * nz);
      if (len > 0) {
        nx /= len;
        ny /= len;
        nz /= len;
      }
      for (int k = 0; k < 3; k++) {
        n[t + k * 3] = nx;
        n[t + k * 3 + 1] = ny;
        n[t + k * 3 + 2] = nz;
      }
    }
    return n;
  }
}
