package org.wild3d.metrics;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;

/**
 * Computes registry metrics for one feature network: generated images come from an
 * {@link ImageSource} (the generator), real statistics from the {@link RealStatsCache}.
 */
public final class MetricRunner {
  /**
   * Everything about the real data and the run that results record.
   *
   * @param datasetFingerprint identifies the real dataset (cache key, provenance)
   * @param realImages opens the real dataset from its start; called only on a cache miss
   * @param cache where real statistics are kept
   * @param batchSize images per feature-network call
   * @param provenance extra fields recorded with every result (snapshot, config hash, ...)
   */
  public record Context(String datasetFingerprint, Supplier<ImageSource> realImages,
      RealStatsCache cache, int batchSize, Map<String, String> provenance) {}

  private MetricRunner() {}

  /**
   * Computes {@code specs} (all for {@code net}'s kind of features). Metrics with the same count
   * share one pass over the generated images; {@code generated} must open a source that yields the
   * same images every time (same seeds).
   *
   * @param generatorSeed first seed of the generated images, recorded as {@code generator}
   * @param metricSeed seed of KID's subset sampling, recorded as {@code kid_subsets}
   */
  public static List<MetricResult> run(List<MetricSpec> specs, FeatureNetwork net,
      Supplier<ImageSource> generated, long generatorSeed, long metricSeed, Context ctx) {
    for (MetricSpec s : specs) {
      if (!s.features().accepts(net)) {
        throw new Wild3dException(Wild3dException.EXIT_USAGE, "metric " + s.name()
            + ": expected a " + s.features() + " feature network, found " + net.name()
            + " (names without a suffix use Inception, _cls the dataset's classifier)");
      }
    }
    if (net instanceof ClassifierFeatures cls
        && !cls.weights().datasetFingerprint().equals(ctx.datasetFingerprint())) {
      throw new DataException("feature network " + net.name() + ": expected a classifier trained"
          + " on dataset " + ctx.datasetFingerprint() + ", found one trained on "
          + cls.weights().datasetFingerprint() + " (retrain the classifier on this dataset)");
    }
    Map<Integer, List<MetricSpec>> byCount = new LinkedHashMap<>();
    for (MetricSpec s : specs) {
      byCount.computeIfAbsent(s.count(), c -> new ArrayList<>()).add(s);
    }
    List<MetricResult> results = new ArrayList<>();
    for (Map.Entry<Integer, List<MetricSpec>> group : byCount.entrySet()) {
      int count = group.getKey();
      boolean raw = group.getValue().stream().anyMatch(MetricSpec::needsRawFeatures);
      boolean probs = group.getValue().stream().anyMatch(s -> !s.kind().needsReal);
      FeatureCollector.Collected gen = FeatureCollector.collect(net, generated.get(), count,
          raw ? count : 0, ctx.batchSize(), probs);
      if (gen.stats().count() < count) {
        throw new Wild3dException(Wild3dException.EXIT_FAILURE, "generated images: expected "
            + count + ", found " + gen.stats().count() + " (the generator source ran out)");
      }
      // One real-statistics file per group: with raw rows if any metric of the group needs them.
      FeatureStats real = group.getValue().stream().anyMatch(s -> s.kind().needsReal)
          ? real(group.getValue().get(0), net, raw, ctx)
          : null;
      // Precision and recall come from one pass over both manifolds.
      PrecisionRecall.Result2 pr = group.getValue().stream().anyMatch(
          s -> s.kind() == MetricSpec.Kind.PRECISION || s.kind() == MetricSpec.Kind.RECALL)
          ? PrecisionRecall.compute(real.rawFeatures(), gen.stats().rawFeatures(),
              PrecisionRecall.K)
          : null;
      for (MetricSpec s : group.getValue()) {
        results.add(evaluate(s, net, gen, real, pr, generatorSeed, metricSeed, ctx));
      }
    }
    List<MetricResult> ordered = new ArrayList<>();
    for (MetricSpec s : specs) {
      results.stream().filter(r -> r.name().equals(s.name())).findFirst().ifPresent(ordered::add);
    }
    return ordered;
  }

  private static MetricResult evaluate(MetricSpec s, FeatureNetwork net,
      FeatureCollector.Collected gen, FeatureStats real, PrecisionRecall.Result2 pr,
      long generatorSeed, long metricSeed, Context ctx) {
    Map<String, Long> seeds = new TreeMap<>();
    seeds.put("generator", generatorSeed);
    Map<String, String> prov = new TreeMap<>(ctx.provenance());
    prov.put("dataset", ctx.datasetFingerprint());
    int n = (int) gen.stats().count();
    double value;
    double std = 0;
    int numReal = 0;
    switch (s.kind()) {
      case FID -> {
        numReal = (int) real.count();
        value = FrechetDistance.compute(gen.stats(), real);
      }
      case KID -> {
        numReal = (int) real.count();
        Estimate e = Kid.compute(gen.stats().rawFeatures(), real.rawFeatures(),
            MetricSpec.KID_SUBSETS, MetricSpec.KID_SUBSET_SIZE, metricSeed);
        value = e.value();
        std = e.std();
        seeds.put("kid_subsets", metricSeed);
      }
      case IS -> {
        Estimate e = InceptionScore.compute(gen.probabilities(), MetricSpec.IS_SPLITS);
        value = e.value();
        std = e.std();
      }
      case ACC -> value = (double) gen.correct() / n;
      case PRECISION, RECALL -> {
        numReal = (int) real.count();
        value = s.kind() == MetricSpec.Kind.PRECISION ? pr.precision() : pr.recall();
      }
      default -> throw new IllegalStateException("unhandled metric kind " + s.kind());
    }
    return new MetricResult(s.name(), value, std, net.name(), n, numReal, seeds, prov);
  }

  private static FeatureStats real(MetricSpec s, FeatureNetwork net, boolean raw, Context ctx) {
    FeatureStats real = ctx.cache().get(ctx.datasetFingerprint(), net, s.count(), raw,
        ctx.realImages(), ctx.batchSize());
    checkArgument(real.count() >= 2, "real images for %s: expected at least 2, found %s",
        s.name(), real.count());
    return real;
  }
}
