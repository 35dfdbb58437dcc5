package org.wild3d.metrics;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.wild3d.DataException;
import org.wild3d.Version;
import org.wild3d.Wild3dException;
import org.wild3d.data.Dataset;
import org.wild3d.metrics.classifier.ClassifierCache;
import org.wild3d.metrics.classifier.ClassifierFeatures;
import org.wild3d.metrics.features.FeatureNetwork;
import org.wild3d.metrics.features.InceptionV3Graph;
import org.wild3d.metrics.images.DatasetFingerprint;
import org.wild3d.metrics.images.DatasetImageSource;
import org.wild3d.metrics.images.GeneratorImageSource;
import org.wild3d.metrics.images.ImageSource;
import org.wild3d.metrics.images.ProgressImageSource;
import org.wild3d.model.ImageGenerator;

/**
 * Runs registry metrics end to end: picks the feature network of each metric (the Inception graph,
 * or the dataset's classifier, trained and cached on first use), groups metrics that share a pass
 * over the generated images, runs geometry metrics ({@code geo_*}, {@code mv_*}) on rendered depth
 * and opacity, and records provenance. One code path for {@code wild3d-eval metrics}
 * and for the metrics that training computes at its snapshots.
 */
public final class MetricJobs {
  /** Seed of the shuffle that orders real images. */
  public static final long REAL_ORDER_SEED = 0;
  /** File of a run's metric results, one JSON line each. */
  public static final String METRICS_FILE = "metrics.jsonl";

  /**
   * How to compute.
   *
   * @param cacheDir classifiers and real statistics
   * @param inception the Inception 2015-12-05 graph file, or null (then only {@code _cls} metrics)
   * @param batchSize images per generator/feature-network call
   * @param seed seed of latents, classes, cameras and KID subsets
   * @param classifierSteps training steps of the {@code _cls} classifier when none is cached
   * @param threads TF intra-op threads; 0 = all cores
   */
  public record Settings(Path cacheDir, Path inception, int batchSize, long seed,
      int classifierSteps, int threads) {}

  private MetricJobs() {}

  /**
   * Metrics of {@code generator}'s images (classes with the dataset's frequencies, cameras from
   * the run's prior, no truncation) against {@code ds}.
   *
   * @param provenance what identifies the generator (checkpoint, step, ...); completed here with
   *     the code version, dataset and sampling settings
   * @throws DataException (exit 4) when the generator and the dataset disagree on resolution or
   *     classes
   */
  public static List<MetricResult> ofGenerator(ImageGenerator generator, Dataset ds,
      List<MetricSpec> specs, Settings settings, Map<String, String> provenance,
      PrintWriter log) {
    checkMatches(generator, ds);
    int[] counts = classCounts(ds);
    Map<String, String> prov = generatorProvenance(ds, provenance);
    String fp = DatasetFingerprint.of(ds);
    List<MetricResult> all = new ArrayList<>();
    List<MetricSpec> geometry = specs.stream().filter(MetricSpec::isGeometry).toList();
    if (!geometry.isEmpty()) { // first: a dataset without true objects fails fast (exit 4)
      log.printf("%s: rendered depth and opacity of the generator%n", String.join(", ",
          geometry.stream().map(MetricSpec::name).toList()));
      log.flush();
      all.addAll(MetricRunner.runGeometry(geometry,
          MetricRunner.GeometryContext.of(generator, ds, fp, settings.seed(), prov),
          settings.seed()));
    }
    List<MetricSpec> featureSpecs = specs.stream().filter(s -> !s.isGeometry()).toList();
    if (!featureSpecs.isEmpty()) {
      all.addAll(compute(featureSpecs, ds, fp,
          () -> DatasetImageSource.shuffled(ds, REAL_ORDER_SEED),
          () -> new GeneratorImageSource(generator, counts, settings.seed(), 1f),
          new RealStatsCache(settings.cacheDir()), prov, settings, log));
    }
    return inOrder(specs, all);
  }

