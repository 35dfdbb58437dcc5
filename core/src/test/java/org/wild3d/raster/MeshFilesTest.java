package org.wild3d.raster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

class MeshFilesTest {
  @TempDir Path tmp;

  @Test
  void objWithMaterialsTextureNegativeIndicesAndPolygons() throws IOException {
    byte[] red = new byte[4 * 4 * 3];
    for (int i = 0; i < red.length; i += 3) {
      red[i] = (byte) 255;
    }
    Files.write(tmp.resolve("red.png"), Images.encodePng(new RgbImage(4, 4, red)));
    Files.writeString(tmp.resolve("m.mtl"), """
        newmtl tex
        Kd 0.1 0.1 0.1
        map_Kd -s 1 1 1 red.png
        newmtl blue
        Kd 0 0 1
        """);
    Files.writeString(tmp.resolve("m.obj"), """
        # a textured quad and a blue triangle
        mtllib m.mtl
        v -1 -1 0
        v 1 -1 0
        v 1 1 0
        v -1 1 0
        vt 0 0
        vt 1 0
        vt 1 1
        vt 0 1
        usemtl tex
        f 1/1 2/2 3/3 4/4
        usemtl blue
        f -4/1 -3/2 -2/3
        f 1 2
        usemtl undefined
        """);
    List<String> warnings = new ArrayList<>();
    Mesh m = MeshFiles.load(tmp.resolve("m.obj"), warnings);
    assertThat(m.triangles()).isEqualTo(3);
    assertThat(m.bounds()).containsExactly(-1, -1, 0, 1, 1, 0);
    assertThat(m.materialOf(0)).isZero();
    assertThat(m.materialOf(2)).isEqualTo(1);
    assertThat(m.materials().get(0).texture()).isNotNull();
    assertThat(warnings).singleElement().asString().contains("material \"undefined\" not defined");
    // Seen from +z with full ambient light, the quad shows its texture (red), not its Kd.
    Rendering r = MeshRenderer.render(m, SphereCameras.lookAtOrigin(new double[] {0, 0, 8}), 30,
        16, 16, RenderOptions.defaults().withLight(new double[] {0, 0, 1}, 1f, 0f));
    assertThat(r.image().get(8, 8, 0)).isEqualTo(255);
    assertThat(r.image().get(8, 8, 2)).isZero();
  }

  /**
   * Files a mesh names are read only inside its root: '..' that stays inside is fine (ShapeNet's
   * {@code ../images/texture0.jpg}); a material or texture outside (here valid red ones, which
   * would show if read) is not opened, and a warning says so.
   */
  @Test
  void materialsAndTexturesOutsideTheMeshRootAreNotRead() throws IOException {
    byte[] red = new byte[4 * 4 * 3];
    for (int i = 0; i < red.length; i += 3) {
      red[i] = (byte) 255;
    }
    Path outsidePng = Files.write(tmp.resolve("outside.png"), Images.encodePng(new RgbImage(4, 4,
        red)));
    Files.writeString(tmp.resolve("outside.mtl"), "newmtl red\nKd 1 0 0\n");
    Path root = Files.createDirectories(tmp.resolve("root/chair/m1/models"));
    Files.createDirectories(tmp.resolve("root/chair/m1/images"));
    Files.write(tmp.resolve("root/chair/m1/images/tex.png"), Images.encodePng(new RgbImage(4, 4,
        red)));
    String tri = "v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\n";
    Files.writeString(root.resolve("in.mtl"), "newmtl tex\nKd 0.2 0.2 0.2\nmap_Kd ../images/tex.png\n"
        + "newmtl abs\nKd 0.3 0.3 0.3\nmap_Kd " + outsidePng.toAbsolutePath() + "\n"
        + "newmtl up\nKd 0.4 0.4 0.4\nmap_Kd ../../../../outside.png\n");
    Files.writeString(root.resolve("m.obj"), "mtllib in.mtl\nmtllib ../../../../outside.mtl\n"
        + tri + "usemtl tex\nf 1/1 2/2 3/3\nusemtl abs\nf 1/1 2/2 3/3\nusemtl up\n"
        + "f 1/1 2/2 3/3\nusemtl red\nf 1 2 3\n");
    List<String> warnings = new ArrayList<>();
    Mesh m = MeshFiles.load(root.resolve("m.obj"), tmp.resolve("root"), warnings);
    assertThat(m.materials().get(0).texture()).isNotNull();
    assertThat(m.materials().get(1).texture()).isNull();
    assertThat(m.materials().get(2).texture()).isNull();
    assertThat(m.materials().get(3).diffuse()).containsExactly(0.7f, 0.7f, 0.7f);
    String realRoot = tmp.resolve("root").toRealPath().toString();
    assertThat(String.join("\n", warnings))
        .contains("m.obj:2: material library ../../../../outside.mtl: expected a file inside the "
            + "mesh root " + realRoot + ", found a path that leads outside " + realRoot
            + "; not read, using grey")
        .contains("in.mtl: texture " + outsidePng.toAbsolutePath() + ": expected a file inside "
            + "the mesh root " + realRoot + ", found an absolute path outside " + realRoot
            + "; not read, using Kd")
        .contains("in.mtl: texture ../../../../outside.png: expected a file inside the mesh root")
        .contains("material \"red\" not defined");
    // Without a root, a mesh's own folder is the root.
    List<String> own = new ArrayList<>();
    MeshFiles.load(root.resolve("m.obj"), own);
    assertThat(String.join("\n", own)).contains("texture ../images/tex.png: expected a file "
        + "inside the mesh root");
  }

