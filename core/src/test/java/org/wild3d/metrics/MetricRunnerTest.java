package org.wild3d.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.Wild3dException;
import org.wild3d.metrics.classifier.ClassifierFeatures;
import org.wild3d.metrics.classifier.TestClassifier;
import org.wild3d.metrics.images.ArrayImageSource;
import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.metrics.images.ImageSource;
import org.wild3d.metrics.images.SyntheticImages;

/**
 * The registry end to end on the classifier features, with a stand-in "generator" that draws from
 * the same procedural distribution as the real set.
 */
class MetricRunnerTest {
  @Test
  void computesClsMetricsCachesRealStatsAndIsDeterministic(@TempDir Path dir) throws Exception {
    ImageBatch realSet = SyntheticImages.draw(400, 32, 12);
    AtomicInteger realOpened = new AtomicInteger();
    Supplier<ImageSource> real = () -> {
      realOpened.incrementAndGet();
      return new ArrayImageSource(realSet);
    };
    ImageBatch fakes = SyntheticImages.draw(300, 32, 11);
    Supplier<ImageSource> generated = () -> new ArrayImageSource(fakes);
    MetricRunner.Context ctx = new MetricRunner.Context("shapes-test", real,
        new RealStatsCache(dir.resolve("cache")), 64, Map.of("snapshot", "s1"));
    List<MetricSpec> specs = MetricRegistry.parseAll(
        List.of("fid300_cls", "kid300_cls", "acc300_cls", "is300_cls", "precision300_cls",
            "recall300_cls"));
    List<MetricResult> r1;
    List<MetricResult> r2;
    try (ClassifierFeatures net = new ClassifierFeatures(TestClassifier.weights(), 0)) {
      r1 = MetricRunner.run(specs, net, generated, 11, 5, ctx);
      r2 = MetricRunner.run(specs, net, generated, 11, 5, ctx);
      assertThatThrownBy(() -> MetricRunner.run(List.of(MetricRegistry.parse("fid300")), net,
          generated, 11, 5, ctx)).isInstanceOf(Wild3dException.class)
          .hasMessageContaining("INCEPTION");
      assertThat(r1).extracting(MetricResult::featureNetwork).containsOnly(net.name());
      MetricRunner.Context otherData = new MetricRunner.Context("another-dataset", real,
          ctx.cache(), 64, Map.of());
      assertThatThrownBy(() -> MetricRunner.run(specs, net, generated, 11, 5, otherData))
          .isInstanceOf(org.wild3d.DataException.class).hasMessageContaining("another-dataset");
    }
    r1.forEach(r -> System.out.println(r.toJsonLine()));
    assertThat(r1).extracting(MetricResult::name)
        .containsExactly("fid300_cls", "kid300_cls", "acc300_cls", "is300_cls",
            "precision300_cls", "recall300_cls");
    assertThat(r1.get(4).value()).isGreaterThan(0.8); // same distribution: high precision
    assertThat(r1.get(5).value()).isGreaterThan(0.8); // and recall
    assertThat(r2).isEqualTo(r1);
    assertThat(realOpened.get()).isEqualTo(1); // second run read the cache (one file, with raw)
    try (var files = Files.list(dir.resolve("cache"))) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .containsExactly("shapes-test-" + r1.get(0).featureNetwork() + "-300-raw.stats");
    }
    MetricResult fid = r1.get(0);
    assertThat(fid.numGenerated()).isEqualTo(300);
    assertThat(fid.numReal()).isEqualTo(300);
    assertThat(fid.provenance()).containsEntry("dataset", "shapes-test")
        .containsEntry("snapshot", "s1");
    assertThat(r1.get(1).seeds()).containsEntry("kid_subsets", 5L).containsEntry("generator", 11L);
    assertThat(Math.abs(r1.get(1).value())).isLessThan(0.1); // same distribution: KID ~ 0
    assertThat(r1.get(2).value()).isGreaterThan(0.9); // accuracy of the classes "generated"
    assertThat(r1.get(2).perClass()).hasSize(3).allSatisfy(a -> assertThat(a).isGreaterThan(0.8));
    assertThat(r1.get(2).perClass().stream().mapToDouble(Double::doubleValue).average())
        .hasValueCloseTo(r1.get(2).value(), org.assertj.core.data.Offset.offset(0.05));
    assertThat(r1).filteredOn(r -> !r.name().startsWith("acc"))
        .allSatisfy(r -> assertThat(r.perClass()).isNull());
    assertThat(r1.get(3).value()).isGreaterThan(2.5).isLessThanOrEqualTo(3.0 + 1e-9); // 3 classes
    assertThat(r1.get(2).numReal()).isZero();
    Path jsonl = dir.resolve("metrics.jsonl");
    for (MetricResult r : r1) {
      r.appendTo(jsonl);
    }
    assertThat(Files.readAllLines(jsonl)).hasSize(6)
        .allSatisfy(l -> assertThat(MetricResult.fromJsonLine(l)).isIn(r1));
  }
}
