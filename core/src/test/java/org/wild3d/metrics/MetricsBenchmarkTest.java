package org.wild3d.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.metrics.classifier.ClassifierFeatures;
import org.wild3d.metrics.classifier.ClassifierNet;
import org.wild3d.metrics.classifier.ClassifierTrainer;
import org.wild3d.metrics.classifier.ClassifierWeights;
import org.wild3d.metrics.images.ArrayImageSource;
import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.metrics.images.SyntheticImages;
import org.wild3d.metrics.stats.FeatureStats;
import org.wild3d.metrics.stats.FrechetDistance;

/**
 * Throughput figures for the report (run with {@code -Pslow}): images/s through the standard
 * classifier feature network (c = 32, 256-d) at 32² and 64², and the time of fid2k_cls / kid2k_cls
 * with cached real statistics (generated images pre-drawn, so only metric work is timed). The
 * figures are printed; what is asserted is that each timed piece did the work it is timed for
 * (every image's features, the same metric values from the cache as without it, every feature
 * counted).
 */
@Tag("slow")
class MetricsBenchmarkTest {
  private static ClassifierWeights untrained(int r) {
    ImageBatch imgs = SyntheticImages.draw(64, r, 1);
    return ClassifierTrainer.train(ClassifierNet.Spec.standard(r, 3),
        SyntheticImages.batches(imgs, 32, 1), new ClassifierTrainer.Options(1, 1e-3f, 0, 0),
        "bench");
  }

  /** Images/s of {@code 2·size} feature vectors; asserts each is D-dimensional and finite. */
  private static double imagesPerSecond(ClassifierFeatures net, ImageBatch imgs, int batch) {
    net.features(imgs.slice(0, batch)); // warm-up
    long t0 = System.nanoTime();
    int n = 0;
    float[][] last = null;
    for (int rep = 0; rep < 2; rep++) {
      for (int i = 0; i + batch <= imgs.size(); i += batch) {
        last = net.features(imgs.slice(i, i + batch));
        n += last.length;
      }
    }
    double ips = n / ((System.nanoTime() - t0) / 1e9);
    assertThat(n).as("features computed").isEqualTo(2 * (imgs.size() / batch) * batch);
    for (float[] f : last) {
      assertThat(f).hasSize(net.featureDim());
      for (float v : f) {
        assertThat(Float.isFinite(v)).as("feature value").isTrue();
      }
    }
    return ips;
  }

  @Test
  void classifierThroughputAndClsMetricTime(@TempDir Path dir) throws Exception {
    for (int r : new int[] {32, 64}) {
      ImageBatch imgs = SyntheticImages.draw(1024, r, 2);
      try (ClassifierFeatures net = new ClassifierFeatures(untrained(r), 0)) {
        assertThat(net.featureDim()).isEqualTo(256);
        double ips = imagesPerSecond(net, imgs, 64);
        System.out.printf("BENCH classifier features %dx%d, batch 64: %.0f images/s%n", r, r, ips);
      }
    }
    ImageBatch real = SyntheticImages.draw(2000, 32, 3);
    ImageBatch fake = SyntheticImages.draw(2000, 32, 4);
    try (ClassifierFeatures net = new ClassifierFeatures(untrained(32), 0)) {
      MetricRunner.Context ctx = new MetricRunner.Context("bench", () -> new ArrayImageSource(real),
          new RealStatsCache(dir), 64, Map.of());
      List<MetricSpec> specs = MetricRegistry.parseAll(List.of("fid2k_cls", "kid2k_cls"));
      long t0 = System.nanoTime();
      List<MetricResult> first =
          MetricRunner.run(specs, net, () -> new ArrayImageSource(fake), 0, 0, ctx); // fills cache
      long t1 = System.nanoTime();
      List<MetricResult> fid =
          MetricRunner.run(List.of(specs.get(0)), net, () -> new ArrayImageSource(fake), 0, 0, ctx);
      long t2 = System.nanoTime();
      List<MetricResult> kid =
          MetricRunner.run(List.of(specs.get(1)), net, () -> new ArrayImageSource(fake), 0, 0, ctx);
      long t3 = System.nanoTime();
      // The cached runs measure the same metrics: the same values as with the statistics computed.
      assertThat(first).extracting(MetricResult::name).containsExactly("fid2k_cls", "kid2k_cls");
      assertThat(first.get(0).value()).isPositive();
      assertThat(fid.get(0).value()).isEqualTo(first.get(0).value());
      assertThat(kid.get(0).value()).isEqualTo(first.get(1).value());
      try (var files = java.nio.file.Files.list(dir)) {
        assertThat(files.count()).as("cached real statistics in %s", dir).isPositive();
      }
      System.out.printf("BENCH fid2k_cls+kid2k_cls with real stats computed: %.2f s%n",
          (t1 - t0) / 1e9);
      System.out.printf("BENCH fid2k_cls with cached real stats: %.2f s%n", (t2 - t1) / 1e9);
      System.out.printf("BENCH kid2k_cls with cached real stats: %.2f s%n", (t3 - t2) / 1e9);
    }
    // FID's linear algebra alone at Inception's size.
    int d = 2048;
    double[][] a = new double[d][d];
    double[][] b = new double[d][d];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(0);
    for (int i = 0; i < d; i++) {
      a[i][i] = 1 + rng.nextDouble();
      b[i][i] = 1 + rng.nextDouble();
      for (int j = 0; j < i; j++) {
        a[i][j] = a[j][i] = 0.01 * (rng.nextDouble() - 0.5);
        b[i][j] = b[j][i] = 0.01 * (rng.nextDouble() - 0.5);
      }
    }
    long t0 = System.nanoTime();
    double fid = FrechetDistance.compute(new double[d], a, new double[d], b);
    // Same means: FID is the trace term, positive and below tr(A) + tr(B) (both about 1.5·D).
    assertThat(fid).isPositive().isLessThan(3.0 * d);
    assertThat(FrechetDistance.compute(new double[d], a, new double[d], a))
        .as("FID of a Gaussian with itself").isCloseTo(0, org.assertj.core.api.Assertions.within(1e-6));
    System.out.printf("BENCH Frechet distance at D=2048: %.2f s (value %.3f)%n",
        (System.nanoTime() - t0) / 1e9, fid);
    FeatureStats s = new FeatureStats(d, 0);
    float[][] batch = new float[64][d];
    for (float[] row : batch) {
      for (int j = 0; j < d; j++) {
        row[j] = (float) rng.nextDouble();
      }
    }
    for (int i = 0; i < 4; i++) {
      s.add(batch); // JIT warm-up
    }
    t0 = System.nanoTime();
    for (int i = 0; i < 16; i++) {
      s.add(batch);
    }
    System.out.printf("BENCH FeatureStats.add at D=2048: %.0f features/s%n",
        1024 / ((System.nanoTime() - t0) / 1e9));
    assertThat(s.count()).as("features counted").isEqualTo(20 * 64);
  }
}
