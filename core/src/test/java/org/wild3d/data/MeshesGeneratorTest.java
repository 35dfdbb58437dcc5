package org.wild3d.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.config.CameraPrior;
import org.wild3d.raster.Mesh;
import org.wild3d.raster.MeshFiles;
import org.wild3d.raster.MeshRenderer;
import org.wild3d.raster.RenderOptions;
import org.wild3d.raster.Rendering;

class MeshesGeneratorTest {
  @TempDir Path tmp;

  static final String CUBE_OFF = "OFF\n8 6 0\n-1 -1 -1\n1 -1 -1\n1 1 -1\n-1 1 -1\n-1 -1 1\n1 -1 1\n"
      + "1 1 1\n-1 1 1\n4 0 3 2 1\n4 4 5 6 7\n4 0 1 5 4\n4 2 3 7 6\n4 1 2 6 5\n4 0 4 7 3\n";

  static final String TETRA_OBJ = "v 0 1 0\nv -1 -1 -1\nv 1 -1 -1\nv 0 -1 1\n"
      + "f 1 2 3\nf 1 3 4\nf 1 4 2\nf 2 4 3\n";

  @Test
  void rendersClassFoldersSkippingBrokenMeshesAndEmptyFolders() throws IOException {
    Path root = tmp.resolve("meshes");
    Files.createDirectories(root.resolve("box"));
    Files.createDirectories(root.resolve("empty"));
    Files.createDirectories(root.resolve("tetra/sub"));
    Files.writeString(root.resolve("box/cube.off"), CUBE_OFF);
    Files.writeString(root.resolve("box/broken.obj"), "v 0 0 0\nf 1 2 3\n");
    Files.writeString(root.resolve("tetra/sub/t.obj"), TETRA_OBJ);
    MeshesGenerator.Scan scan = MeshesGenerator.scan(root);
    assertThat(scan.classes()).containsExactly("box", "tetra");
    assertThat(scan.problems()).singleElement().asString().contains("empty: empty class folder");
    StringWriter log = new StringWriter();
    Path out = MeshesGenerator.generate(tmp.resolve("ds"), scan, 3, 1, 24,
        CameraPrior.getDefaultInstance(), false, 2, new PrintWriter(log, true));
    assertThat(log.toString()).contains("skipped: box/broken.obj")
        .contains("face index 2 out of range");
    try (Dataset ds = Dataset.open(out)) {
      assertThat(ds.size()).isEqualTo(6);
      assertThat(ds.classNames()).containsExactly("box", "tetra");
      assertThat(ds.classOf(0)).isZero();
      assertThat(ds.classOf(5)).isEqualTo(1);
      for (int i = 0; i < 6; i++) {
        TrueView v = ds.trueView(i).orElseThrow();
        assertThat(v.objectId()).isEqualTo(i / 3);
        JsonObject o = ds.object(v.objectId()).orElseThrow();
        Path meshRoot = Path.of(ds.extras().getAsJsonObject("source").get("root").getAsString());
        Mesh mesh = SyntheticObjects.mesh(o, meshRoot);
        Rendering again = MeshRenderer.render(mesh, v.cam2world(), v.fovDegrees(), 24, 24,
            SyntheticObjects.lighting(o, RenderOptions.defaults().withSupersample(3)));
        assertThat(again.image()).isEqualTo(ds.image(i));
      }
    }
    assertThatThrownBy(() -> MeshesGenerator.generate(tmp.resolve("strict"), scan, 1, 1, 8,
        CameraPrior.getDefaultInstance(), true, 1, null))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("empty: empty class folder");
  }

  /** Class folders and mesh files that are symbolic links leading out of the root are refused. */
  @Test
  void symbolicLinksLeadingOutOfTheMeshRootAreRefused() throws IOException {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("e.off"), CUBE_OFF);
    Path root = tmp.resolve("meshes");
    Files.createDirectories(root.resolve("box"));
    Files.writeString(root.resolve("box/cube.off"), CUBE_OFF);
    Files.createSymbolicLink(root.resolve("linked"), elsewhere);
    Files.createSymbolicLink(root.resolve("box/l.off"), elsewhere.resolve("e.off"));
    Files.createSymbolicLink(root.resolve("box/in.off"), root.resolve("box/cube.off"));
    String real = elsewhere.toRealPath().toString();
    assertThatThrownBy(() -> MeshesGenerator.scan(root))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("2 problems")
        .hasMessageContaining("box/l.off: expected a mesh file inside the mesh root, found a "
            + "symbolic link leading to " + real + "/e.off, outside ")
        .hasMessageContaining("linked/: expected a class folder inside the mesh root, found a "
            + "symbolic link leading to " + real + ", outside ")
        .hasMessageNotContaining("in.off");
    Files.delete(root.resolve("linked"));
    Files.delete(root.resolve("box/l.off"));
    assertThat(MeshesGenerator.scan(root).meshes()).extracting(MeshesGenerator.Source::relativePath)
        .containsExactly("box/cube.off", "box/in.off");