  /**
   * Shard {@code range} of the generated side of {@code specs} (feature metrics only) of
   * {@code generator}: for every (feature network, count M) group, the features of generated
   * images {@code [K·M/N, (K+1)·M/N)}, drawn exactly as {@link #ofGenerator} draws them (the
   * source skips the earlier indices' latents, classes and cameras without rendering them).
   *
   * @param provenance as for {@link #ofGenerator}; recorded in the shard for the merged results
   * @throws DataException (exit 4) when the generator and the dataset disagree
   */
  public static List<MetricShards.Group> shardOfGenerator(ImageGenerator generator, Dataset ds,
      List<MetricSpec> specs, Settings settings, Map<String, String> provenance,
      MetricShards.Range range, PrintWriter log) {
    List<String> geometry = specs.stream().filter(MetricSpec::isGeometry).map(MetricSpec::name)
        .toList();
    if (!geometry.isEmpty()) {
      throw new Wild3dException(Wild3dException.EXIT_USAGE, "metrics "
          + String.join(", ", geometry) + ": expected feature metrics with --shard, found"
          + " geometry metrics (they render a few scenes and are not sharded; compute them"
          + " without --shard)");
    }
    checkMatches(generator, ds);
    int[] counts = classCounts(ds);
    Map<String, String> prov = generatorProvenance(ds, provenance);
    String fp = DatasetFingerprint.of(ds);
    List<MetricShards.Group> groups = new ArrayList<>();
    for (Map.Entry<MetricSpec.Features, List<MetricSpec>> e : byNet(specs, settings).entrySet()) {
      Map<String, String> netProv = new LinkedHashMap<>(prov);
      try (FeatureNetwork net = network(e.getKey(), ds, fp, settings, netProv, log)) {
        MetricRunner.check(e.getValue(), net, new MetricRunner.Context(fp, null, null,
            settings.batchSize(), netProv));
        for (Map.Entry<Integer, List<MetricSpec>> g
            : MetricRunner.byCount(e.getValue()).entrySet()) {
          int count = g.getKey();
          int from = range.from(count);
          int to = range.to(count);
          List<String> names = g.getValue().stream().map(MetricSpec::name).toList();
          log.printf("%s: generated images %d..%d of %d (shard %s), features by %s%n",
              String.join(", ", names), from, to, count, range, net.name());
          log.flush();
          ImageSource src = new ProgressImageSource(
              new GeneratorImageSource(generator, counts, settings.seed(), 1f).skip(from), log,
              "generated features", to - from);
          var collected = MetricRunner.collectGenerated(g.getValue(), net, src, from, to - from,
              settings.batchSize());
          groups.add(new MetricShards.Group(e.getKey(), net.name(), count, from, to, names,
              new LinkedHashMap<>(netProv), collected));
        }
      }
    }
    return groups;
  }

  /**
   * The results of merged shards ({@link MetricShards#checkTogether} order): the generated side
   * merged per group, the real side from the cache (computed on a miss) as {@link #ofGenerator}
   * does, so the lines equal the unsharded ones up to float64 rounding of the merge.
   *
   * @param settings cache, Inception graph and threads of this process; batch size, seed and
   *     classifier steps must be the shards' (the caller takes them from the manifests)
   * @throws DataException (exit 4) when {@code ds} is not the shards' dataset or a feature network
   *     differs from the one the shards used
   */
  public static List<MetricResult> ofShards(List<MetricShards.Shard> ordered, Dataset ds,
      Settings settings, PrintWriter log) {
    MetricShards.Manifest m = ordered.get(0).manifest();
    String fp = DatasetFingerprint.of(ds);
    if (!fp.equals(m.dataset())) {
      throw new DataException("dataset " + ds.location() + ": expected fingerprint "
          + m.dataset() + " (the shards' real data), found " + fp + " (merge with the dataset"
          + " the shards were computed against)");
    }
    List<MetricSpec> specs = MetricRegistry.parseAll(m.metrics());
    byNet(specs, settings); // the Inception graph is needed to check its name and for real stats
    RealStatsCache stats = new RealStatsCache(settings.cacheDir());
    List<MetricShards.Group> groups = ordered.get(0).groups();
    List<MetricResult> all = new ArrayList<>();
    Map<MetricSpec.Features, FeatureNetwork> nets = new LinkedHashMap<>();
    try {
      for (int g = 0; g < groups.size(); g++) {
        MetricShards.Group first = groups.get(g);
        FeatureNetwork net = nets.get(first.features());
        if (net == null) {
          net = network(first.features(), ds, fp, settings, new LinkedHashMap<>(), log);
          nets.put(first.features(), net);
        }
        if (!net.name().equals(first.network())) {
          throw new DataException("feature network: expected " + first.network() + " (the one"
              + " the shards used), found " + net.name() + " (use the same "
              + (first.features() == MetricSpec.Features.INCEPTION ? "Inception graph"
                  : "classifier file, copied into the cache dir,") + " as the shards)");
        }
        List<MetricSpec> group = specs.stream().filter(s -> first.metrics().contains(s.name()))
            .toList();
        int count = first.count();
        log.printf("%s: %d generated images merged from %d shards, features by %s%n",
            String.join(", ", first.metrics()), count, ordered.size(), net.name());
        log.flush();
        var merged = MetricShards.merge(ordered, g);
        Map<String, String> prov = new LinkedHashMap<>(first.provenance());
        MetricRunner.Context ctx = new MetricRunner.Context(fp,
            () -> new ProgressImageSource(DatasetImageSource.shuffled(ds, REAL_ORDER_SEED), log,
                "real features", count),
            stats, m.batch(), prov);
        MetricRunner.check(group, net, ctx);
        all.addAll(MetricRunner.evaluate(group, net, merged, count, m.seed(), m.seed(), ctx));
      }
    } finally {
      nets.values().forEach(FeatureNetwork::close);
    }
    return inOrder(specs, all);
  }

