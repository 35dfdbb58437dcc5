package org.wild3d.invert;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.Version;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Configs;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path run;
  private Path png;

  @BeforeEach
  void setUp() throws Exception {
    run = Files.createDirectory(dir.resolve("00000-shapes-tiny"));
    Configs.writeRunConfigs(run, ConfigLoader.loadDefault(List.of()));
    png = image("photo.png", "png");
  }

  private Path image(String name, String format) throws Exception {
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    img.setRGB(3, 4, 0xff8800);
    Path f = dir.resolve(name);
    assertThat(ImageIO.write(img, format, f.toFile())).isTrue();
    return f;
  }

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private int invert(Path runDir, Path img) {
    return run("--run", runDir.toString(), "--image", img.toString(),
        "--out", dir.resolve("out").toString());
  }

  @Test
  void versionAndHelpExitZero() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("wild3d-invert " + Version.get());
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("--run=RUN", "--image=IMG", "--out=DIR");
  }

  @Test
  void missingImageExitsTwoNamingIt() {
    Path missing = dir.resolve("nope.jpg");
    assertThat(invert(run, missing)).isEqualTo(2);
    assertThat(err.toString()).contains("--image: expected an image file, found nothing at "
        + missing);
    assertThat(run("--run", run.toString())).isEqualTo(2);
  }

  @Test
  void undecodableImageExitsFourNamingIt() throws Exception {
    Path text = dir.resolve("photo.jpg");
    Files.writeString(text, "not an image");
    assertThat(invert(run, text)).isEqualTo(4);
    assertThat(err.toString()).contains(text + ": expected a PNG or JPEG image, found data that "
        + "is not a known image format");

    Path truncated = dir.resolve("cut.png");
    byte[] bytes = Files.readAllBytes(png);
    Files.write(truncated, Arrays.copyOf(bytes, 40));
    assertThat(invert(run, truncated)).isEqualTo(4);
    assertThat(err.toString()).contains(truncated + ": expected a PNG or JPEG image");

    Path gif = image("anim.gif", "gif");
    assertThat(invert(run, gif)).isEqualTo(4);
    assertThat(err.toString()).contains(gif + ": expected a PNG or JPEG image, found a gif image");
  }

  @Test
  void runWithoutResolvedConfigExitsFour() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty-run"));
    assertThat(invert(empty, png)).isEqualTo(4);
    assertThat(err.toString()).contains(empty.resolve(Configs.RESOLVED_FILE).toString());
  }

  @Test
  void validInputsAreCheckedThenReconstructionIsSaidToBeMissing() throws Exception {
    assertThat(invert(run, png)).isEqualTo(1);
    assertThat(err.toString()).contains("inputs are valid (run " + run
        + ": 6 classes at 32x32; image " + png + ": 40x30)")
        .contains("lands with the inversion issue");
    assertThat(invert(run, image("photo.jpg", "jpeg"))).isEqualTo(1);
    assertThat(dir.resolve("out")).doesNotExist();
  }
}
