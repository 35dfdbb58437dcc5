package org.wild3d.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

class DatasetTest {
  @TempDir Path tmp;

  @Test
  void folderAndZipRoundTripPixelsAndLabels() {
    for (String name : List.of("ds", "ds.zip")) {
      Path p = TestData.write(tmp.resolve(name), 7, 8, 3);
      try (Dataset ds = Dataset.open(p)) {
        assertThat(ds.size()).isEqualTo(7);
        assertThat(ds.resolution()).isEqualTo(8);
        assertThat(ds.classNames()).containsExactly("c0", "c1", "c2");
        for (int i = 0; i < 7; i++) {
          assertThat(ds.path(i)).isEqualTo(String.format("00000/img%08d.png", i));
          assertThat(ds.classOf(i)).isEqualTo(i % 3);
          assertThat(ds.image(i)).isEqualTo(TestData.randomImage(8, 8, i));
        }
        assertThat(ds.indicesOfClass(1)).containsExactly(1, 4);
        assertThat(ds.classCounts()).containsExactly(3, 2, 2);
        float[] f = new float[8 * 8 * 3];
        ds.readInto(2, false, f, 0);
        byte[] px = TestData.randomImage(8, 8, 2).rgb();
        assertThat(f[5]).isEqualTo((px[5] & 0xff) / 127.5f - 1f);
        ds.readInto(2, true, f, 0);
        // Pixel (0, 0) of the flip is pixel (0, 7) of the original.
        assertThat(f[1]).isEqualTo((px[7 * 3 + 1] & 0xff) / 127.5f - 1f);
      }
    }
  }

