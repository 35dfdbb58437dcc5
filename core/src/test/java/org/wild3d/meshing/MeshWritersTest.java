package org.wild3d.meshing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.raster.Mesh;
import org.wild3d.raster.MeshFiles;

/** PLY (binary and ASCII) and OBJ files of a coloured marching-cubes mesh read back. */
class MeshWritersTest {
  @TempDir Path dir;

  private static TriangleMesh colouredSphere() {
    ScalarGrid grid = ScalarGrid.cube(16, 1.0)
        .sample(p -> 0.6 - Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]));
    TriangleMesh m = MarchingCubes.extract(grid, 0f);
    float[] rgb = new float[m.vertices().length];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = Math.min(1f, Math.abs(m.vertices()[i]) / 0.6f); // colour = |position|
    }
    return m.withColors(rgb);
  }

  @Test
  void objRoundTripKeepsPositionsColoursAndFaces() throws Exception {
    TriangleMesh m = colouredSphere();
    Path obj = dir.resolve("s.obj");
    ObjWriter.write(m, obj);
    List<float[]> v = new ArrayList<>();
    List<int[]> f = new ArrayList<>();
    for (String line : Files.readAllLines(obj)) {
      String[] t = line.split(" ");
      if (t[0].equals("v")) {
        assertThat(t).hasSize(7);
        float[] x = new float[6];
        for (int i = 0; i < 6; i++) {
          x[i] = Float.parseFloat(t[i + 1]);
        }
        v.add(x);
      } else if (t[0].equals("f")) {
        f.add(new int[] {Integer.parseInt(t[1]) - 1, Integer.parseInt(t[2]) - 1,
            Integer.parseInt(t[3]) - 1});
      }
    }
    assertThat(v).hasSize(m.vertexCount());
    assertThat(f).hasSize(m.faceCount());
    for (int i = 0; i < v.size(); i++) {
      for (int c = 0; c < 3; c++) {
        assertThat(v.get(i)[c]).isCloseTo(m.vertices()[3 * i + c], within(1e-6f));
        assertThat(v.get(i)[3 + c]).isCloseTo(m.colors()[3 * i + c], within(1e-4f));
      }
    }
    for (int t = 0; t < f.size(); t++) {
      assertThat(f.get(t)).containsExactly(m.faces()[3 * t], m.faces()[3 * t + 1],
          m.faces()[3 * t + 2]);
    }
    assertLoadsWithMeshFiles(obj, m);
  }

  @Test
  void binaryPlyHoldsExactFloatsAndByteColours() throws Exception {
    TriangleMesh m = colouredSphere();
    Path ply = dir.resolve("s.ply");
    PlyWriter.write(m, ply);
    byte[] all = Files.readAllBytes(ply);
    String text = new String(all, StandardCharsets.US_ASCII);
    int body = text.indexOf("end_header\n") + "end_header\n".length();
    assertThat(text.substring(0, body)).startsWith("ply\nformat binary_little_endian 1.0\n")
        .contains("element vertex " + m.vertexCount() + "\n")
        .contains("property uchar red\n")
        .contains("element face " + m.faceCount() + "\n")
        .contains("property list uchar int vertex_indices\n");
    ByteBuffer b = ByteBuffer.wrap(all, body, all.length - body).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < m.vertexCount(); i++) {
      for (int c = 0; c < 3; c++) {
        assertThat(b.getFloat()).isEqualTo(m.vertices()[3 * i + c]);
      }
      for (int c = 0; c < 3; c++) {
        assertThat(b.get() & 0xff).isEqualTo(Math.round(m.colors()[3 * i + c] * 255));
      }
    }
    for (int t = 0; t < m.faceCount(); t++) {
      assertThat(b.get()).isEqualTo((byte) 3);
      for (int c = 0; c < 3; c++) {
        assertThat(b.getInt()).isEqualTo(m.faces()[3 * t + c]);
      }
    }
    assertThat(b.remaining()).isZero();
    if (Files.getFileStore(ply).supportsFileAttributeView("posix")) {
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(ply))).isEqualTo("rw-r--r--");
    }
    assertLoadsWithMeshFiles(ply, m);
  }

  @Test
  void asciiPlyAndUncolouredMeshesLoadToo() {
    TriangleMesh m = colouredSphere();
    Path ply = dir.resolve("a.ply");
    PlyWriter.write(m, ply, false);
    assertLoadsWithMeshFiles(ply, m);
    TriangleMesh plain = new TriangleMesh(m.vertices(), m.faces(), null);
    Path obj = dir.resolve("plain.obj");
    ObjWriter.write(plain, obj);
    assertLoadsWithMeshFiles(obj, plain);
    Path ply2 = dir.resolve("plain.ply");
    PlyWriter.write(plain, ply2);
    assertLoadsWithMeshFiles(ply2, plain);
  }

  /** The project's own loader reads the file: same triangle count and bounds. */
  private static void assertLoadsWithMeshFiles(Path file, TriangleMesh m) {
    Mesh loaded = MeshFiles.load(file);
    assertThat(loaded.triangles()).isEqualTo(m.faceCount());
    float[] b = loaded.bounds();
    float[] lo = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
    float[] hi = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
    for (int i = 0; i < m.vertexCount(); i++) {
      for (int c = 0; c < 3; c++) {
        lo[c] = Math.min(lo[c], m.vertices()[3 * i + c]);
        hi[c] = Math.max(hi[c], m.vertices()[3 * i + c]);
      }
    }
    for (int c = 0; c < 3; c++) {
      assertThat(b[c]).isCloseTo(lo[c], within(1e-5f));
      assertThat(b[c + 3]).isCloseTo(hi[c], within(1e-5f));
    }
  }
}
