package org.wild3d.meshing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link TriangleMesh} as PLY: {@code vertex} elements with float {@code x y z} (and
 * uchar {@code red green blue} when the mesh has colours), {@code face} elements with a {@code
 * uchar int vertex_indices} list. Binary little-endian (compact; what MeshLab, Blender and
 * Open3D read) or ASCII.
 */
public final class PlyWriter {
  private PlyWriter() {}

  /** Writes binary little-endian PLY. */
  public static void write(TriangleMesh mesh, Path file) {
    write(mesh, file, true);
  }

  /**
   * Writes {@code mesh} to {@code file} atomically.
   *
   * @param binary binary little-endian, or ASCII
   * @throws IllegalArgumentException for a mesh without faces (no empty files)
   */
  public static void write(TriangleMesh mesh, Path file, boolean binary) {
    write(mesh, file, binary, List.of());
  }

  /**
   * As {@link #write(TriangleMesh, Path, boolean)}, with {@code comments} as extra {@code
   * comment} lines of the header (e.g. the checkpoint the mesh comes from; line breaks and
   * non-ASCII characters are replaced).
   */
  public static void write(TriangleMesh mesh, Path file, boolean binary, List<String> comments) {
    MeshWriters.checkWritable(mesh, file);
    MeshWriters.atomically(file, ".ply", out -> {
      out.write(header(mesh, binary, comments).getBytes(StandardCharsets.US_ASCII));
      if (binary) {
        writeBinary(mesh, out);
      } else {
        writeAscii(mesh, out);
      }
    });
  }

  private static String header(TriangleMesh mesh, boolean binary, List<String> comments) {
    StringBuilder h = new StringBuilder("ply\n");
    h.append(binary ? "format binary_little_endian 1.0\n" : "format ascii 1.0\n");
    h.append("comment wild3d marching-cubes mesh\n");
    for (String c : comments) {
      h.append("comment ").append(MeshWriters.oneLine(c)).append('\n');
    }
    h.append("element vertex ").append(mesh.vertexCount()).append('\n');
    h.append("property float x\nproperty float y\nproperty float z\n");
    if (mesh.colors() != null) {
      h.append("property uchar red\nproperty uchar green\nproperty uchar blue\n");
    }
    h.append("element face ").append(mesh.faceCount()).append('\n');
    h.append("property list uchar int vertex_indices\nend_header\n");
    return h.toString();
  }

  private static void writeBinary(TriangleMesh mesh, OutputStream out) throws IOException {
    boolean rgb = mesh.colors() != null;
    ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = mesh.vertices();
    for (int i = 0; i < mesh.vertexCount(); i++) {
      flushIfFull(b, out, 15);
      b.putFloat(v[3 * i]).putFloat(v[3 * i + 1]).putFloat(v[3 * i + 2]);
      if (rgb) {
        for (int c = 0; c < 3; c++) {
          b.put((byte) MeshWriters.toByte(mesh.colors()[3 * i + c]));
        }
      }
    }
    int[] f = mesh.faces();
    for (int t = 0; t < mesh.faceCount(); t++) {
      flushIfFull(b, out, 13);
      b.put((byte) 3).putInt(f[3 * t]).putInt(f[3 * t + 1]).putInt(f[3 * t + 2]);
    }
    out.write(b.array(), 0, b.position());
  }

  private static void flushIfFull(ByteBuffer b, OutputStream out, int need) throws IOException {
    if (b.remaining() < need) {
      out.write(b.array(), 0, b.position());
      b.clear();
    }
  }

  private static void writeAscii(TriangleMesh mesh, OutputStream out) throws IOException {
    StringBuilder s = new StringBuilder();
    float[] v = mesh.vertices();
    for (int i = 0; i < mesh.vertexCount(); i++) {
      s.append(String.format(Locale.ROOT, "%.6f %.6f %.6f", v[3 * i], v[3 * i + 1], v[3 * i + 2]));
      if (mesh.colors() != null) {
        for (int c = 0; c < 3; c++) {
          s.append(' ').append(MeshWriters.toByte(mesh.colors()[3 * i + c]));
        }
      }
      s.append('\n');
      MeshWriters.flushIfLong(s, out);
    }
    int[] f = mesh.faces();
    for (int t = 0; t < mesh.faceCount(); t++) {
      s.append("3 ").append(f[3 * t]).append(' ').append(f[3 * t + 1]).append(' ')
          .append(f[3 * t + 2]).append('\n');
      MeshWriters.flushIfLong(s, out);
    }
    out.write(s.toString().getBytes(StandardCharsets.US_ASCII));
  }
}
