package org.wild3d.meshing;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.wild3d.AtomicFiles;

/** What the mesh writers share: refusing empty meshes and writing atomically. */
final class MeshWriters {
  private MeshWriters() {}

  /** Body of a mesh file. */
  interface Body {
    void write(OutputStream out) throws IOException;
  }

  static void checkWritable(TriangleMesh mesh, Path file) {
    checkArgument(!mesh.isEmpty(), "mesh %s: expected at least one face, found none (the field"
        + " has no surface at this iso level: pick a level between its minimum and maximum)",
        file);
  }

  /** Writes through a temporary file in the same folder, then renames it onto {@code file}. */
  static void atomically(Path file, String suffix, Body body) {
    try {
      AtomicFiles.write(file, body::write);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }

  /** {@code s} as one printable ASCII line: controls become spaces, other characters '?'. */
  static String oneLine(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? ' ' : c > 0x7e ? '?' : c);
    }
    return b.toString();
  }

  /** A colour in [0, 1] as a byte 0..255, rounded and clamped. */
  static int toByte(float c) {
    return Math.max(0, Math.min(255, Math.round(c * 255f)));
  }

  /** Writes out {@code s} and empties it once it holds more than 64 KB. */
  static void flushIfLong(StringBuilder s, OutputStream out) throws IOException {
    if (s.length() > 1 << 16) {
      out.write(s.toString().getBytes(StandardCharsets.US_ASCII));
      s.setLength(0);
    }
  }

  /** Temporary files are created owner-only (0600); a written mesh is an ordinary file (0644). */
}
