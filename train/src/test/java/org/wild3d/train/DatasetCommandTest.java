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
