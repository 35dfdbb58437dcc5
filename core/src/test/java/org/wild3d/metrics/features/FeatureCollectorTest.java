package org.wild3d.metrics.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wild3d.metrics.MetricResult;
import org.wild3d.metrics.images.ArrayImageSource;
import org.wild3d.metrics.images.ImageBatch;

class FeatureCollectorTest {
  /**
   * A 3-class "network" that reads its prediction from the first pixel of each image (value k
   * predicts class k), so the confusion matrix is known exactly.
   */
  private static final class FirstPixelClassifier implements FeatureNetwork {
    @Override
    public String name() {
      return "first-pixel";
    }

    @Override
    public int featureDim() {
      return 1;
    }

    @Override
    public int numClasses() {
      return 3;
    }

    @Override
    public Activations compute(ImageBatch images) {
      float[][] f = new float[images.size()][1];
      float[][] p = new float[images.size()][3];
      for (int i = 0; i < images.size(); i++) {
        int k = Math.round(images.image(i)[0]);
        f[i][0] = k;
        p[i][k] = 1;
      }
      return new Activations(f, p);
    }

    @Override
    public void close() {}
  }

  @Test
  void confusionCountsLabelAgainstPrediction() {
    // (label, prediction): class 0 right 3 of 4; class 1 right 1 of 2; class 2 absent; one label
    // the network does not know (7), counted as wrong.
    int[] labels = {0, 0, 0, 0, 1, 1, 7};
    int[] predicted = {0, 0, 0, 2, 1, 0, 1};
    float[] pixels = new float[labels.length * 3];
    for (int i = 0; i < labels.length; i++) {
      pixels[i * 3] = predicted[i];
    }
    ImageBatch all = new ImageBatch(pixels, labels.length, 1, 1, labels);
    FeatureCollector.Collected c = FeatureCollector.collect(new FirstPixelClassifier(),
        new ArrayImageSource(all), labels.length, 0, 3, true);

    assertThat(c.confusion()).isDeepEqualTo(new long[][] {{3, 0, 1}, {1, 1, 0}, {0, 0, 0}});
    assertThat(c.confusionRows())
        .isEqualTo(List.of(List.of(3L, 0L, 1L), List.of(1L, 1L, 0L), List.of(0L, 0L, 0L)));
    assertThat(c.correct()).isEqualTo(4);
    List<Double> perClass = c.perClassAccuracy();
    assertThat(perClass).hasSize(3);
    assertThat(perClass.get(0)).isEqualTo(0.75);
    assertThat(perClass.get(1)).isEqualTo(0.5);
    assertThat(perClass.get(2)).isNaN();
  }

  @Test
  void withoutProbabilitiesThereIsNoBreakdown() {
    ImageBatch all = new ImageBatch(new float[6], 2, 1, 1, new int[] {0, 1});
    FeatureCollector.Collected c = FeatureCollector.collect(new FirstPixelClassifier(),
        new ArrayImageSource(all), 2, 0, 2, false);
    assertThat(c.confusion()).isNull();
    assertThat(c.perClassAccuracy()).isNull();
    assertThat(c.correct()).isZero();
  }

  @Test
  void perClassAccuracyRoundTripsThroughJsonAndPrintsWithNames() {
    MetricResult r = new MetricResult("acc2k_cls", 0.6, 0, "cls-x", 2000, 0, Map.of(), Map.of(),
        List.of(0.9, 0.25, Double.NaN));
    String line = r.toJsonLine();
    assertThat(line).contains("\"perClass\":[0.9,0.25,NaN]");
    assertThat(MetricResult.fromJsonLine(line).perClass()).containsExactly(0.9, 0.25, Double.NaN);
    assertThat(r.perClassLine(List.of("sphere", "cube")))
        .isEqualTo("sphere 0.90  cube 0.25  2 NaN");
    MetricResult fid = new MetricResult("fid2k_cls", 1, 0, "cls-x", 2000, 2000, Map.of(),
        Map.of());
    assertThat(fid.toJsonLine()).doesNotContain("perClass");
    assertThat(fid.perClassLine(List.of("sphere"))).isEmpty();
  }

  @Test
  void confusionRoundTripsAndNamesTheMistakes() {
    // sphere: 6 right, 3 as cube, 1 as torus (10%); cube: 4 right, 1 as sphere (20%); torus: all right
    List<List<Long>> m = List.of(List.of(6L, 3L, 1L), List.of(1L, 4L, 0L), List.of(0L, 0L, 5L));
    MetricResult r = new MetricResult("acc2k_cls", 0.75, 0, "cls-x", 20, 0, Map.of(), Map.of(),
        List.of(0.6, 0.8, 1.0), m);
    String line = r.toJsonLine();
    assertThat(line).contains("\"confusion\":[[6,3,1],[1,4,0],[0,0,5]]");
    assertThat(MetricResult.fromJsonLine(line).confusion()).isEqualTo(m);
    assertThat(r.confusionLine(List.of("sphere", "cube", "torus")))
        .isEqualTo("sphere as cube 0.30, torus 0.10; cube as sphere 0.20");
    // a 2% mistake is below the 5% floor and is not named
    MetricResult small = new MetricResult("acc2k_cls", 0.98, 0, "cls-x", 50, 0, Map.of(),
        Map.of(), List.of(0.98), List.of(List.of(49L, 1L)));
    assertThat(small.confusionLine(List.of("a", "b"))).isEmpty();
    assertThat(new MetricResult("fid2k_cls", 1, 0, "cls-x", 2, 2, Map.of(), Map.of())
        .toJsonLine()).doesNotContain("confusion");
  }
}