  private static void checkMatches(ImageGenerator generator, Dataset ds) {
    if (generator.imageResolution() != ds.resolution()) {
      throw new DataException("generator: makes " + generator.imageResolution() + "x"
          + generator.imageResolution() + " images but the dataset " + ds.location() + " has "
          + ds.resolution() + "x" + ds.resolution()
          + " (the run's config.resolved.pbtxt and its data disagree)");
    }
    if (Math.max(1, ds.numClasses()) != generator.numClasses()) {
      throw new DataException("generator: model.num_classes is " + generator.numClasses()
          + " but the dataset " + ds.location() + " has " + ds.numClasses() + " classes");
    }
  }

  private static int[] classCounts(Dataset ds) {
    return ds.numClasses() <= 1 ? new int[] {1} : ds.classCounts();
  }

  private static Map<String, String> generatorProvenance(Dataset ds,
      Map<String, String> provenance) {
    Map<String, String> prov = new LinkedHashMap<>(provenance);
    prov.put("code_version", Version.get());
    prov.put("dataset_location", ds.location());
    prov.put("truncation_psi", "1.0");
    prov.put("real_order_seed", Long.toString(REAL_ORDER_SEED));
    return prov;
  }

  private static Map<MetricSpec.Features, List<MetricSpec>> byNet(List<MetricSpec> specs,
      Settings settings) {
    Map<MetricSpec.Features, List<MetricSpec>> byNet = new LinkedHashMap<>();
    for (MetricSpec s : specs) {
      byNet.computeIfAbsent(s.features(), f -> new ArrayList<>()).add(s);
    }
    if (byNet.containsKey(MetricSpec.Features.INCEPTION) && settings.inception() == null) {
      throw new DataException("metrics " + String.join(", ", byNet.get(
          MetricSpec.Features.INCEPTION).stream().map(MetricSpec::name).toList())
          + ": expected the Inception 2015-12-05 graph (" + InceptionV3Graph.GRAPH_FILE
          + " or " + InceptionV3Graph.ARCHIVE_FILE + ") from --inception FILE or"
          + " eval.inception_path, found neither (download " + InceptionV3Graph.DOWNLOAD_URL
          + ", or use the offline _cls metrics, e.g. fid2k_cls)");
    }
    return byNet;
  }

  private static FeatureNetwork network(MetricSpec.Features features, Dataset real,
      String fingerprint, Settings settings, Map<String, String> prov, PrintWriter log) {
    return features == MetricSpec.Features.INCEPTION
        ? InceptionV3Graph.load(settings.inception(), settings.threads())
        : classifier(real, fingerprint, settings, prov, log);
  }

  /** {@code results} in the order of {@code specs}. */
  private static List<MetricResult> inOrder(List<MetricSpec> specs, List<MetricResult> results) {
    List<MetricResult> ordered = new ArrayList<>();
    for (MetricSpec s : specs) {
      results.stream().filter(r -> r.name().equals(s.name())).findFirst()
          .ifPresent(ordered::add);
    }
    return ordered;
  }

  /**
   * Computes {@code specs} with generated images from {@code generated} (which must yield the same
   * images every time it is called) against the real images of {@code real}.
   */
  public static List<MetricResult> compute(List<MetricSpec> specs, Dataset real,
      String fingerprint, Supplier<ImageSource> realImages, Supplier<ImageSource> generated,
      RealStatsCache stats, Map<String, String> provenance, Settings settings, PrintWriter log) {
    Map<MetricSpec.Features, List<MetricSpec>> byNet = byNet(specs, settings);
    List<MetricResult> all = new ArrayList<>();
    for (Map.Entry<MetricSpec.Features, List<MetricSpec>> e : byNet.entrySet()) {
      Map<String, String> prov = new LinkedHashMap<>(provenance);
      try (FeatureNetwork net = network(e.getKey(), real, fingerprint, settings, prov, log)) {
        for (Map.Entry<Integer, List<MetricSpec>> g
            : MetricRunner.byCount(e.getValue()).entrySet()) {
          int count = g.getKey();
          log.printf("%s: %d generated images, features by %s%n",
              String.join(", ", g.getValue().stream().map(MetricSpec::name).toList()), count,
              net.name());
          log.flush();
          MetricRunner.Context ctx = new MetricRunner.Context(fingerprint,
              () -> new ProgressImageSource(realImages.get(), log, "real features", count),
              stats, settings.batchSize(), prov);
          all.addAll(MetricRunner.run(g.getValue(), net,
              () -> new ProgressImageSource(generated.get(), log, "generated features", count),
              settings.seed(), settings.seed(), ctx));
        }
      }
    }
    return inOrder(specs, all);
  }

  private static ClassifierFeatures classifier(Dataset real, String fingerprint,
      Settings settings, Map<String, String> prov, PrintWriter log) {
    Path cache = settings.cacheDir();
    int steps = settings.classifierSteps();
    var w = ClassifierCache.getOrTrain(cache, real, fingerprint, steps, 0, settings.threads(),
        log);
    prov.put("classifier_file", ClassifierCache.file(cache, fingerprint, steps, 0).toString());
    prov.put("classifier_steps", Integer.toString(w.steps()));
    prov.put("classifier_train_accuracy", String.format(java.util.Locale.ROOT, "%.4f", w.trainAccuracy()));
    return new ClassifierFeatures(w, settings.threads());
  }
}
