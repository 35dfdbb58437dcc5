package org.wild3d.configs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Experiment;
import org.wild3d.config.LoadedConfig;
import org.wild3d.config.Model;
import org.wild3d.config.MultiView;

/** Every shipped experiment parses and validates; the benchmark sizes are exactly the notes'. */
class ShippedConfigsTest {
  /** The configs module's folder, which holds the *.pbtxt files (tests run from there). */
  private static final Path DIR = Path.of(System.getProperty("basedir", "."));

  /** Experiments: configs/*.pbtxt and the ablation variants configs/ablation/*.pbtxt. */
  static Stream<Path> shipped() throws Exception {
    try (Stream<Path> files = Files.list(DIR); Stream<Path> ablation = Files.list(
        DIR.resolve("ablation"))) {
      return Stream.concat(files, ablation).filter(p -> p.toString().endsWith(".pbtxt"))
          .sorted().toList().stream();
    }
  }

  private static Experiment load(String name) {
    return ConfigLoader.load(DIR.resolve(name + ".pbtxt"), List.of()).resolved();
  }

  @ParameterizedTest
  @MethodSource("shipped")
  void parsesAndValidates(Path file) throws Exception {
    LoadedConfig c = ConfigLoader.load(file, List.of());
    String stem = file.getFileName().toString().replace(".pbtxt", "");
    assertThat(c.resolved().getName()).isEqualTo(stem);
    assertThat(Files.readString(file)).as("header comment of %s", file).startsWith("# " + stem
        + ": ");
  }

  @Test
  void everyPromisedConfigShips() throws Exception {
    assertThat(shipped().map(p -> p.getFileName().toString())).contains(
        "shapes-tiny.pbtxt", "shapes-64.pbtxt", "furniture-64.pbtxt", "imagenet-128.pbtxt",
        "imagenet-256.pbtxt", "eg3d-imagenet-128.pbtxt", "eg3d-imagenet-256.pbtxt",
        "shapenet-128.pbtxt", "bench-tiny.pbtxt", "bench-small.pbtxt", "stamps-32.pbtxt");
  }

  @Test
  void embeddedDefaultIsShapesTinyVerbatim() throws Exception {
    assertThat(ConfigLoader.defaultText())
        .isEqualTo(Files.readString(DIR.resolve("shapes-tiny.pbtxt")));
  }

  @Test
  void eg3dBaselinesDifferFromThePaperSettingOnlyInItsThreeChanges() {
    for (String res : List.of("128", "256")) {
      Experiment paper = load("imagenet-" + res);
      Experiment eg3d = load("eg3d-imagenet-" + res);
      assertThat(paper.getModel().getMultiview().getViews()).isGreaterThan(1);
      assertThat(paper.getModel().getSynthesis().getExtraBlocks()).isGreaterThan(0);
      assertThat(paper.getModel().getDecoder().getNumHiddenLayers()).isGreaterThan(1);
      Experiment.Builder b = paper.toBuilder().setName(eg3d.getName());
      b.getModelBuilder().getMultiviewBuilder().setViews(1);
      b.getModelBuilder().getSynthesisBuilder().setExtraBlocks(0);
      b.getModelBuilder().getDecoderBuilder().setNumHiddenLayers(1);
      assertThat(eg3d).isEqualTo(b.build());
      assertThat(paper.getModel().getNumClasses()).isEqualTo(1000);
      assertThat(paper.getData().getPath()).isEqualTo("data/imagenet-" + res + ".zip");
      assertThat(paper.getModel().getSuperres().getOutputResolution())
          .isEqualTo(Integer.parseInt(res));
    }
  }

  @Test
  void benchSizesAreThoseOfThePerformanceNotes() {
    checkBench(load("bench-tiny"), 128, 32, 16, 128, 32, 16);
    checkBench(load("bench-small"), 256, 64, 32, 256, 64, 24);
  }

  private static void checkBench(Experiment e, int zw, int planeRes, int planeCh, int channels,
      int renderRes, int samples) {
    Model m = e.getModel();
    assertThat(e.getTrain().getBatchSize()).isEqualTo(8);
    assertThat(m.getNumClasses()).isEqualTo(6);
    assertThat(m.getMapping().getZDim()).isEqualTo(zw);
    assertThat(m.getMapping().getWDim()).isEqualTo(zw);
    assertThat(m.getMapping().getNumLayers()).isEqualTo(2);
    assertThat(m.getTriplane().getResolution()).isEqualTo(planeRes);
    assertThat(m.getTriplane().getChannels()).isEqualTo(planeCh);
    // The same channel count at every synthesis resolution 4 .. R.
    for (int r = 4; r <= planeRes; r *= 2) {
      assertThat(Math.min(m.getSynthesis().getChannelBase() / r,
          m.getSynthesis().getChannelMax())).isEqualTo(channels);
    }
    assertThat(m.getSynthesis().getExtraBlocks()).isZero();
    for (int r = 4; r <= renderRes; r *= 2) {
      assertThat(Math.min(m.getDiscriminator().getChannelBase() / r,
          m.getDiscriminator().getChannelMax())).isEqualTo(channels);
    }
    assertThat(m.getDecoder().getFeatureDim()).isEqualTo(3);
    assertThat(m.getDecoder().getNumHiddenLayers()).isEqualTo(1);
    assertThat(m.getDecoder().getHiddenDim()).isEqualTo(64);
    assertThat(m.getSuperres().getOutputResolution()).isZero();
    assertThat(e.getRender().getResolution()).isEqualTo(renderRes);
    assertThat(e.getData().getResolution()).isEqualTo(renderRes);
    assertThat(e.getRender().getSamplesStratified()).isEqualTo(samples);
    assertThat(e.getRender().getSamplesImportance()).isEqualTo(samples);
    assertThat(e.getCamera().getRadius()).isEqualTo(2.7f);
    double focal = 0.5 / Math.tan(Math.toRadians(e.getCamera().getFovDegrees()) / 2);
    assertThat(focal).isCloseTo(4.2647, within(1e-4));
    assertThat(e.getCamera().getPolarMaxDeg() - e.getCamera().getPolarMinDeg()).isEqualTo(180f);
    assertThat(e.getTrain().getR1Gamma()).isEqualTo(1f);
    assertThat(e.getTrain().getR1Interval()).isEqualTo(16);
    assertThat(e.getTrain().getDensityRegInterval()).isEqualTo(4);
    assertThat(m.getMultiview().getViews()).isEqualTo(1);
    assertThat(m.getMultiview().getFusion()).isEqualTo(MultiView.Fusion.PER_VIEW);
    assertThat(m.getDiscriminator().getMbstdGroupSize()).isEqualTo(4);
    assertThat(m.getDiscriminator().getMappingLayers()).isEqualTo(8);
  }
}
