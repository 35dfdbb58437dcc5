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
import org.wild3d.config.CameraPrior;
import org.wild3d.data.Dataset;
import org.wild3d.metrics.classifier.ClassifierFeatures;
import org.wild3d.metrics.features.FeatureCollector;
import org.wild3d.metrics.features.FeatureNetwork;
import org.wild3d.metrics.geometry.Aligner;
import org.wild3d.metrics.geometry.GeneratorScenes;
import org.wild3d.metrics.geometry.GeometryAgreement;
import org.wild3d.metrics.geometry.MultiViewConsistency;
import org.wild3d.metrics.geometry.SceneSampler;
import org.wild3d.metrics.geometry.TrueObjects;
import org.wild3d.metrics.images.ImageSource;
import org.wild3d.metrics.stats.Estimate;
import org.wild3d.metrics.stats.FeatureStats;
import org.wild3d.metrics.stats.FrechetDistance;
import org.wild3d.metrics.stats.InceptionScore;
import org.wild3d.metrics.stats.Kid;
import org.wild3d.metrics.stats.PrecisionRecall;
import org.wild3d.model.ImageGenerator;

/**
 * Computes registry metrics for one feature network: generated images come from an
 * {@link ImageSource} (the generator), real statistics from the {@link RealStatsCache}. Geometry
 * metrics ({@link MetricSpec#isGeometry()}) use no feature network: {@link #runGeometry}.
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

  /**
   * What geometry metrics measure.
   *
   * @param scenes the generator's scenes
   * @param truth the dataset's true objects; called only for {@code geo_*} metrics, and throws
   *     {@link DataException} when the dataset records none
   * @param camera the prior cameras are drawn from (the run's)
   * @param datasetFingerprint recorded as {@code dataset}
   * @param provenance extra fields recorded with every result
   */
  public record GeometryContext(SceneSampler scenes, Supplier<TrueObjects> truth,
      CameraPrior camera, int renderResolution, String datasetFingerprint,
      Map<String, String> provenance) {
    /** The context of a run's generator and its dataset (latents and cameras from {@code seed}). */
    public static GeometryContext of(ImageGenerator snapshot, Dataset dataset, String fingerprint,
        long seed, Map<String, String> provenance) {
      return new GeometryContext(new GeneratorScenes(snapshot, seed, 1f),
          () -> TrueObjects.of(dataset, TrueObjects.DEFAULT_MAX_PER_CLASS),
          snapshot.config().getCamera(), snapshot.renderResolution(), fingerprint, provenance);
    }
  }

  /** Recorded as the feature network of geometry results. */
  public static final String GEOMETRY_NETWORK = "none";

  private MetricRunner() {}

  /**
   * Computes geometry metrics ({@code geo_iou}, {@code geo_depth}: {@link GeometryAgreement} with
   * {@link GeometryAgreement#DEFAULT_VIEWS} views per scene; {@code mv_depth}, {@code mv_agree}:
   * {@link MultiViewConsistency} at 20–40° with its default tolerance). Metrics of one family and
   * count share one measurement. {@code std} is the spread over scenes; {@code numReal} the true
   * objects compared with (0 for {@code mv_*}).
   *
   * @param seed first seed of latents and cameras, recorded as {@code generator}
   * @throws DataException (exit 4) for {@code geo_*} when the dataset has no true objects
   */
  public static List<MetricResult> runGeometry(List<MetricSpec> specs, GeometryContext ctx,
      long seed) {
    for (MetricSpec s : specs) {
      checkArgument(s.isGeometry(), "metric %s: expected a geometry metric (geo_*, mv_*)",
          s.name());
    }
    Map<String, Long> seeds = Map.of("generator", seed);
    Map<String, String> base = new TreeMap<>(ctx.provenance());
    base.put("dataset", ctx.datasetFingerprint());
    base.put("render_resolution", Integer.toString(ctx.renderResolution()));
    Map<Integer, GeometryAgreement.Summary> geo = new TreeMap<>();
    Map<Integer, MultiViewConsistency.Summary> mv = new TreeMap<>();
    TrueObjects truth = null;
    Aligner aligner = null;
    List<MetricResult> out = new ArrayList<>();
    for (MetricSpec s : specs) {
      Map<String, String> prov = new TreeMap<>(base);
      switch (s.kind()) {
        case GEO_IOU, GEO_DEPTH -> {
          if (truth == null) {
            truth = ctx.truth().get();
            aligner = new Aligner(ctx.camera().getRadius(), ctx.camera().getFovDegrees(),
                ctx.renderResolution(), Aligner.Settings.defaults());
          }
          TrueObjects t = truth;
          Aligner a = aligner;
          GeometryAgreement.Summary g = geo.computeIfAbsent(s.count(), n ->
              GeometryAgreement.measure(ctx.scenes(), t, ctx.camera(), a, n,
                  GeometryAgreement.DEFAULT_VIEWS, seed));
          prov.put("geometry_views", Integer.toString(GeometryAgreement.DEFAULT_VIEWS));
          prov.put("geometry_alignment", a.settings().describe());
          prov.put("true_objects_per_class_max", Integer.toString(
              TrueObjects.DEFAULT_MAX_PER_CLASS));
          var st = s.kind() == MetricSpec.Kind.GEO_IOU ? g.iou() : g.depthError();
          prov.put("scenes_measured", Integer.toString(st.count()));
          out.add(new MetricResult(s.name(), st.mean(), st.std(), GEOMETRY_NETWORK, s.count(),
              t.size(), seeds, prov));
        }
        case MV_DEPTH, MV_AGREE -> {
          double tol = MultiViewConsistency.defaultTolerance(ctx.camera(),
              ctx.renderResolution());
          MultiViewConsistency.Summary m = mv.computeIfAbsent(s.count(), n ->
              MultiViewConsistency.measure(ctx.scenes(), ctx.camera(), n, seed,
                  MultiViewConsistency.MIN_DEG, MultiViewConsistency.MAX_DEG, tol));
          prov.put("mv_separation_deg", MultiViewConsistency.MIN_DEG + ".."
              + MultiViewConsistency.MAX_DEG);
          prov.put("mv_tolerance", String.format("%.6f", tol));
          var st = s.kind() == MetricSpec.Kind.MV_DEPTH ? m.error() : m.agreement();
          prov.put("scenes_measured", Integer.toString(st.count()));
          out.add(new MetricResult(s.name(), st.mean(), st.std(), GEOMETRY_NETWORK, s.count(), 0,
              seeds, prov));
        }
        default -> throw new IllegalStateException("unhandled geometry metric " + s.kind());
      }
    }
    return out;
  }

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
    check(specs, net, ctx);
    Map<Integer, List<MetricSpec>> byCount = byCount(specs);
    List<MetricResult> results = new ArrayList<>();
    for (Map.Entry<Integer, List<MetricSpec>> group : byCount.entrySet()) {
      int count = group.getKey();
      FeatureCollector.Collected gen = collectGenerated(group.getValue(), net, generated.get(),
          0, count, ctx.batchSize());
      results.addAll(evaluate(group.getValue(), net, gen, count, generatorSeed, metricSeed, ctx));
    }
    List<MetricResult> ordered = new ArrayList<>();
    for (MetricSpec s : specs) {
      results.stream().filter(r -> r.name().equals(s.name())).findFirst().ifPresent(ordered::add);
    }
    return ordered;
  }

  /**
   * Checks that {@code specs} are feature metrics of {@code net}'s kind and that a classifier
   * network was trained on the context's dataset.
   */
  public static void check(List<MetricSpec> specs, FeatureNetwork net, Context ctx) {
    for (MetricSpec s : specs) {
      if (s.isGeometry()) {
        throw new Wild3dException(Wild3dException.EXIT_USAGE, "metric " + s.name()
            + ": a geometry metric uses no feature network (compute it with runGeometry)");
      }
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
  }

  /** {@code specs} grouped by image count, in first-seen order: one generated pass per group. */
  public static Map<Integer, List<MetricSpec>> byCount(List<MetricSpec> specs) {
    Map<Integer, List<MetricSpec>> byCount = new LinkedHashMap<>();
    for (MetricSpec s : specs) {
      byCount.computeIfAbsent(s.count(), c -> new ArrayList<>()).add(s);
    }
    return byCount;
  }

  /** Whether a group of metrics needs raw generated feature rows (KID, precision, recall). */
  public static boolean needsRaw(List<MetricSpec> group) {
    return group.stream().anyMatch(MetricSpec::needsRawFeatures);
  }

  /** Whether a group of metrics needs class probabilities of the generated images (IS, acc). */
  public static boolean needsProbabilities(List<MetricSpec> group) {
    return group.stream().anyMatch(s -> !s.kind().needsReal);
  }

  /**
   * The generated side of one count group: {@code count} images of {@code source} through
   * {@code net}, keeping raw rows and probabilities when the group needs them. A shard passes a
   * source that starts at its first index {@code firstIndex} (batches are cut on the unsharded
   * grid) and its own count.
   */
  public static FeatureCollector.Collected collectGenerated(List<MetricSpec> group,
      FeatureNetwork net, ImageSource source, long firstIndex, int count, int batchSize) {
    boolean raw = needsRaw(group);
    FeatureCollector.Collected gen = FeatureCollector.collect(net, source, count,
        raw ? count : 0, batchSize, needsProbabilities(group), firstIndex);
    if (gen.stats().count() < count) {
      throw new Wild3dException(Wild3dException.EXIT_FAILURE, "generated images: expected "
          + count + ", found " + gen.stats().count() + " (the generator source ran out)");
    }
    return gen;
  }

  /**
   * The results of one count group ({@code group}, all with {@code count} images) from its
   * generated side {@code gen} (collected in one pass, or merged from shards) and the real
   * statistics of the context's cache.
   */
  public static List<MetricResult> evaluate(List<MetricSpec> group, FeatureNetwork net,
      FeatureCollector.Collected gen, int count, long generatorSeed, long metricSeed,
      Context ctx) {
    checkArgument(gen.stats().count() == count, "generated features: expected %s, found %s",
        count, gen.stats().count());
    boolean raw = needsRaw(group);
    // One real-statistics file per group: with raw rows if any metric of the group needs them.
    FeatureStats real = group.stream().anyMatch(s -> s.kind().needsReal)
        ? real(group.get(0), net, raw, ctx)
        : null;
    // Precision and recall come from one pass over both manifolds.
    PrecisionRecall.Result2 pr = group.stream().anyMatch(
        s -> s.kind() == MetricSpec.Kind.PRECISION || s.kind() == MetricSpec.Kind.RECALL)
        ? PrecisionRecall.compute(real.rawFeatures(), gen.stats().rawFeatures(),
            PrecisionRecall.K)
        : null;
    List<MetricResult> results = new ArrayList<>();
    for (MetricSpec s : group) {
      results.add(evaluate(s, net, gen, real, pr, generatorSeed, metricSeed, ctx));
    }
    return results;
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
    List<Double> perClass = null;
    List<List<Long>> confusion = null;
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
      case ACC -> {
        value = (double) gen.correct() / n;
        perClass = gen.perClassAccuracy();
        confusion = gen.confusionRows();
      }
      case PRECISION, RECALL -> {
        numReal = (int) real.count();
        value = s.kind() == MetricSpec.Kind.PRECISION ? pr.precision() : pr.recall();
      }
      default -> throw new IllegalStateException("unhandled metric kind " + s.kind());
    }
    return new MetricResult(s.name(), value, std, net.name(), n, numReal, seeds, prov, perClass,
        confusion);
  }

  private static FeatureStats real(MetricSpec s, FeatureNetwork net, boolean raw, Context ctx) {
    FeatureStats real = ctx.cache().get(ctx.datasetFingerprint(), net, s.count(), raw,
        ctx.realImages(), ctx.batchSize());
    checkArgument(real.count() >= 2, "real images for %s: expected at least 2, found %s",
        s.name(), real.count());
    return real;
  }
}
