package org.wild3d.meshing;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Marching cubes: the iso-surface {@code value = iso} of a {@link ScalarGrid} as a triangle mesh.
 * Nodes with {@code value > iso} are inside; the surface's normals point away from them (for a
 * density field: out of the object).
 *
 * <p>The case table is derived here rather than typed in: for each of the 256 inside/outside
 * patterns of a cell's 8 corners, each of the cell's 6 faces contributes iso-line segments
 * (walking the face's corners counter-clockwise seen from outside, a segment runs from the edge
 * where the walk enters a run of inside corners to the edge where it leaves it; so on a face with
 * two diagonal inside corners the inside corners are separated). Segments join into closed loops
 * on the cell's boundary, and each loop is triangulated as a fan. Because a face's segments depend
 * only on that face's four corners, two cells sharing a face agree on them, and each segment is
 * traversed once in each direction: the mesh is crack-free and consistently wound. A fan never
 * adds a diagonal between two points on one cell face (it starts at another loop vertex, or fans
 * around an added centre vertex when none fits), so every edge of the mesh is used by exactly two
 * triangles: away from the grid's boundary the surface is closed (use {@link
 * ScalarGrid#closedAtBoundary} to close it at the box).
 *
 * <p>Vertices lie on grid edges, linearly interpolated, and are shared by all cells around the
 * edge (welded by construction). Memory: one int per grid edge (12 bytes per node).
 *
 * <p>Shapes: {@code grid values [X,Y,Z]} → {@code vertices [V,3]}, {@code faces [T,3]}.
 */
public final class MarchingCubes {
  /** Corner {@code c} of a cell sits at offset {@code (c & 1, (c >> 1) & 1, (c >> 2) & 1)}. */
  private static final int[][] FACES = {
    {0, 4, 6, 2}, // x = 0, counter-clockwise seen from −x
    {1, 3, 7, 5}, // x = 1
    {0, 1, 5, 4}, // y = 0
    {2, 6, 7, 3}, // y = 1
    {0, 2, 3, 1}, // z = 0
    {4, 5, 7, 6}, // z = 1
  };

  /** Cell edge {@code e}: its lower corner and axis. */
  private static final int[] EDGE_CORNER = new int[12];
  private static final int[] EDGE_AXIS = new int[12];
  /** Edge index between two corners that differ in one bit, else −1. */
  private static final int[][] EDGE_BETWEEN = new int[8][8];
  /** Bit f set in FACE_MASK[e]: edge e lies on face f. */
  private static final int[] FACE_MASK = new int[12];

  /**
   * Per case: triangles as cell-edge triples; index {@link #CENTER} stands for the centre vertex
   * of the loop listed in {@link #CENTER_LOOPS} at the same position.
   */
  private static final int[][] TRIANGLES = new int[256][];
  /** Per case: loops that are fanned around an added centre vertex (cell-edge lists). */
  private static final int[][][] CENTER_LOOPS = new int[256][][];

  private static final int CENTER = -1;

  static {
    int e = 0;
    for (int a = 0; a < 8; a++) {
      Arrays.fill(EDGE_BETWEEN[a], -1);
    }
    for (int axis = 0; axis < 3; axis++) {
      for (int c = 0; c < 8; c++) {
        if ((c >> axis & 1) == 0) {
          int d = c | 1 << axis;
          EDGE_CORNER[e] = c;
          EDGE_AXIS[e] = axis;
          EDGE_BETWEEN[c][d] = e;
          EDGE_BETWEEN[d][c] = e;
          e++;
        }
      }
    }
    for (int f = 0; f < 6; f++) {
      for (int k = 0; k < 4; k++) {
        FACE_MASK[EDGE_BETWEEN[FACES[f][k]][FACES[f][(k + 1) % 4]]] |= 1 << f;
      }
    }
    for (int mask = 0; mask < 256; mask++) {
      buildCase(mask);
    }
  }

  private MarchingCubes() {}

  private static boolean inside(int mask, int corner) {
    return (mask >> corner & 1) != 0;
  }

  private static void buildCase(int mask) {
    int[] next = new int[12];
    Arrays.fill(next, -1);
    for (int[] face : FACES) {
      for (int k = 0; k < 4; k++) {
        int prev = face[(k + 3) % 4];
        if (inside(mask, face[k]) && !inside(mask, prev)) { // a run of inside corners starts
          int entry = EDGE_BETWEEN[prev][face[k]];
          int j = k;
          while (inside(mask, face[(j + 1) % 4])) {
            j = (j + 1) % 4;
          }
          int exit = EDGE_BETWEEN[face[j]][face[(j + 1) % 4]];
          next[entry] = exit;
        }
      }
    }
    List<Integer> tris = new ArrayList<>();
    List<int[]> centers = new ArrayList<>();
    boolean[] seen = new boolean[12];
    for (int start = 0; start < 12; start++) {
      if (next[start] < 0 || seen[start]) {
        continue;
      }
      List<Integer> loop = new ArrayList<>();
      for (int x = start; !seen[x]; x = next[x]) {
        seen[x] = true;
        loop.add(x);
      }
      int n = loop.size();
      int fanStart = -1;
      for (int s = 0; s < n && fanStart < 0; s++) {
        boolean ok = true;
        for (int i = 2; i <= n - 2 && ok; i++) {
          ok = (FACE_MASK[loop.get(s)] & FACE_MASK[loop.get((s + i) % n)]) == 0;
        }
        if (ok) {
          fanStart = s;
        }
      }
      if (fanStart >= 0) {
        for (int i = 1; i < n - 1; i++) {
          tris.add(loop.get(fanStart));
          tris.add(loop.get((fanStart + i) % n));
          tris.add(loop.get((fanStart + i + 1) % n));
        }
      } else {
        for (int i = 0; i < n; i++) {
          tris.add(CENTER - centers.size()); // −1 − loop number
          tris.add(loop.get(i));
          tris.add(loop.get((i + 1) % n));
        }
        centers.add(loop.stream().mapToInt(Integer::intValue).toArray());
      }
    }
    TRIANGLES[mask] = tris.stream().mapToInt(Integer::intValue).toArray();
    CENTER_LOOPS[mask] = centers.toArray(new int[0][]);
  }

