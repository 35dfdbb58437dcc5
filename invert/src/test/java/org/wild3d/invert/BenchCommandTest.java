package org.wild3d.invert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wild3d.config.ConfigLoader;
import org.wild3d.model.GeneratedImages;
import org.wild3d.raster.Rendering;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

class BenchCommandTest {
  private static BenchCommand command() {
    BenchCommand b = new BenchCommand();
    CommandLine cl = new CommandLine(b);
    b.spec = cl.getCommandSpec();
    b.dataset = Path.of("ds");
    return b;
  }

  @Test
  void indicesAreRangesAndListsWithinTheDataset() {
    assertThat(command().parseIndices("0-2, 5,7-7", 10)).containsExactly(0, 1, 2, 5, 7);
    assertThatThrownBy(() -> command().parseIndices("0-10", 10))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--indices: expected indices in 0..9 (10 images in ds), found 10");
    assertThatThrownBy(() -> command().parseIndices("a-b", 10))
        .isInstanceOf(ParameterException.class).hasMessageContaining("found 'a-b'");
  }

  @Test
  void silhouetteIouAndDepthErrorKnownAnswers() {
    // 2x2 rendering, 2x2 truth; view 1 of two
    float[] opacity = {0, 0, 0, 0, 1, 1, 0, 0.6f};
    float[] depth = {0, 0, 0, 0, 2.0f, 2.5f, 0, 3.0f};
    float[] sil = {1, 0, 0, 1};
    float[] tDepth = {2.2f, 0, 0, 2.0f};
    assertThat(BenchCommand.iou(opacity, 1, sil, 2, 2)).isCloseTo(2.0 / 3, within(1e-12));
    GeneratedImages v = new GeneratedImages(new float[2 * 12], depth, opacity, 2, 2, 2);
    Rendering truth = new Rendering(null, tDepth, sil);
    assertThat(BenchCommand.depthError(v, 1, truth, 2, 2)).isCloseTo((0.2 + 1.0) / 2,
        within(1e-6));
  }

  @Test
  void summaryRowsAreMeanAndMedian() {
    BenchCommand.Row a = new BenchCommand.Row(0, 1, 1, 10, 12, 1, new double[] {20, 30},
        new double[] {15, 16}, new double[] {0.5, 0.6}, new double[] {0.1, 0.2},
        new double[] {0.9, 0.95}, 5, 3);
    BenchCommand.Row b = new BenchCommand.Row(1, 2, 0, 30, 40, 5, new double[] {22, 34},
        new double[] {17, 18}, new double[] {0.7, 0.8}, new double[] {0.3, 0.4},
        new double[] {0.7, 0.75}, 7, 5);
    BenchCommand.Row c = new BenchCommand.Row(2, 2, 2, 100, 90, 3, new double[] {21, 31},
        new double[] {16, 17}, new double[] {0.6, 0.7}, new double[] {0.2, 0.3},
        new double[] {0.8, 0.85}, 6, 4);
    String md = BenchCommand.markdown(List.of(a, b, c),
        ConfigLoader.loadDefault(List.of()).resolved(), "none");
    assertThat(md).contains("| 1 | 2/0 | 30.0 | 5.0 | 22.00 | 34.00 |")
        .contains("| **mean** | 2/3 same | 46.7 | 3.0 | 21.00 | 31.67 |")
        .contains("| **median** | 2/3 same | 30.0 | 3.0 | 21.00 | 31.00 |");
  }

  @Test
  void depthTilesAreNearBrightWeightedByOpacity() {
    float[] depth = {1, 2, 3, 9};
    float[] opacity = {1, 0.5f, 1, 0.2f};
    float[] t = OutputWriter.depthTile(depth, opacity, 0, 2, 1, 3);
    assertThat(t).containsExactly(new float[] {1, -0.5f, -1, -1}, within(1e-6f));
    var ring = OutputWriter.orbit(new SphereCamera.Angles(0.2, 0.3, 0, 2.7), 12, 4);
    assertThat(ring).hasSize(4);
    assertThat(SphereCamera.viewpointErrorDegrees(ring[0].cam2world(), ring[2].cam2world()))
        .isCloseTo(180 - 2 * Math.toDegrees(0.3), within(1e-6));
  }
}
