package org.wild3d.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.image.Images;
import org.wild3d.image.Resize;
import org.wild3d.image.RgbImage;

class ImageFolderImporterTest {
  @TempDir Path tmp;
  Path root;

  /** A JPEG with 4 channels and an Adobe APP14 marker (transform 0): stored as inverted CMYK. */
  static byte[] cmykJpeg(int w, int h, int c, int m, int y, int k) throws IOException {
    WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    for (int j = 0; j < h; j++) {
      for (int i = 0; i < w; i++) {
        r.setPixel(i, j, new int[] {255 - c, 255 - m, 255 - y, 255 - k});
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bo)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(r, null, null), writer.getDefaultWriteParam());
    } finally {
      writer.dispose();
    }
    byte[] plain = bo.toByteArray();
    byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
    byte[] out = new byte[plain.length + app14.length];
    System.arraycopy(plain, 0, out, 0, 2);
    System.arraycopy(app14, 0, out, 2, app14.length);
    System.arraycopy(plain, 2, out, 2 + app14.length, plain.length - 2);
    return out;
  }

  static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, bo)).isTrue();
    return bo.toByteArray();
  }

  @BeforeEach
  void makeTree() throws IOException {
    root = tmp.resolve("src");
    Path cats = Files.createDirectories(root.resolve("n001cats"));
    Path dogs = Files.createDirectories(root.resolve("n002dogs"));
    Files.createDirectories(root.resolve("n003empty"));
    Files.write(cats.resolve("a_wide.png"), Images.encodePng(TestData.randomImage(20, 12, 1)));
    Files.write(cats.resolve("b_photo.jpg"), encode(TestData.randomImage(24, 24, 2)
        .toBufferedImage(), "jpeg"));
    BufferedImage gray = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(3, 2, 0, 77);
    Files.write(cats.resolve("c_gray.png"), encode(gray, "png"));
    BufferedImage alpha = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
    alpha.setRGB(1, 1, 0x80FF0000); // half-transparent red
    alpha.setRGB(2, 2, 0xFF00FF00);
    Files.write(cats.resolve("d_alpha.png"), encode(alpha, "png"));
    Files.write(cats.resolve("e_cmyk.jpg"), cmykJpeg(8, 8, 0, 255, 255, 0));
    byte[] junk = new byte[500];
    new java.util.Random(3).nextBytes(junk);
    junk[0] = (byte) 0xFF;
    junk[1] = (byte) 0xD8; // JPEG start marker, then garbage
    Files.write(cats.resolve("f_corrupt.jpg"), junk);
    byte[] png = Images.encodePng(TestData.randomImage(16, 16, 4));
    Files.write(cats.resolve("g_truncated.png"), Arrays.copyOf(png, png.length / 2));
    byte[] jpg = encode(TestData.randomImage(32, 32, 5).toBufferedImage(), "jpeg");
    Files.write(cats.resolve("h_truncated.jpg"), Arrays.copyOf(jpg, jpg.length / 2));
    Files.writeString(cats.resolve("readme.txt"), "not an image");
    Files.write(dogs.resolve("x.png"), Images.encodePng(TestData.randomImage(8, 8, 6)));
    Files.write(dogs.resolve("y.png"), Images.encodePng(TestData.randomImage(8, 8, 7)));
  }

  private ImageFolderImporter.Options options(Path dest, boolean strict) {
    return ImageFolderImporter.Options.of(root, dest, 8).withStrict(strict).withThreads(2);
  }

  @Test
  void importsGoodFilesAndListsEachBadOneWithItsReason() throws IOException {
    StringWriter log = new StringWriter();
    ImageFolderImporter.Result result =
        ImageFolderImporter.run(options(tmp.resolve("out.zip"), false), new PrintWriter(log, true));
    assertThat(result.images()).isEqualTo(7);
    assertThat(result.classNames()).containsExactly("n001cats", "n002dogs");
    assertThat(result.ignoredFiles()).isEqualTo(1);
    assertThat(result.skipped()).hasSize(4);
    assertThat(String.join("\n", result.skipped()))
        .contains("n003empty/: empty class folder")
        .contains("n001cats/f_corrupt.jpg: corrupt or truncated image")
        .contains("n001cats/g_truncated.png: corrupt or truncated image")
        .contains("n001cats/h_truncated.jpg: corrupt or truncated image (Truncated File");
    assertThat(log.toString()).contains("skipped: n001cats/f_corrupt.jpg");

    // Round trip: every pixel and label as the importer's own pipeline computes it.
    String[] good = {"a_wide.png", "b_photo.jpg", "c_gray.png", "d_alpha.png", "e_cmyk.jpg"};
    try (Dataset ds = Dataset.open(result.dest()); PhotoDecoder decoder = new PhotoDecoder()) {
      assertThat(ds.size()).isEqualTo(7);
      assertThat(ds.resolution()).isEqualTo(8);
      for (int i = 0; i < good.length; i++) {
        assertThat(ds.classOf(i)).isZero();
        Path f = root.resolve("n001cats/" + good[i]);
        RgbImage expected = Resize.cropAndResize(
            decoder.decode(Files.readAllBytes(f), f.toString(), 8).image(), 8);
        assertThat(ds.image(i)).as(good[i]).isEqualTo(expected);
      }
      // 8x8 sources are copied exactly.
      assertThat(ds.image(5)).isEqualTo(TestData.randomImage(8, 8, 6));
      assertThat(ds.image(6)).isEqualTo(TestData.randomImage(8, 8, 7));
      assertThat(ds.classOf(6)).isEqualTo(1);
      // Grayscale is replicated without a gamma change.
      RgbImage g = ds.image(2);
      assertThat(new int[] {g.get(2, 3, 0), g.get(2, 3, 1), g.get(2, 3, 2)}).containsExactly(77, 77, 77);
      // Alpha is composited over black.
      RgbImage a = ds.image(3);
      assertThat(new int[] {a.get(1, 1, 0), a.get(1, 1, 1), a.get(2, 2, 1), a.get(0, 0, 0)})
          .containsExactly(128, 0, 255, 0);
      // CMYK (0, 1, 1, 0) is red.
      RgbImage c = ds.image(4);
      assertThat(c.get(4, 4, 0)).isGreaterThan(200);
      assertThat(c.get(4, 4, 1)).isLessThan(60);
      assertThat(c.get(4, 4, 2)).isLessThan(60);
      assertThat(ds.extras().getAsJsonObject("source").getAsJsonArray("class_folders").size())
          .isEqualTo(2);
    }
  }

  @Test
  void strictFailsListingEveryProblemAndWritesNothing() {
    Path dest = tmp.resolve("strict");
    StringWriter log = new StringWriter();
    assertThatThrownBy(() -> ImageFolderImporter.run(options(dest, true),
        new PrintWriter(log, true)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("4 problems")
        .hasMessageContaining("n003empty/: empty class folder (no jpg/jpeg/png/bmp/gif images)\n")
        .hasMessageContaining("n001cats/f_corrupt.jpg: corrupt or truncated image")
        .hasMessageContaining("n001cats/g_truncated.png: corrupt or truncated image")
        .hasMessageContaining("n001cats/h_truncated.jpg: corrupt or truncated image")
        .hasMessageNotContaining("skipped");
    assertThat(log.toString()).contains("problem: n003empty/").contains("problem: n001cats/f_")
        .doesNotContain("skipped");
    assertThat(dest).doesNotExist();
  }

  @Test
  void strictFailsOnCorruptFilesWithTheirNames() throws IOException {
    Files.delete(root.resolve("n003empty"));
    Path dest = tmp.resolve("strict2");
    assertThatThrownBy(() -> ImageFolderImporter.run(options(dest, true), null))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("3 problems")
        .hasMessageContaining("n001cats/f_corrupt.jpg")
        .hasMessageContaining("n001cats/g_truncated.png")
        .hasMessageContaining("n001cats/h_truncated.jpg");
    assertThat(dest).doesNotExist();
    try (var files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("src");
    }
  }

  @Test
  void classNamesFileAndPerClassCap() throws IOException {
    Path names = tmp.resolve("names.txt");
    Files.writeString(names, "n001cats tabby cat, Felis catus\nn002dogs dog\n");
    ImageFolderImporter.Result r = ImageFolderImporter.run(ImageFolderImporter.Options.of(
        root, tmp.resolve("capped"), 4).withClassNames(names).withMaxPerClass(1).withThreads(1),
        null);
    assertThat(r.classNames()).containsExactly("tabby cat, Felis catus", "dog");
    assertThat(r.images()).isEqualTo(2);
    try (Dataset ds = Dataset.open(r.dest())) {
      assertThat(ds.classNames()).isEqualTo(List.of("tabby cat, Felis catus", "dog"));
      assertThat(ds.resolution()).isEqualTo(4);
    }
  }
}
