package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.data.Dataset;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;
import org.wild3d.cli.Cli;
import picocli.CommandLine;

class DatasetCommandTest {
  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Cli.commandLine(new DatasetCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private static RgbImage image(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    return new RgbImage(w, h, px);
  }

  private Path tree() throws IOException {
    Path src = tmp.resolve("src");
    Files.createDirectories(src.resolve("a"));
    Files.createDirectories(src.resolve("b"));
    Files.write(src.resolve("a/1.png"), Images.encodePng(image(8, 8, 1)));
    Files.write(src.resolve("b/2.png"), Images.encodePng(image(8, 8, 2)));
    byte[] png = Images.encodePng(image(8, 8, 3));
    Files.write(src.resolve("b/3.png"), Arrays.copyOf(png, png.length - 9));
    return src;
  }

  @Test
  void importWritesADatasetAndListsSkippedFiles() throws IOException {
    Path src = tree();
    int code = run("import", src.toString(), tmp.resolve("ds.zip").toString(), "--resolution", "8");
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("skipped: b/3.png: corrupt or truncated image")
        .contains("2 images, 2 classes, 1 skipped");
    try (Dataset ds = Dataset.open(tmp.resolve("ds.zip"))) {
      assertThat(ds.image(0)).isEqualTo(image(8, 8, 1));
      assertThat(ds.image(1)).isEqualTo(image(8, 8, 2));
      assertThat(ds.classOf(1)).isEqualTo(1);
    }
    assertThat(run("info", tmp.resolve("ds.zip").toString())).isZero();
    assertThat(out.toString()).contains("images: 2").contains("resolution: 8x8");
    assertThat(run("check", tmp.resolve("ds.zip").toString())).isZero();
  }

  @Test
  void strictImportAndBadDatasetsExitWith4() throws IOException {
    Path src = tree();
    assertThat(run("import", src.toString(), tmp.resolve("s").toString(), "--resolution", "8",
        "--strict")).isEqualTo(4);
    assertThat(err.toString()).contains("b/3.png: corrupt or truncated image");
    assertThat(tmp.resolve("s")).doesNotExist();

    assertThat(run("import", src.toString(), tmp.resolve("d").toString(), "--resolution", "8"))
        .isZero();
    Path victim = tmp.resolve("d/00000/img00000001.png");
    Files.write(victim, Arrays.copyOf(Files.readAllBytes(victim), 40));
    assertThat(run("check", tmp.resolve("d").toString())).isEqualTo(4);
    assertThat(err.toString()).contains("00000/img00000001.png: corrupt or truncated image")
        .contains("dataset: dataset " + tmp.resolve("d") + ": 1 images do not decode:\n")
        .doesNotContain("error:");
    Files.delete(victim);
    assertThat(run("info", tmp.resolve("d").toString())).isEqualTo(4);
    assertThat(err.toString()).contains("00000/img00000001.png: missing file");
  }

  /** A folder dataset of 8x8 PNGs {@code a.png, b.png, ...} and the given dataset.json. */
  private Path labelled(String name, String json, byte[]... pngs) throws IOException {
    Path ds = Files.createDirectories(tmp.resolve(name));
    for (int i = 0; i < pngs.length; i++) {
      Files.write(ds.resolve((char) ('a' + i) + ".png"), pngs[i]);
    }
    Files.writeString(ds.resolve("dataset.json"), json);
    return ds;
  }

  private static byte[] png(long seed) {
    return Images.encodePng(image(8, 8, seed));
  }

  /** Exit code and stderr of info and of check on {@code ds}; both must refuse it with 4. */
  private String refusedByInfoAndCheck(Path ds) {
    err.getBuffer().setLength(0);
    assertThat(run("info", ds.toString())).as(err.toString()).isEqualTo(4);
    String info = err.toString();
    err.getBuffer().setLength(0);
    assertThat(run("check", ds.toString())).as(err.toString()).isEqualTo(4);
    assertThat(err.toString()).isEqualTo(info);
    assertThat(out.toString()).doesNotContain("ok:").doesNotContain("images:");
    return info;
  }

  /** Labels naming files outside the dataset (valid PNGs there) are refused by info and check. */
  @Test
  void labelsLeadingOutOfTheDatasetExitWith4NamingTheLabel() throws IOException {
    Files.write(tmp.resolve("outside.png"), png(9));
    Path up = labelled("up", "{\"labels\": [[\"a.png\", 0], [\"../outside.png\", 0]]}", png(1));
    assertThat(refusedByInfoAndCheck(up)).isEqualTo("dataset: dataset " + up + ": 1 problem (fix "
        + "or remove these files and their labels):\n  \"../outside.png\" (labels[1]): expected a "
        + "relative path inside the dataset, found a '..' segment (dataset.json labels; move or "
        + "copy the file into the dataset and name it by its path relative to the dataset root, "
        + "e.g. 00000/img00000000.png)\n");
    String abs = tmp.resolve("outside.png").toAbsolutePath().toString();
    Path absolute = labelled("abs", "{\"labels\": [[\"a.png\", 0], [\"" + abs + "\", 0]]}",
        png(1));
    assertThat(refusedByInfoAndCheck(absolute)).contains("\"" + abs + "\" (labels[1]): expected "
        + "a relative path inside the dataset, found an absolute path");
    Path passwd = labelled("passwd",
        "{\"labels\": [[\"../../../../../../etc/passwd\", 0]]}", png(1));
    assertThat(refusedByInfoAndCheck(passwd)).contains("\"../../../../../../etc/passwd\" "
        + "(labels[0]): expected a relative path inside the dataset, found a '..' segment")
        .doesNotContain("not a PNG");
    Path link = labelled("link", "{\"labels\": [[\"a.png\", 0], [\"b.png\", 0]]}", png(1));
    Files.createSymbolicLink(link.resolve("b.png"), tmp.resolve("outside.png"));
    assertThat(refusedByInfoAndCheck(link)).contains("b.png (labels[1]): expected a relative path "
        + "inside the dataset, found a symbolic link leading to "
        + tmp.resolve("outside.png").toRealPath() + ", outside " + link.toRealPath());
  }

  /** One label 99 in a 2-class dataset: refused naming the file and label, not 100 classes. */
  @Test
  void aStrayLabelExitsWith4InsteadOfMakingABiggerDataset() throws IOException {
    Path ds = labelled("stray", "{\"labels\": [[\"a.png\", 0], [\"b.png\", 1], [\"c.png\", 99]]}",
        png(1), png(2), png(3));
    assertThat(refusedByInfoAndCheck(ds))
        .contains("dataset.json labels: class indices must be dense: expected images for every "
            + "class 0..99 (the largest label is 99), found none for classes 2-98")
        .contains("c.png (labels[2]): label 99 is beyond class 2, which has no images")
        .doesNotContain("classes: 100");
    // Declared by the class list: classes without images are a fact in info, not an error.
    Path declared = labelled("declared", "{\"labels\": [[\"a.png\", 0], [\"b.png\", 1]], "
        + "\"wild3d\": {\"class_names\": [\"cat\", \"dog\", \"cow\"]}}", png(1), png(2));
    assertThat(run("info", declared.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("classes: 3\n").containsPattern("2 cow +0 images");
  }

  @Test
  void aDatasetJsonThatIsNotUtf8ExitsWith4InWords() throws IOException {
    Path ds = Files.createDirectories(tmp.resolve("latin1"));
    Files.write(ds.resolve("a.png"), png(1));
    Files.write(ds.resolve("dataset.json"), "{\"labels\": [[\"caf\u00e9.png\", 0]]}"
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThat(refusedByInfoAndCheck(ds)).isEqualTo("dataset: " + ds + "/dataset.json: cannot read "
        + "(not UTF-8 text (byte 0xE9 at line 1, column 18; save the file as UTF-8))\n");
  }

  private static byte[] imageIo(java.awt.image.BufferedImage img) throws IOException {
    java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
    assertThat(javax.imageio.ImageIO.write(img, "png", bo)).isTrue();
    return bo.toByteArray();
  }

  /** Grayscale, 16-bit and RGBA PNGs are read as RGB, and info and check say which are there. */
  @Test
  void infoAndCheckReportTheColourKindsFound() throws IOException {
    java.awt.image.BufferedImage gray = new java.awt.image.BufferedImage(8, 8,
        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(1, 2, 0, 77);
    java.awt.image.BufferedImage gray16 = new java.awt.image.BufferedImage(8, 8,
        java.awt.image.BufferedImage.TYPE_USHORT_GRAY);
    gray16.getRaster().setSample(1, 2, 0, 65535);
    java.awt.image.BufferedImage rgba = new java.awt.image.BufferedImage(8, 8,
        java.awt.image.BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(1, 2, 0x80FF0000);
    Path ds = labelled("colours", "{\"labels\": [[\"a.png\", 0], [\"b.png\", 0], [\"c.png\", 0], "
        + "[\"d.png\", 0], [\"e.png\", 0]]}", png(1), png(2), imageIo(gray), imageIo(gray16),
        imageIo(rgba));
    assertThat(run("info", ds.toString())).as(err.toString()).isZero();
    String colour = "colour: 2 RGB, 1 grayscale, 1 grayscale 16-bit, 1 RGBA (converted to RGB on "
        + "read: grey replicated to RGB, 16-bit samples scaled to 8 bits, alpha composited over "
        + "black)\n";
    assertThat(out.toString()).contains("resolution: 8x8\n" + colour);
    assertThat(run("check", ds.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("ok: every image of " + ds + " decodes\n" + colour);
    try (Dataset d = Dataset.open(ds)) {
      assertThat(d.image(2).get(2, 1, 0)).isEqualTo(77);
      assertThat(d.image(3).get(2, 1, 1)).isEqualTo(255);
      assertThat(new int[] {d.image(4).get(2, 1, 0), d.image(4).get(2, 1, 1)})
          .containsExactly(128, 0);
    }
  }

  /** --strict lists every problem (an empty class folder and a corrupt file), like the plain run. */
  @Test
  void strictImportListsEveryProblem() throws IOException {
    Path src = tree();
    Files.createDirectories(src.resolve("c_empty"));
    assertThat(run("import", src.toString(), tmp.resolve("s").toString(), "--resolution", "8",
        "--strict")).isEqualTo(4);
    assertThat(err.toString()).contains("2 problems")
        .contains("\n  c_empty/: empty class folder (no jpg/jpeg/png/bmp/gif images)\n")
        .contains("\n  b/3.png: corrupt or truncated image");
    assertThat(tmp.resolve("s")).doesNotExist();
  }

  @Test
  void shapesAndBench() {
    Path dest = tmp.resolve("shapes");
    assertThat(run("shapes", dest.toString(), "--resolution", "16", "--images-per-class", "2",
        "--classes", "cube,torus")).as(err.toString()).isZero();
    assertThat(run("bench", dest.toString(), "--batch", "2", "--batches", "5")).isZero();
    assertThat(out.toString()).containsPattern("reader: 5 batches of 2 at 16x16 in .* batches/s");
    assertThat(run("shapes", tmp.resolve("x").toString(), "--classes", "teapot")).isEqualTo(3);
    assertThat(err.toString()).contains("teapot");
    assertThat(run()).isEqualTo(2);
  }
}