  @Test
  void writerIsAtomicAndRefusesExistingDestination() throws IOException {
    Path dest = tmp.resolve("atomic");
    try (DatasetWriter w = DatasetWriter.create(dest, 4, List.of("a"))) {
      w.add(0, TestData.randomImage(4, 4, 0), 0);
      assertThat(dest).doesNotExist();
    }
    assertThat(dest).doesNotExist();
    try (var files = Files.list(tmp)) {
      assertThat(files).isEmpty();
    }
    TestData.write(dest, 1, 4, 1);
    assertThatThrownBy(() -> DatasetWriter.create(dest, 4, List.of("a")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("destination exists");
  }

  /** A ZIP laid out like EG3D's datasets: flat PNGs, labels are 25-float cameras, no extras. */
  @Test
  void readsEg3dZipWithCameraLabels() throws IOException {
    Path zip = tmp.resolve("eg3d.zip");
    StringBuilder json = new StringBuilder("{\"labels\": [");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (int i = 0; i < 3; i++) {
        String name = String.format("img%08d.png", i);
        out.putNextEntry(new ZipEntry(name));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        // Written by ImageIO (not our encoder) to exercise the general decoding path too.
        ImageIO.write(TestData.randomImage(16, 16, 10 + i).toBufferedImage(), "png", png);
        out.write(png.toByteArray());
        out.closeEntry();
        json.append(i > 0 ? "," : "").append("[\"").append(name).append("\", [");
        for (int k = 0; k < 25; k++) {
          json.append(k > 0 ? "," : "").append(i + k * 0.5);
        }
        json.append("]]");
      }
      json.append("]}");
      out.putNextEntry(new ZipEntry("dataset.json"));
      out.write(json.toString().getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    try (Dataset ds = Dataset.open(zip)) {
      assertThat(ds.size()).isEqualTo(3);
      assertThat(ds.numClasses()).isEqualTo(1);
      assertThat(ds.classOf(2)).isZero();
      assertThat(ds.cameraLabel(2)).get().satisfies(c -> {
        assertThat(c).hasSize(25);
        assertThat(c[0]).isEqualTo(2f);
        assertThat(c[24]).isEqualTo(2f + 12f);
      });
      assertThat(ds.image(1)).isEqualTo(TestData.randomImage(16, 16, 11));
      assertThat(ds.trueView(0)).isEmpty();
    }
  }

  @Test
  void folderWithoutDatasetJsonIsUnconditional() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("plain"));
    Files.write(dir.resolve("b.png"), Images.encodePng(TestData.randomImage(4, 4, 1)));
    Files.write(dir.resolve("a.png"), Images.encodePng(TestData.randomImage(4, 4, 0)));
    try (Dataset ds = Dataset.open(dir)) {
      assertThat(ds.size()).isEqualTo(2);
      assertThat(ds.path(0)).isEqualTo("a.png");
      assertThat(ds.numClasses()).isEqualTo(1);
    }
  }

  /** Every problem is reported together, one line each, naming the file; exit code 4. */
  @Test
  void validationListsEachProblemWithItsFile() throws IOException {
    Path dir = TestData.write(tmp.resolve("bad"), 6, 8, 2);
    Files.write(dir.resolve("00000/img00000001.png"), Images.encodePng(TestData.randomImage(4, 4, 1)));
    Files.write(dir.resolve("00000/img00000002.png"), Images.encodePng(TestData.randomImage(8, 6, 1)));
    Files.delete(dir.resolve("00000/img00000003.png"));
    Files.write(dir.resolve("00000/img00000004.png"), "not an image".getBytes(StandardCharsets.UTF_8));
    Path json = dir.resolve("dataset.json");
    String text = Files.readString(json).replace("[\"00000/img00000005.png\",1]",
        "[\"00000/img00000005.png\",7]");
    Files.writeString(json, text);
    assertThatThrownBy(() -> Dataset.open(dir))
        .isInstanceOf(DataException.class)
        .satisfies(e -> assertThat(((Wild3dException) e).exitCode()).isEqualTo(4))
        .hasMessageContaining("5 problems")
        .hasMessageContaining("00000/img00000001.png: mixed resolutions: expected 8x8 like 2 other "
            + "images, found 4x4")
        .hasMessageContaining("00000/img00000002.png: non-square image: expected width = height, "
            + "found 8x6")
        .hasMessageContaining("00000/img00000003.png: missing file")
        .hasMessageContaining("00000/img00000004.png: not a PNG file")
        .hasMessageContaining("00000/img00000005.png (labels[5]): label out of range: expected "
            + "class index in [0, 1] (2 class names in wild3d.class_names), found 7");
  }

  @Test
  void truncatedPngIsFoundByCheckAndByDecoding() throws IOException {
    Path dir = TestData.write(tmp.resolve("trunc"), 3, 16, 1);
    Path victim = dir.resolve("00000/img00000001.png");
    byte[] bytes = Files.readAllBytes(victim);
    Files.write(victim, Arrays.copyOf(bytes, bytes.length / 2));
    assertThat(Dataset.check(dir))
        .singleElement()
        .asString()
        .contains("00000/img00000001.png: corrupt or truncated image");
    try (Dataset ds = Dataset.open(dir)) {
      assertThat(ds.image(0)).isEqualTo(TestData.randomImage(16, 16, 0));
      assertThatThrownBy(() -> ds.image(1))
          .isInstanceOf(DataException.class)
          .hasMessageContaining("img00000001.png");
      assertThat(ds.image(2)).isEqualTo(TestData.randomImage(16, 16, 2));
    }
  }

  @Test
  void subsetIsSeededAndKeepsOrder() {
    Path p = TestData.write(tmp.resolve("sub"), 20, 4, 2);
    try (Dataset ds = Dataset.open(p)) {
      Dataset a = ds.subset(5, 0);
      Dataset b = ds.subset(5, 0);
      assertThat(a.size()).isEqualTo(5);
      for (int i = 0; i < 5; i++) {
        assertThat(a.path(i)).isEqualTo(b.path(i));
        if (i > 0) {
          assertThat(a.path(i)).isGreaterThan(a.path(i - 1));
        }
      }
      assertThat(ds.subset(0, 0)).isSameAs(ds);
    }
  }

  @Test
  void truncatedImageDecodingNamesFile() {
    RgbImage img = TestData.randomImage(5, 5, 3);
    byte[] png = Images.encodePng(img);
    assertThat(Images.decode(png, "x.png")).isEqualTo(img);
    assertThatThrownBy(() -> Images.decode(Arrays.copyOf(png, png.length - 20), "x.png"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("x.png: corrupt or truncated image");
  }
}