    // A material library outside the root (valid, red) is not read while rendering: grey.
    Files.writeString(tmp.resolve("outside.mtl"), "newmtl red\nKd 1 0 0\n");
    Files.writeString(root.resolve("box/t.obj"), "mtllib ../../outside.mtl\nusemtl red\n"
        + TETRA_OBJ);
    StringWriter log = new StringWriter();
    MeshesGenerator.generate(tmp.resolve("ds"), MeshesGenerator.scan(root), 1, 1, 8,
        CameraPrior.getDefaultInstance(), true, 1, new PrintWriter(log, true));
    assertThat(log.toString()).contains("box/t.obj:1: material library ../../outside.mtl: "
        + "expected a file inside the mesh root " + root.toRealPath() + ", found a path that leads "
        + "outside " + root.toRealPath() + "; not read, using grey");

    // An object record of a synthetic dataset names its file inside the mesh root too.
    JsonObject o = new JsonObject();
    o.addProperty("id", 3);
    o.addProperty("kind", "mesh");
    o.addProperty("file", "../elsewhere/e.off");
    assertThatThrownBy(() -> SyntheticObjects.mesh(o, root))
        .isInstanceOf(DataException.class)
        .hasMessage("object 3 file \"../elsewhere/e.off\": expected a relative path inside the "
            + "mesh root " + root + ", found a '..' segment (dataset.json wild3d.objects; "
            + "regenerate the dataset)");
  }

  @Test
  void furnitureCataloguesAreClassifiedExtractedAndRotated() throws IOException {
    assertThat(FurnitureCatalog.classify("Dining chair")).isEqualTo("chair");
    assertThat(FurnitureCatalog.classify("Table lamp")).isEqualTo("lamp");
    assertThat(FurnitureCatalog.classify("Bedside table")).isEqualTo("table");
    assertThat(FurnitureCatalog.classify("Corner sofa")).isEqualTo("sofa");
    assertThat(FurnitureCatalog.classify("Double bed")).isEqualTo("bed");
    assertThat(FurnitureCatalog.classify("Table fan")).isNull();
    assertThat(FurnitureCatalog.classify("Door")).isNull();

    Path sh3f = tmp.resolve("Tiny.sh3f");
    Properties p = new Properties();
    p.setProperty("name#1", "Dining chair");
    p.setProperty("model#1", "/m/chair/chair.obj");
    p.setProperty("modelRotation#1", "1 0 0 0 0 1 0 -1 0");
    p.setProperty("name#2", "Table fan");
    p.setProperty("model#2", "/m/fan/fan.obj");
    p.setProperty("name#3", "Door");
    p.setProperty("model#3", "/m/door/door.obj");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(sh3f))) {
      z.putNextEntry(new ZipEntry("PluginFurnitureCatalog.properties"));
      java.io.StringWriter sw = new java.io.StringWriter();
      p.store(sw, null);
      z.write(sw.toString().getBytes(StandardCharsets.ISO_8859_1));
      z.putNextEntry(new ZipEntry("m/chair/chair.obj"));
      z.write(("mtllib chair.mtl\nusemtl wood\n" + TETRA_OBJ).getBytes(StandardCharsets.US_ASCII));
      z.putNextEntry(new ZipEntry("m/chair/chair.mtl"));
      z.write("newmtl wood\nKd 0.5 0.3 0.1\nmap_Kd C:\\textures\\wood.png\n"
          .getBytes(StandardCharsets.US_ASCII));
      z.putNextEntry(new ZipEntry("m/textures/wood.png"));
      z.write(org.wild3d.image.Images.encodePng(TestData.randomImage(4, 4, 1)));
      z.closeEntry();
    }
    Path root = tmp.resolve("furniture");
    FurnitureCatalog.Extraction ex = FurnitureCatalog.extract(List.of(tmp), root, null);
    assertThat(ex.models()).isEqualTo(1);
    assertThat(ex.perClass()).containsEntry("chair", 1).hasSize(1);
    Path dir = root.resolve("chair/Tiny-chair-1");
    assertThat(dir.resolve("chair.mtl")).exists();
    assertThat(Files.readAllBytes(dir.resolve("C:\\textures\\wood.png").normalize()))
        .isEqualTo(org.wild3d.image.Images.encodePng(TestData.randomImage(4, 4, 1)));
    // modelRotation rows (1 0 0)(0 0 1)(0 -1 0): (0, 1, 0) becomes (0, 0, -1).
    Mesh m = MeshFiles.load(dir.resolve("chair.obj"));
    assertThat(m.bounds()).containsExactly(-1, -1, -1, 1, 1, 1);
    assertThat(Files.readAllLines(dir.resolve("chair.obj")).get(2)).isEqualTo("v 0.0 0.0 -1.0");
    // An existing extraction is reused.
    assertThat(FurnitureCatalog.extract(List.of(tmp), root, null).models()).isEqualTo(1);
  }
}