  /** Number of triangles case {@code mask} (bit c = corner c inside) adds. */
  static int triangleCount(int mask) {
    return TRIANGLES[mask].length / 3;
  }

  /**
   * The iso-surface {@code value = iso} of {@code grid}; an empty mesh when the grid does not
   * cross {@code iso}. NaN values count as outside.
   */
  public static TriangleMesh extract(ScalarGrid grid, float iso) {
    checkArgument(Float.isFinite(iso), "iso level: expected a finite value, found %s", iso);
    int nx = grid.nx();
    int ny = grid.ny();
    int nz = grid.nz();
    float[] v = grid.values();
    long edges = 3L * nx * ny * nz;
    checkArgument(edges <= Integer.MAX_VALUE,
        "grid %s x %s x %s: too large for marching cubes (at most about 1290³ nodes)", nx, ny,
        nz);
    int[] edgeVertex = new int[(int) edges]; // vertex index + 1 per grid edge, 0 = none yet
    FloatList pos = new FloatList();
    IntList faces = new IntList();
    int[] cornerIndex = new int[8];
    int[] local = new int[12];
    int[] centerIds = new int[4];
    for (int i = 0; i < nx - 1; i++) {
      for (int j = 0; j < ny - 1; j++) {
        for (int k = 0; k < nz - 1; k++) {
          int mask = 0;
          for (int c = 0; c < 8; c++) {
            int idx = ((i + (c & 1)) * ny + j + (c >> 1 & 1)) * nz + k + (c >> 2 & 1);
            cornerIndex[c] = idx;
            if (v[idx] > iso) {
              mask |= 1 << c;
            }
          }
          int[] tris = TRIANGLES[mask];
          if (tris.length == 0) {
            continue;
          }
          Arrays.fill(local, -1);
          int[][] centers = CENTER_LOOPS[mask];
          for (int[] loop : centers) {
            for (int e : loop) {
              local[e] = vertexOn(grid, e, i, j, k, cornerIndex, iso, edgeVertex, pos);
            }
          }
          for (int c = 0; c < centers.length; c++) {
            centerIds[c] = centre(centers[c], local, pos);
          }
          for (int t : tris) {
            if (t < 0) {
              faces.add(centerIds[CENTER - t]);
            } else {
              if (local[t] < 0) {
                local[t] = vertexOn(grid, t, i, j, k, cornerIndex, iso, edgeVertex, pos);
              }
              faces.add(local[t]);
            }
          }
        }
      }
    }
    return new TriangleMesh(pos.toArray(), faces.toArray(), null);
  }

  /** The vertex on cell edge {@code e} of cell (i, j, k), created on first use. */
  private static int vertexOn(ScalarGrid g, int e, int i, int j, int k, int[] cornerIndex,
      float iso, int[] edgeVertex, FloatList pos) {
    int c = EDGE_CORNER[e];
    int axis = EDGE_AXIS[e];
    int gi = i + (c & 1);
    int gj = j + (c >> 1 & 1);
    int gk = k + (c >> 2 & 1);
    int key = ((gi * g.ny() + gj) * g.nz() + gk) * 3 + axis;
    int id = edgeVertex[key] - 1;
    if (id >= 0) {
      return id;
    }
    float va = g.values()[cornerIndex[c]];
    float vb = g.values()[cornerIndex[c | 1 << axis]];
    double t = (iso - (double) va) / ((double) vb - va);
    if (!(t >= 0 && t <= 1)) { // NaN corner: put the vertex halfway
      t = 0.5;
    }
    double[] p = {gi, gj, gk};
    p[axis] += t;
    id = pos.size() / 3;
    for (int a = 0; a < 3; a++) {
      pos.add((float) g.coordinate(a, p[a]));
    }
    edgeVertex[key] = id + 1;
    return id;
  }

  /** A new vertex at the mean of a loop's vertices. */
  private static int centre(int[] loop, int[] local, FloatList pos) {
    double[] m = new double[3];
    float[] a = pos.data;
    for (int e : loop) {
      for (int c = 0; c < 3; c++) {
        m[c] += a[3 * local[e] + c];
      }
    }
    int id = pos.size() / 3;
    for (int c = 0; c < 3; c++) {
      pos.add((float) (m[c] / loop.length));
    }
    return id;
  }

  /** A growable float array. */
  private static final class FloatList {
    float[] data = new float[1024];
    int size;

    void add(float x) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = x;
    }

    int size() {
      return size;
    }

    float[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }

  /** A growable int array. */
  private static final class IntList {
    int[] data = new int[1024];
    int size;

    void add(int x) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = x;
    }

    int[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
