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
    int[] counts = ds.numClasses() <= 1 ? new int[] {1} : ds.classCounts();
    Map<String, String> prov = new LinkedHashMap<>(provenance);
    prov.put("code_version", Version.get());
    prov.put("dataset_location", ds.location());
    prov.put("truncation_psi", "1.0");
    prov.put("real_order_seed", Long.toString(REAL_ORDER_SEED));
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
    List<MetricResult> all = new ArrayList<>();
    for (Map.Entry<MetricSpec.Features, List<MetricSpec>> e : byNet.entrySet()) {
      Map<String, String> prov = new LinkedHashMap<>(provenance);
      try (FeatureNetwork net = e.getKey() == MetricSpec.Features.INCEPTION
          ? InceptionV3Graph.load(settings.inception(), settings.threads())
          : classifier(real, fingerprint, settings, prov, log)) {
        Map<Integer, List<MetricSpec>> byCount = new LinkedHashMap<>();
        for (MetricSpec s : e.getValue()) {
          byCount.computeIfAbsent(s.count(), c -> new ArrayList<>()).add(s);
        }
        for (Map.Entry<Integer, List<MetricSpec>> g : byCount.entrySet()) {
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
