package org.wild3d.invert;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.Version;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Configs;
import org.wild3d.config.LoadedConfig;
import org.wild3d.model.Snapshot;
import org.wild3d.model.TinyRuns;
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

  /** A tiny trained-like run (16², 3 classes) with a checkpoint. */
  private Path tinyRun(String name, String extra) {
    Path r = dir.resolve(name);
    LoadedConfig c = TinyRuns.config(dir.resolve("cache"), extra);
    TinyRuns.writeRun(r, c, 20, TinyRuns.Inputs.of(c.resolved(), 1), 1f);
    return r;
  }

  private static final String FAST = "invert { camera_candidates: 4 latent_starts: 2"
      + " stage1_steps: 4 stage2_steps: 3 perceptual_weight: 0 }";

  @Test
  void reconstructsAnImageIntoACompleteOutputDirectory() throws Exception {
    Path r = tinyRun("tiny", "");
    Path img = image16("obj.png");
    Path outDir = dir.resolve("recon");
    assertThat(run("--run", r.toString(), "--image", img.toString(), "--class", "1",
        "--out", outDir.toString(), "--override", FAST, "--threads", "2")).isZero();
    assertThat(out.toString()).contains("input-view PSNR", "perceptual network none");
    try (var files = Files.list(outDir)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(f -> !f.equals("mesh.ply"))
          .sorted().toList()).containsExactly(
          "depth.png", "generator", "input.png", "orbit.gif", "pivot.json", "reconstruction.png",
          "reconstruction_stage1.png", "report.json", "views.png");
    }
    BufferedImage views = ImageIO.read(outDir.resolve("views.png").toFile());
    assertThat(views.getWidth()).isEqualTo(8 * 16 + 7);
    assertThat(views.getHeight()).isEqualTo(2 * 16 + 1);
    assertThat(ImageIO.read(outDir.resolve("input.png").toFile()).getWidth()).isEqualTo(16);
    JsonObject pivot = JsonParser.parseString(Files.readString(outDir.resolve("pivot.json")))
        .getAsJsonObject();
    assertThat(pivot.get("class").getAsInt()).isEqualTo(1);
    assertThat(pivot.get("latent_space").getAsString()).isEqualTo("W");
    assertThat(pivot.getAsJsonArray("ws")).hasSize(pivot.get("num_ws").getAsInt() * 16);
    assertThat(pivot.getAsJsonObject("camera").getAsJsonArray("cam2world")).hasSize(16);
    assertThat(pivot.getAsJsonObject("camera").get("radius").getAsDouble())
        .isEqualTo(2.7, org.assertj.core.api.Assertions.within(1e-5));
    JsonObject report = JsonParser.parseString(Files.readString(outDir.resolve("report.json")))
        .getAsJsonObject();
    assertThat(report.get("perceptual_network").getAsString()).isEqualTo("none");
    // mesh.ply is written exactly when the tuned field has a surface at the level (a random
    // tiny generator may not); report.json says which, with σ's range on the grid.
    JsonObject mesh = report.getAsJsonObject("mesh");
    assertThat(mesh.get("resolution").getAsInt()).isEqualTo(128);
    assertThat(mesh.getAsJsonArray("sigma_range")).hasSize(2);
    assertThat(Files.exists(outDir.resolve("mesh.ply"))).isEqualTo(mesh.has("file"));
    if (mesh.has("file")) {
      assertThat(org.wild3d.raster.MeshFiles.load(outDir.resolve("mesh.ply")).triangles())
          .isEqualTo(mesh.get("faces").getAsInt());
    } else {
      assertThat(mesh.getAsJsonArray("sigma_range").get(1).getAsFloat()).isLessThanOrEqualTo(1f);
    }
    assertThat(report.getAsJsonObject("stage1").get("steps").getAsInt()).isEqualTo(4);
    assertThat(report.getAsJsonObject("stage2").get("steps").getAsInt()).isEqualTo(3);
    assertThat(report.get("psnr_input_view").getAsDouble()).isEqualTo(
        report.getAsJsonObject("stage2").get("psnr").getAsDouble());
    assertThat(report.getAsJsonObject("search").get("renders").getAsInt()).isEqualTo(4 + 4);
    // report.json and the log say which checkpoint was inverted
    Path ckpt = r.resolve("checkpoints/step-000000020");
    assertThat(report.get("checkpoint").getAsString()).isEqualTo(ckpt.toAbsolutePath().toString());
    assertThat(report.get("checkpoint_step").getAsLong()).isEqualTo(20);
    assertThat(report.get("checkpoint_verification").getAsString()).isEqualTo("verified");
    assertThat(out.toString()).startsWith("checkpoint: " + ckpt + " (step 20, verified)\n");
    if (mesh.has("file")) {
      assertThat(Files.readAllLines(outDir.resolve("mesh.ply"),
          java.nio.charset.StandardCharsets.ISO_8859_1)).contains("comment from the PTI-tuned"
          + " generator of checkpoint: " + ckpt + " (step 20, verified)");
    }
    // the tuned generator is a run directory that Snapshot opens (verified, architecture checked)
    try (Snapshot snap = Snapshot.open(outDir.resolve("generator"), 2)) {
      assertThat(snap.numClasses()).isEqualTo(3);
      assertThat(snap.checkpoint().manifest().extra()).containsKey("pti_source_checkpoint");
      assertThat(snap.checkpoint().verification().label()).isEqualTo("verified");
    }
  }

  @Test
  void aTruncatedNewestCheckpointIsSkippedSayingSoAndRefusedWhenNamed() throws Exception {
    Path r = tinyRun("tiny", "");
    LoadedConfig c = TinyRuns.config(dir.resolve("cache"), "");
    TinyRuns.writeRun(r, c, 10, TinyRuns.Inputs.of(c.resolved(), 1), 1f);
    Path newest = r.resolve("checkpoints/step-000000020");
    Path older = r.resolve("checkpoints/step-000000010");
    Path data = newest.resolve("variables.data-00000-of-00001");
    byte[] b = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(b, b.length / 3));
    Path img = image16("obj.png");
    String reason = "variables.data-00000-of-00001 is " + b.length / 3 + " bytes, the manifest"
        + " says " + b.length + " (truncated or damaged)";
    assertThat(run("--run", r.toString(), "--image", img.toString(), "--checkpoint",
        newest.toString(), "--out", dir.resolve("refused").toString(), "--override", FAST))
        .isEqualTo(4);
    assertThat(err.toString()).startsWith("wild3d-invert: checkpoint " + newest + ": " + reason
        + " (--checkpoint named it, so no other is used");
    assertThat(dir.resolve("refused")).doesNotExist();
    Path outDir = dir.resolve("recon");
    assertThat(run("--run", r.toString(), "--image", img.toString(), "--out", outDir.toString(),
        "--override", FAST, "--threads", "2")).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("checkpoint " + newest + ": " + reason
        + "; using step-000000010 instead\ncheckpoint: " + older + " (step 10, verified)\n");
    JsonObject report = JsonParser.parseString(Files.readString(outDir.resolve("report.json")))
        .getAsJsonObject();
    assertThat(report.get("checkpoint").getAsString()).isEqualTo(older.toAbsolutePath().toString());
    assertThat(report.get("checkpoint_step").getAsLong()).isEqualTo(10);
  }

  @Test
  @Tag("slow")
  void aNonEmptyOutIsRefusedWithoutForceAndReplacedWithIt() throws Exception {
    Path r = tinyRun("tiny", "");
    Path img = image16("obj.png");
    Path outDir = Files.createDirectories(dir.resolve("recon"));
    Files.writeString(outDir.resolve("keep.txt"), "x");
    assertThat(run("--run", r.toString(), "--image", img.toString(), "--out", outDir.toString(),
        "--override", FAST)).isEqualTo(2);
    assertThat(err.toString()).contains("--out: expected a new or empty directory, found a"
        + " non-empty directory at " + outDir + " (pass --force to replace it)");
    assertThat(outDir.resolve("keep.txt")).exists();
    assertThat(run("--run", r.toString(), "--image", img.toString(), "--out", outDir.toString(),
        "--override", FAST, "--force", "--latent-space", "W_PLUS")).isZero();
    assertThat(outDir.resolve("keep.txt")).doesNotExist();
    JsonObject p2 = JsonParser.parseString(Files.readString(outDir.resolve("pivot.json")))
        .getAsJsonObject();
    assertThat(p2.get("latent_space").getAsString()).isEqualTo("W_PLUS");
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".tmp-")))
          .isEmpty();
    }
  }

  @Test
  void badInputsExitWithTheirCodeAndWriteNothing() throws Exception {
    Path r = tinyRun("tiny", "");
    Path img = image16("obj.png");
    Path outDir = dir.resolve("nothing");

    Path text = dir.resolve("notes.png");
    Files.writeString(text, "not an image");
    assertThat(run("--run", r.toString(), "--image", text.toString(), "--out", outDir.toString(),
        "--override", FAST)).isEqualTo(4);
    assertThat(err.toString()).contains(text + ": expected a PNG or JPEG image");

    assertThat(run("--run", r.toString(), "--image", img.toString(), "--class", "3",
        "--out", outDir.toString(), "--override", FAST)).isEqualTo(2);
    assertThat(err.toString()).contains("--class: expected an index in 0..2 (the run has 3"
        + " classes), found 3");

    // a run whose config describes another architecture than its checkpoint
    Path other = tinyRun("other", "");
    Configs.writeRunConfigs(other, TinyRuns.config(dir.resolve("cache"),
        "model { decoder { hidden_dim: 8 } }"));
    Path ckpt = other.resolve("checkpoints").resolve("step-000000020");
    assertThat(run("--run", other.toString(), "--image", img.toString(), "--out",
        outDir.toString(), "--override", FAST)).isEqualTo(4);
    assertThat(err.toString()).contains("checkpoint " + ckpt.toAbsolutePath().normalize()
        + ": expected the architecture (model and render) of the config it is opened with, found"
        + " 1 field that differs:\n  model.decoder.hidden_dim: 16 in the checkpoint, 8 in the"
        + " config\n");

    assertThat(run("--run", r.toString(), "--image", img.toString(), "--out", outDir.toString(),
        "--override", "render { samples_stratified: 7 }")).as(err.toString()).isEqualTo(2);
    assertThat(err.toString()).contains("--override: expected changes to the invert { ... }"
        + " section only");
    assertThat(run("--run", r.toString(), "--image", img.toString(), "--out", outDir.toString(),
        "--override", "invert { stage1_steps: -1 }")).isEqualTo(3);
    assertThat(run("--run", r.toString(), "--dataset", dir.resolve("none").toString(), "--index",
        "0", "--out", outDir.toString())).isEqualTo(4);
    assertThat(run("--run", r.toString(), "--out", outDir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("expected exactly one of --image FILE or --dataset DIR");

    Path full = Files.createDirectories(dir.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "x");
    assertThat(run("--run", r.toString(), "--image", img.toString(), "--out", full.toString(),
        "--override", FAST)).isEqualTo(2);
    assertThat(err.toString()).contains("--out: expected a new or empty directory, found a"
        + " non-empty directory at " + full + " (pass --force to replace it)");
    assertThat(full.resolve("keep.txt")).exists();

    assertThat(outDir).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".tmp-")))
          .isEmpty();
    }
  }

  private Path image16(String name) throws Exception {
    BufferedImage img = new BufferedImage(24, 20, BufferedImage.TYPE_INT_RGB);
    for (int y = 6; y < 14; y++) {
      for (int x = 8; x < 16; x++) {
        img.setRGB(x, y, 0x3366cc);
      }
    }
    Path f = dir.resolve(name);
    assertThat(ImageIO.write(img, "png", f.toFile())).isTrue();
    return f;
  }
}
