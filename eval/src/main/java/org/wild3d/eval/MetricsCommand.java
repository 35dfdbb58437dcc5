package org.wild3d.eval;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.wild3d.DataException;
import org.wild3d.Version;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Configs;
import org.wild3d.config.Data;
import org.wild3d.config.Experiment;
import org.wild3d.data.Dataset;
import org.wild3d.data.Datasets;
import org.wild3d.metrics.ClassifierCache;
import org.wild3d.metrics.ClassifierFeatures;
import org.wild3d.metrics.DatasetFingerprint;
import org.wild3d.metrics.DatasetImageSource;
import org.wild3d.metrics.FeatureNetwork;
import org.wild3d.metrics.GeneratorImageSource;
import org.wild3d.metrics.ImageSource;
import org.wild3d.metrics.InceptionV3Graph;
import org.wild3d.metrics.MetricRegistry;
import org.wild3d.metrics.MetricResult;
import org.wild3d.metrics.MetricRunner;
import org.wild3d.metrics.MetricSpec;
import org.wild3d.metrics.RealStatsCache;
import org.wild3d.model.Snapshot;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wild3d-eval metrics}: registry metrics of a run's generator against its dataset (appended
 * to {@code RUN/metrics.jsonl}), or of one dataset against another / against itself (two seeded
 * halves), the sanity check of a metric.
 *
 * <p>Real images are read in the order of a seeded shuffle ({@link #REAL_ORDER_SEED}), so a metric
 * on fewer images than the dataset holds uses a random subset; their statistics are cached per
 * dataset fingerprint and feature network in {@code <cache>/metrics/}. The {@code _cls} feature
 * network is trained there on first use ({@link ClassifierCache}).
 */
@Command(
    name = "metrics",
    description = {
        "Compute metrics (fid2k_cls, kid2k_cls, acc2k_cls, fid50k, ...) of a run's newest"
            + " checkpoint against its dataset and append them to RUN/metrics.jsonl; or compare two"
            + " datasets (--dataset A --against B, or --dataset A --split).",
        "Names: <fid|kid|is|acc|precision|recall><count>[k][_cls]; no suffix = Inception"
            + " 2015-12-05 (needs --inception or eval.inception_path), _cls = a classifier"
            + " trained on the dataset (cached; trained on first use).",
        "Geometry (--run only): geo_iou<N>, geo_depth<N> (N scenes vs the nearest true object"
            + " of a synthetic dataset under the best rotation), mv_depth<N>, mv_agree<N>"
            + " (depth reprojected between views 20-40 deg apart)."})
final class MetricsCommand implements Callable<Integer> {
  /** Seed of the shuffle that orders real images. */
  static final long REAL_ORDER_SEED = 0;
  /** File of a run's metric results, one JSON line each. */
  static final String METRICS_FILE = "metrics.jsonl";

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--run", paramLabel = "RUN",
        description = "Run directory written by wild3d-train.")
    Path run;

    @Option(names = "--dataset", paramLabel = "PATH",
        description = "A dataset folder/zip to compare (with --against or --split); a .pbtxt"
            + " config file means its data source, like --config.")
    Path dataset;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Use this config's data source as the dataset (with --against or --split).")
    Path config;
  }

  @Option(names = "--checkpoint", paramLabel = "DIR",
      description = "Checkpoint directory of the run (default: the newest complete one).")
  Path checkpoint;

  @Option(names = "--against", paramLabel = "OTHER",
      description = "Dataset folder/zip compared with --dataset/--config (it plays the generator).")
  Path against;

  @Option(names = "--split",
      description = "Compare two disjoint seeded halves of --dataset/--config.")
  boolean split;

  @Option(names = "--metrics", paramLabel = "NAMES", split = ",",
      description = "Comma-separated metric names (default: the config's eval.metrics).")
  List<String> metrics = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of latents, classes, cameras, KID subsets and --split (default: 0).")
  long seed;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "0",
      description = "Images per generator/feature-network call (default: eval.batch_size).")
  int batch;

  @Option(names = "--inception", paramLabel = "FILE",
      description = "Inception 2015-12-05 graph (" + InceptionV3Graph.GRAPH_FILE + " or "
          + InceptionV3Graph.ARCHIVE_FILE + ") for metrics without a suffix.")
  Path inception;

  @Option(names = "--classifier-steps", paramLabel = "N",
      defaultValue = "" + ClassifierCache.DEFAULT_STEPS,
      description = "Training steps of the _cls classifier when none is cached (default: ${DEFAULT-VALUE}).")
  int classifierSteps;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Cache of classifiers and real statistics (default: data.cache_dir/metrics).")
  Path cacheDir;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Append results here (default: RUN/" + METRICS_FILE + "; none for datasets).")
  Path out;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "TF intra-op threads; 0 = all cores.")
  int threads;

  @Override
  public Integer call() throws Exception {
    boolean datasetMode = target.run == null;
    if (datasetMode == (against == null && !split)) {
      throw new ParameterException(spec.commandLine(), datasetMode
          ? "--dataset/--config: expected --against OTHER or --split, found neither"
          : "--against/--split: expected --dataset or --config, found --run");
    }
    if (against != null && split) {
      throw new ParameterException(spec.commandLine(),
          "expected one of --against and --split, found both");
    }
    if (datasetMode && checkpoint != null) {
      throw new ParameterException(spec.commandLine(), "--checkpoint: expected --run, found none");
    }
    PrintWriter log = spec.commandLine().getErr();
    if (target.dataset != null && Files.isRegularFile(target.dataset)
        && target.dataset.getFileName().toString().endsWith(".pbtxt")) {
      target.config = target.dataset;
      target.dataset = null;
    }
    Experiment cfg = datasetMode
        ? (target.config != null ? ConfigLoader.load(target.config, List.of()).resolved() : null)
        : Configs.readResolved(target.run);
    List<String> names = !metrics.isEmpty() ? metrics
        : cfg != null ? cfg.getEval().getMetricsList() : List.of();
    if (names.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "--metrics: expected metric names (e.g. fid2k_cls,kid2k_cls), found none");
    }
    List<MetricSpec> specs = MetricRegistry.parseAll(names);
    List<MetricSpec> geometry = specs.stream().filter(MetricSpec::isGeometry).toList();
    if (datasetMode && !geometry.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "metrics " + String.join(", ",
          geometry.stream().map(MetricSpec::name).toList()) + ": geometry metrics measure a"
          + " generator: expected --run, found --dataset/--config");
    }
    int batchSize = batch > 0 ? batch : cfg != null ? cfg.getEval().getBatchSize()
        : Experiment.getDefaultInstance().getEval().getBatchSize();
    Data data = cfg != null ? cfg.getData() : Data.getDefaultInstance();
    Path cache = cacheDir != null ? cacheDir : Datasets.cacheDir(data).resolve("metrics");
    Path inceptionPath = inception != null ? inception
        : cfg != null && !cfg.getEval().getInceptionPath().isEmpty()
            ? Path.of(cfg.getEval().getInceptionPath()) : null;

    List<MetricResult> results;
    Path jsonl = out;
    if (datasetMode) {
      try (Dataset a = target.dataset != null ? Dataset.open(target.dataset)
              : Datasets.open(data, cfg.getCamera(), data.getResolution(), log);
          Dataset b = against != null ? Dataset.open(against) : null) {
        String fp = DatasetFingerprint.of(a);
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("dataset_location", a.location());
        prov.put("code_version", Version.get());
        Supplier<ImageSource> real;
        Supplier<ImageSource> fake;
        RealStatsCache stats;
        if (split) {
          real = () -> DatasetImageSource.split(a, seed)[0];
          fake = () -> DatasetImageSource.split(a, seed)[1];
          stats = new RealStatsCache(cache.resolve("split-seed" + seed));
          prov.put("against", "split of " + a.location() + " (seed " + seed + ")");
        } else {
          if (b.resolution() != a.resolution()) {
            throw new DataException("dataset " + against + ": expected resolution "
                + a.resolution() + " like " + a.location() + ", found " + b.resolution()
                + " (re-import it at the same resolution)");
          }
          real = () -> DatasetImageSource.shuffled(a, REAL_ORDER_SEED);
          fake = () -> DatasetImageSource.shuffled(b, seed);
          stats = new RealStatsCache(cache);
          prov.put("against", b.location());
          prov.put("against_dataset", DatasetFingerprint.of(b));
        }
        results = compute(specs, a, fp, real, fake, stats, prov, cache, inceptionPath, batchSize,
            log);
      }
    } else {
      try (Snapshot snap = Snapshot.open(target.run, checkpoint, threads);
          Dataset ds = Datasets.open(data, cfg.getCamera(), data.getResolution(), log)) {
        if (snap.imageResolution() != ds.resolution()) {
          throw new DataException("run " + target.run + ": the generator makes "
              + snap.imageResolution() + "x" + snap.imageResolution() + " images but the dataset "
              + ds.location() + " has " + ds.resolution() + "x" + ds.resolution()
              + " (the run's config.resolved.pbtxt and its data disagree)");
        }
        if (Math.max(1, ds.numClasses()) != snap.numClasses()) {
          throw new DataException("run " + target.run + ": model.num_classes is "
              + snap.numClasses() + " but the dataset " + ds.location() + " has "
              + ds.numClasses() + " classes");
        }
        int[] counts = ds.numClasses() <= 1 ? new int[] {1} : ds.classCounts();
        var ckpt = snap.checkpoint();
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("checkpoint", ckpt.dir().toAbsolutePath().normalize().toString());
        prov.put("step", Long.toString(ckpt.manifest().step()));
        prov.put("kimg", Double.toString(ckpt.manifest().kimg()));
        prov.put("config_hash", ckpt.manifest().configHash());
        prov.put("code_version", Version.get());
        prov.put("dataset_location", ds.location());
        prov.put("truncation_psi", "1.0");
        prov.put("real_order_seed", Long.toString(REAL_ORDER_SEED));
        String fp = DatasetFingerprint.of(ds);
        List<MetricResult> all = new ArrayList<>();
        if (!geometry.isEmpty()) { // first: a dataset without true objects fails fast (exit 4)
          log.printf("%s: rendered depth and opacity of the generator%n", String.join(", ",
              geometry.stream().map(MetricSpec::name).toList()));
          log.flush();
          all.addAll(MetricRunner.runGeometry(geometry,
              MetricRunner.GeometryContext.of(snap, ds, fp, seed, prov), seed));
        }
        List<MetricSpec> featureSpecs = specs.stream().filter(s -> !s.isGeometry()).toList();
        if (!featureSpecs.isEmpty()) {
          all.addAll(compute(featureSpecs, ds, fp,
              () -> DatasetImageSource.shuffled(ds, REAL_ORDER_SEED),
              () -> new GeneratorImageSource(snap, counts, seed, 1f), new RealStatsCache(cache),
              prov, cache, inceptionPath, batchSize, log));
        }
        results = new ArrayList<>();
        for (MetricSpec s : specs) {
          all.stream().filter(r -> r.name().equals(s.name())).findFirst()
              .ifPresent(results::add);
        }
      }
      if (jsonl == null) {
        jsonl = target.run.resolve(METRICS_FILE);
      }
    }
    if (jsonl != null) {
      for (MetricResult r : results) {
        r.appendTo(jsonl);
      }
    }
    printTable(spec.commandLine().getOut(), results, jsonl);
    return 0;
  }

  private List<MetricResult> compute(List<MetricSpec> specs, Dataset real, String fingerprint,
      Supplier<ImageSource> realImages, Supplier<ImageSource> generated, RealStatsCache stats,
      Map<String, String> provenance, Path cache, Path inceptionPath, int batchSize,
      PrintWriter log) {
    Map<MetricSpec.Features, List<MetricSpec>> byNet = new LinkedHashMap<>();
    for (MetricSpec s : specs) {
      byNet.computeIfAbsent(s.features(), f -> new ArrayList<>()).add(s);
    }
    if (byNet.containsKey(MetricSpec.Features.INCEPTION) && inceptionPath == null) {
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
          ? InceptionV3Graph.load(inceptionPath, threads)
          : classifier(real, fingerprint, cache, prov, log)) {
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
              stats, batchSize, prov);
          all.addAll(MetricRunner.run(g.getValue(), net,
              () -> new ProgressImageSource(generated.get(), log, "generated features", count),
              seed, seed, ctx));
        }
      }
    }
    List<MetricResult> ordered = new ArrayList<>();
    for (MetricSpec s : specs) {
      all.stream().filter(r -> r.name().equals(s.name())).findFirst().ifPresent(ordered::add);
    }
    return ordered;
  }

  private ClassifierFeatures classifier(Dataset real, String fingerprint, Path cache,
      Map<String, String> prov, PrintWriter log) {
    var w = ClassifierCache.getOrTrain(cache, real, fingerprint, classifierSteps, 0, threads, log);
    prov.put("classifier_file",
        ClassifierCache.file(cache, fingerprint, classifierSteps, 0).toString());
    prov.put("classifier_steps", Integer.toString(w.steps()));
    prov.put("classifier_train_accuracy", String.format("%.4f", w.trainAccuracy()));
    return new ClassifierFeatures(w, threads);
  }

  private static void printTable(PrintWriter out, List<MetricResult> results, Path jsonl) {
    out.printf("%-16s %12s %10s %8s %8s  %s%n", "metric", "value", "std", "gen", "real",
        "feature network");
    for (MetricResult r : results) {
      out.printf("%-16s %12.4f %10.4f %8d %8d  %s%n", r.name(), r.value(), r.std(),
          r.numGenerated(), r.numReal(), r.featureNetwork());
    }
    if (jsonl != null) {
      out.println("appended " + results.size() + " line(s) to " + jsonl);
    }
    out.flush();
  }
}
