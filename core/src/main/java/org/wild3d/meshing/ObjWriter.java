package org.wild3d.meshing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link TriangleMesh} as Wavefront OBJ: {@code v x y z} lines, or {@code v x y z r g b}
 * with colours in [0, 1] (the vertex-colour extension MeshLab, Blender and Open3D read), then
 * {@code f a b c} with 1-based indices.
 */
public final class ObjWriter {
  private ObjWriter() {}

  /**
   * Writes {@code mesh} to {@code file} atomically.
   *
   * @throws IllegalArgumentException for a mesh without faces (no empty files)
   */
  public static void write(TriangleMesh mesh, Path file) {
    write(mesh, file, List.of());
  }

  /**
   * As {@link #write(TriangleMesh, Path)}, with {@code comments} as extra {@code #} lines at the
   * top (e.g. the checkpoint the mesh comes from; line breaks and non-ASCII characters are
   * replaced).
   */
  public static void write(TriangleMesh mesh, Path file, List<String> comments) {
    MeshWriters.checkWritable(mesh, file);
    MeshWriters.atomically(file, ".obj", out -> body(mesh, comments, out));
  }

  private static void body(TriangleMesh mesh, List<String> comments, OutputStream out)
      throws IOException {
    StringBuilder s = new StringBuilder("# wild3d marching-cubes mesh: ")
        .append(mesh.vertexCount()).append(" vertices, ").append(mesh.faceCount())
        .append(" faces\n");
    for (String c : comments) {
      s.append("# ").append(MeshWriters.oneLine(c)).append('\n');
    }
    float[] v = mesh.vertices();
    float[] c = mesh.colors();
    for (int i = 0; i < mesh.vertexCount(); i++) {
      s.append(String.format(Locale.ROOT, "v %.6f %.6f %.6f", v[3 * i], v[3 * i + 1],
          v[3 * i + 2]));
      if (c != null) {
        s.append(String.format(Locale.ROOT, " %.4f %.4f %.4f", c[3 * i], c[3 * i + 1],
            c[3 * i + 2]));
      }
      s.append('\n');
      MeshWriters.flushIfLong(s, out);
    }
    int[] f = mesh.faces();
    for (int t = 0; t < mesh.faceCount(); t++) {
      s.append("f ").append(f[3 * t] + 1).append(' ').append(f[3 * t + 1] + 1).append(' ')
          .append(f[3 * t + 2] + 1).append('\n');
      MeshWriters.flushIfLong(s, out);
    }
    out.write(s.toString().getBytes(StandardCharsets.US_ASCII));
  }
}
