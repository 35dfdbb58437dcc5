package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.LoadedConfig;
import org.wild3d.model.TinyRuns;

class RenderCommandTest extends EvalCliTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path run;

  @BeforeAll
  static void tinyRun() {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("cache"), "");
    run = shared.resolve("run");
    TinyRuns.writeRun(run, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
  }

  private String[] args(Path outDir) {
    return new String[] {"render", "--run", run.toString(), "--seeds", "0-1", "--classes", "0,2",
        "--views", "3", "--rings", "1", "--frames", "4", "--scale", "2", "--out",
        outDir.toString()};
  }

  @Test
  void writesGridsLegendAndOrbitsDeterministically() throws Exception {
    Path a = dir.resolve("a");
    assertThat(run(args(a))).as(err.toString()).isZero();
    // 2 rows (classes) × 6 columns (2 seeds × 3 views) of 16² tiles, 1 px apart, enlarged 2×.
    BufferedImage grid = ImageIO.read(a.resolve("grid.png").toFile());
    assertThat(grid.getWidth()).isEqualTo((6 * 16 + 5) * 2);
    assertThat(grid.getHeight()).isEqualTo((2 * 16 + 1) * 2);
    BufferedImage depth = ImageIO.read(a.resolve("depth.png").toFile());
    assertThat(depth.getWidth()).isEqualTo(grid.getWidth());
    assertThat(ImageIO.read(a.resolve("opacity.png").toFile()).getHeight())
        .isEqualTo(grid.getHeight());
    String legend = Files.readString(a.resolve("depth.json"));
    assertThat(legend).contains("\"near\":", "\"far\":", "white = near",
        "rows = classes [0, 2], columns = seeds [0, 1] x 3 views");
    for (String stem : new String[] {"seed0000-class00", "seed0001-class00", "seed0000-class02",
        "seed0001-class02"}) {
      Path gif = a.resolve("orbit-" + stem + ".gif");
      assertThat(gifFrames(gif)).as(stem).isEqualTo(8); // (1 ring + the polar loop) × 4
    }
    assertThat(err.toString()).contains("render 4/4 seed0001-class02: 3 views, 8 frames");
    assertThat(out.toString()).contains("2 rows (classes [0, 2]) x 6 columns");

    // The same again, naming the (only) checkpoint explicitly: the same bytes.
    Path b = dir.resolve("b");
    String[] withCheckpoint = java.util.Arrays.copyOf(args(b), args(b).length + 2);
    withCheckpoint[withCheckpoint.length - 2] = "--checkpoint";
    withCheckpoint[withCheckpoint.length - 1] =
        run.resolve("checkpoints/step-000000003").toString();
    assertThat(run(withCheckpoint)).as(err.toString()).isZero();
    for (String f : new String[] {"grid.png", "depth.png", "opacity.png", "depth.json",
        "orbit-seed0001-class02.gif"}) {
      assertThat(Files.readAllBytes(b.resolve(f))).as(f)
          .isEqualTo(Files.readAllBytes(a.resolve(f)));
    }
  }

  @Test
  void depthGreyIsWhiteNearBlackFarAndEmptyIsBlack() {
    float[] grey = RenderCommand.depthToGrey(new float[] {2f, 3f, 2.5f, 2f},
        new float[] {1f, 1f, 1f, 0f}, 2f, 3f);
    assertThat(grey[0]).isEqualTo(1f);
    assertThat(grey[1]).isEqualTo(-1f);
    assertThat(grey[2]).isCloseTo(0f, within(1e-6f));
    assertThat(grey[3]).isEqualTo(-1f);
    float[] range = RenderCommand.depthRange(new float[][] {{2.2f, 2.9f, 1.9f}},
        new float[][] {{0.9f, 0.6f, 0.1f}}, 1.8f, 3.6f);
    assertThat(range).containsExactly(2.2f, 2.9f); // the transparent pixel does not count
    assertThat(RenderCommand.depthRange(new float[][] {{2f}}, new float[][] {{0f}}, 1.8f, 3.6f))
        .containsExactly(1.8f, 3.6f);
  }

  @Test
  void missingRunIsExitFourAndBadSeedsExitTwo() {
    Path missing = dir.resolve("nothing-here");
    assertThat(run("render", "--run", missing.toString(), "--seeds", "0", "--out",
        dir.resolve("o").toString())).isEqualTo(4);
    assertThat(err.toString()).contains(missing.toString());
    assertThat(run("render", "--run", run.toString(), "--seeds", "0-x", "--out",
        dir.resolve("o").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--seeds: expected", "'0-x'");
    assertThat(run("render", "--run", run.toString(), "--seeds", "0", "--views", "0", "--out",
        dir.resolve("o").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--views: expected 1..64, found 0");
    assertThat(dir.resolve("o")).doesNotExist();
  }

  private static int gifFrames(Path gif) throws Exception {
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
      try {
        r.setInput(in);
        return r.getNumImages(true);
      } finally {
        r.dispose();
      }
    }
  }
}
