package org.wild3d.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.Wild3dException;
import org.wild3d.config.CameraPrior;
import org.wild3d.config.Data;
import org.wild3d.config.ShapesDataset;
import org.wild3d.image.RgbImage;
import org.wild3d.raster.MeshRenderer;
import org.wild3d.raster.Procedural;
import org.wild3d.raster.RenderOptions;
import org.wild3d.raster.Rendering;

class ShapesGeneratorTest {
  @TempDir Path tmp;

  private static ShapesGenerator.Params params(List<String> classes, int n, long seed, int res) {
    return new ShapesGenerator.Params(classes, n, seed, res, CameraPrior.getDefaultInstance());
  }

  @Test
  void sameSeedGivesByteIdenticalDatasetsWhateverTheThreadCount() throws IOException {
    ShapesGenerator.Params p = params(Procedural.DEFAULT_CLASSES, 3, 7, 16);
    Path a = ShapesGenerator.generate(tmp.resolve("a"), p, 1, null);
    Path b = ShapesGenerator.generate(tmp.resolve("b"), p, 2, null);
    Path c = ShapesGenerator.generate(tmp.resolve("c"), params(Procedural.DEFAULT_CLASSES, 3, 8,
        16), 2, null);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(a)) {
      files = walk.filter(Files::isRegularFile).map(a::relativize).sorted().toList();
    }
    assertThat(files).hasSize(18 + 1);
    boolean anyDifferent = false;
    for (Path f : files) {
      assertThat(Files.readAllBytes(b.resolve(f))).as(f.toString())
          .isEqualTo(Files.readAllBytes(a.resolve(f)));
      if (f.toString().endsWith(".png")) {
        anyDifferent |= !java.util.Arrays.equals(Files.readAllBytes(a.resolve(f)),
            Files.readAllBytes(c.resolve(f)));
      }
    }
    assertThat(anyDifferent).as("another seed changes the images").isTrue();
  }

  /** Every class is visible, whole (black border) and re-creatable from its dataset.json record. */
  @Test
  void objectsAreInsideTheFrameAndRecreatableFromTheirRecords() {
    ShapesGenerator.Params p = params(Procedural.ALL_CLASSES, 2, 0, 32);
    Path dir = ShapesGenerator.generate(tmp.resolve("all"), p, 2, null);
    try (Dataset ds = Dataset.open(dir)) {
      assertThat(ds.size()).isEqualTo(16);
      assertThat(ds.classNames()).isEqualTo(Procedural.ALL_CLASSES);
      for (int i = 0; i < ds.size(); i++) {
        RgbImage img = ds.image(i);
        int lit = 0;
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            boolean on = img.get(y, x, 0) + img.get(y, x, 1) + img.get(y, x, 2) > 0;
            lit += on ? 1 : 0;
            if (x == 0 || y == 0 || x == 31 || y == 31) {
              assertThat(on).as("border pixel of image %s (%s)", i, ds.classNames().get(i / 2))
                  .isFalse();
            }
          }
        }
        assertThat(lit).as("object pixels in image %s", i).isGreaterThan(20);
        TrueView view = ds.trueView(i).orElseThrow();
        assertThat(view.objectId()).isEqualTo(i);
        assertThat(view.fovDegrees()).isCloseTo(13.37, org.assertj.core.api.Assertions.within(1e-5));
        JsonObject record = ds.object(view.objectId()).orElseThrow();
        assertThat(record.get("class").getAsInt()).isEqualTo(ds.classOf(i));
        Rendering again = MeshRenderer.render(SyntheticObjects.mesh(record, null),
            view.cam2world(), view.fovDegrees(), 32, 32,
            SyntheticObjects.lighting(record, RenderOptions.defaults().withSupersample(3)));
        assertThat(again.image()).isEqualTo(img);
        assertThat((double) view.eg3dLabel()[16]).isCloseTo(0.5 / Math.tan(Math.toRadians(13.37) / 2), org.assertj.core.api.Assertions.within(1e-5));
      }
    }
  }

  @Test
  void datasetsOpenGeneratesOnceIntoTheCacheAndReusesIt() throws IOException {
    Data data = Data.newBuilder()
        .setShapes(ShapesDataset.newBuilder().addClasses("cube").addClasses("torus")
            .setImagesPerClass(4))
        .setCacheDir(tmp.resolve("cache").toString())
        .setMaxImages(5)
        .build();
    StringWriter log = new StringWriter();
    try (Dataset ds = Datasets.open(data, 16, new PrintWriter(log, true))) {
      assertThat(ds.size()).isEqualTo(5);
      assertThat(ds.numClasses()).isEqualTo(2);
    }
    assertThat(log.toString()).contains("generating shapes dataset");
    Path cached;
    try (Stream<Path> list = Files.list(tmp.resolve("cache"))) {
      cached = list.collect(org.assertj.core.util.Lists::newArrayList, List::add, List::addAll)
          .stream().map(Path.class::cast).findFirst().orElseThrow();
    }
    assertThat(cached.getFileName().toString()).matches("shapes-16-[0-9a-f]{16}");
    long stamp = Files.getLastModifiedTime(cached.resolve("dataset.json")).toMillis();
    StringWriter log2 = new StringWriter();
    try (Dataset ds = Datasets.open(data.toBuilder().setMaxImages(0).build(), 16,
        new PrintWriter(log2, true))) {
      assertThat(ds.size()).isEqualTo(8);
    }
    assertThat(log2.toString()).doesNotContain("generating");
    assertThat(Files.getLastModifiedTime(cached.resolve("dataset.json")).toMillis()).isEqualTo(stamp);
    try (Stream<Path> list = Files.list(tmp.resolve("cache"))) {
      assertThat(list.count()).as("no temporary leftovers").isEqualTo(1);
    }
  }

  @Test
  void unknownShapeClassIsAConfigError() {
    assertThatThrownBy(() -> params(List.of("cube", "teapot"), 1, 0, 16))
        .isInstanceOf(Wild3dException.class)
        .hasMessageContaining("data.shapes.classes")
        .hasMessageContaining("teapot")
        .satisfies(e -> assertThat(((Wild3dException) e).exitCode()).isEqualTo(3));
  }

  @Test
  void pathSourceWithWrongResolutionNamesTheFix() {
    Path p = TestData.write(tmp.resolve("ds"), 2, 8, 1);
    Data data = Data.newBuilder().setPath(p.toString()).build();
    assertThatThrownBy(() -> Datasets.open(data, 16, null))
        .hasMessageContaining("expected resolution 16x16 (data.resolution), found 8x8");
  }
}