  @Test
  void plyAsciiAndBinaryWithVertexColours() throws IOException {
    String header = "ply\nformat %s 1.0\ncomment tiny\nelement vertex 3\nproperty float x\n"
        + "property float y\nproperty float z\nproperty uchar red\nproperty uchar green\n"
        + "property uchar blue\nelement face 1\nproperty list uchar int vertex_indices\n"
        + "end_header\n";
    Files.writeString(tmp.resolve("a.ply"), String.format(header, "ascii")
        + "0 0 0 255 0 0\n1 0 0 255 0 0\n0 2 0 255 0 0\n3 0 1 2\n");
    ByteArrayOutputStream bin = new ByteArrayOutputStream();
    bin.writeBytes(String.format(header, "binary_little_endian").getBytes(StandardCharsets.US_ASCII));
    ByteBuffer b = ByteBuffer.allocate(3 * 15 + 1 + 12).order(ByteOrder.LITTLE_ENDIAN);
    float[][] v = {{0, 0, 0}, {1, 0, 0}, {0, 2, 0}};
    for (float[] p : v) {
      b.putFloat(p[0]).putFloat(p[1]).putFloat(p[2]).put((byte) 255).put((byte) 0).put((byte) 0);
    }
    b.put((byte) 3).putInt(0).putInt(1).putInt(2);
    bin.writeBytes(b.array());
    Files.write(tmp.resolve("b.ply"), bin.toByteArray());
    for (String f : List.of("a.ply", "b.ply")) {
      Mesh m = MeshFiles.load(tmp.resolve(f));
      assertThat(m.triangles()).as(f).isEqualTo(1);
      assertThat(m.bounds()).as(f).containsExactly(0, 0, 0, 1, 2, 0);
      assertThat(m.colors()[0]).isEqualTo(1f);
      assertThat(m.colors()[1]).isEqualTo(0f);
    }
  }

  @Test
  void offWithFaceColoursAndBadIndexError() throws IOException {
    Files.writeString(tmp.resolve("q.off"), "OFF\n# quad\n4 1 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n"
        + "4 0 1 2 3 0 255 0\n");
    Mesh m = MeshFiles.load(tmp.resolve("q.off"));
    assertThat(m.triangles()).isEqualTo(2);
    assertThat(m.colors()[1]).isEqualTo(1f);
    float[] n = m.normalization(0.5f);
    assertThat((double) n[0]).isCloseTo(0.5 / Math.sqrt(0.5), within(1e-6));
    Files.writeString(tmp.resolve("bad.off"), "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n");
    assertThatThrownBy(() -> MeshFiles.load(tmp.resolve("bad.off")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("bad.off: face 0 vertex index 7 out of range (3 vertices)");
  }
}
