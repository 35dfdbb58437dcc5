package org.wild3d.metrics.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.metrics.features.FeatureNetwork;
import org.wild3d.metrics.images.ArrayImageSource;
import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.metrics.images.ImageSource;
import org.wild3d.metrics.images.SyntheticImages;
import org.wild3d.metrics.stats.FeatureStats;
import org.wild3d.metrics.stats.FrechetDistance;

/**
 * The offline classifier feature network on a procedural 3-class set at 32²: it learns the classes,
 * and FID on its features is small between two disjoint halves of the same distribution and much
 * larger against a colour-shifted copy.
 */
class ClassifierFeaturesTest {
  static ClassifierWeights weights;

  @BeforeAll
  static void train() {
    weights = TestClassifier.weights();
  }

  private static FeatureStats stats(FeatureNetwork net, ImageBatch images) {
    FeatureStats s = new FeatureStats(net.featureDim(), 0);
    ImageSource src = new ArrayImageSource(images);
    for (ImageBatch b = src.next(64); b.size() > 0; b = src.next(64)) {
      s.add(net.features(b));
    }
    return s;
  }

  @Test
  void learnsTheClassesAndGivesFeaturesOfTheRightShape() {
    assertThat(weights.trainAccuracy()).isGreaterThan(0.9);
    try (ClassifierFeatures net = new ClassifierFeatures(weights, 0)) {
      assertThat(net.name()).matches("cls-[0-9a-f]{12}");
      assertThat(net.featureDim()).isEqualTo(128);
      ImageBatch test = SyntheticImages.draw(30, 32, 99);
      FeatureNetwork.Activations a = net.compute(test);
      assertThat(a.features()).hasDimensions(30, 128);
      assertThat(a.probabilities()).hasDimensions(30, 3);
      int right = 0;
      for (int i = 0; i < 30; i++) {
        double sum = 0;
        int best = 0;
        for (int k = 0; k < 3; k++) {
          sum += a.probabilities()[i][k];
          best = a.probabilities()[i][k] > a.probabilities()[i][best] ? k : best;
        }
        assertThat(sum).isCloseTo(1, within(1e-5));
        right += best == test.labels()[i] ? 1 : 0;
      }
      assertThat(right).isGreaterThanOrEqualTo(27); // held-out images
      assertThatThrownBy(() -> net.compute(SyntheticImages.draw(2, 64, 0)))
          .hasMessageContaining("expected 32x32");
    }
  }

  @Test
  void realVsRealIsSmallAndColourShiftIsLarge() {
    ImageBatch eval = SyntheticImages.draw(600, 32, 7);
    try (ClassifierFeatures net = new ClassifierFeatures(weights, 0)) {
      FeatureStats a = stats(net, eval.slice(0, 300));
      FeatureStats b = stats(net, eval.slice(300, 600));
      FeatureStats shifted = stats(net, SyntheticImages.colourShifted(eval.slice(300, 600)));
      double same = FrechetDistance.compute(a, b);
      double shift = FrechetDistance.compute(a, shifted);
      double scale = 0; // total feature variance, to make "small" scale-free
      for (int i = 0; i < a.dim(); i++) {
        scale += a.covariance()[i][i];
      }
      System.out.printf("FID_cls halves %.4f, colour-shifted %.4f, trace(cov) %.4f%n", same,
          shift, scale);
      assertThat(same).isLessThan(0.2 * scale);
      assertThat(shift).isGreaterThan(10 * same);
    }
  }

  @Test
  void weightsRoundTripAndRefuseAnotherDataset(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("cls.weights");
    weights.save(f);
    ImageBatch imgs = SyntheticImages.draw(4, 32, 5);
    try (ClassifierFeatures a = new ClassifierFeatures(weights, 0);
        ClassifierFeatures b = ClassifierFeatures.load(f, "shapes-test", 0)) {
      assertThat(b.name()).isEqualTo(a.name());
      assertThat(b.features(imgs)[3]).containsExactly(a.features(imgs)[3]);
    }
    assertThatThrownBy(() -> ClassifierFeatures.load(f, "other-data", 0))
        .isInstanceOf(DataException.class).hasMessageContaining("shapes-test")
        .hasMessageContaining("other-data");
    assertThatThrownBy(() -> ClassifierWeights.load(dir.resolve("missing.weights")))
        .isInstanceOf(DataException.class).hasMessageContaining("missing.weights");
  }
}
