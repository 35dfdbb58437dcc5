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
import org.wild3d.cli.ThreadsOption;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Configs;
import org.wild3d.config.Data;
import org.wild3d.config.Experiment;
import org.wild3d.data.Dataset;
import org.wild3d.data.Datasets;
import org.wild3d.metrics.MetricJobs;
import org.wild3d.metrics.MetricRegistry;
import org.wild3d.metrics.MetricResult;
import org.wild3d.metrics.MetricShards;
import org.wild3d.metrics.MetricSpec;
import org.wild3d.metrics.RealStatsCache;
import org.wild3d.metrics.classifier.ClassifierCache;
import org.wild3d.metrics.features.InceptionV3Graph;
import org.wild3d.metrics.images.DatasetFingerprint;
import org.wild3d.metrics.images.DatasetImageSource;
import org.wild3d.metrics.images.ImageSource;
import org.wild3d.model.Snapshot;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
  static final long REAL_ORDER_SEED = MetricJobs.REAL_ORDER_SEED;
  static final String METRICS_FILE = MetricJobs.METRICS_FILE;
  /** Default folder of shard manifests in a run directory. */
  static final String SHARDS_DIR = "metric-shards";

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--run", paramLabel = "RUN",
        description = "Run directory written by wild3d-train.")
    Path run;

    @Option(names = "--dataset", paramLabel = "PATH",
        description = "A dataset folder/zip to score (it plays the generator) against --against,"
            + " or its two seeded halves with --split; a .pbtxt"
            + " config file means its data source, like --config.")
    Path dataset;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Use this config's data source as the dataset (with --against or --split).")
    Path config;

    @Option(names = "--merge", paramLabel = "SHARD", arity = "1..*",
        description = "Merge the shard manifests written by --run RUN --shard K/N (all N of"
            + " them, once each) and compute the metrics as one unsharded run would.")
    List<Path> merge;
  }

  @Option(names = "--shard", paramLabel = "K/N",
      description = "With --run: compute only shard K of N (0-based) of the generated images of"
          + " every metric (images [K*M/N, (K+1)*M/N) of M) and write its feature statistics to"
          + " --out (a .json manifest or a folder; default RUN/" + SHARDS_DIR + "/) for --merge.")
  String shard;

  @Option(names = "--checkpoint", paramLabel = "DIR",
      description = "Checkpoint directory of the run (default: the newest complete one).")
  Path checkpoint;

  @Option(names = "--against", paramLabel = "OTHER",
      description = "The reference dataset folder/zip (the real images: their statistics, the _cls"
          + " classifier and the class names) that --dataset/--config is scored against, e.g."
          + " --dataset SAMPLES --against REAL.")
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

  @Option(names = "--classifier-steps", paramLabel = "N", defaultValue = "0",
      description = "Training steps of the _cls classifier when none is cached (default:"
          + " eval.classifier_steps, " + ClassifierCache.DEFAULT_STEPS + " unless set).")
  int classifierSteps;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Cache of classifiers and real statistics (default: data.cache_dir/metrics).")
  Path cacheDir;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Append results here (default: RUN/" + METRICS_FILE + "; none for datasets);"
          + " with --shard: the shard manifest (.json) or its folder.")
  Path out;

  @Mixin ThreadsOption threads;

  @Override
  public Integer call() throws Exception {
    if (target.merge != null) {
      return merge();
    }
    MetricShards.Range range = shard == null ? null : MetricShards.Range.parse(shard);
    boolean datasetMode = target.run == null;
    if (range != null && datasetMode) {
      throw new ParameterException(spec.commandLine(), "--shard: expected --run RUN (shards"
          + " split a generator's images), found --dataset/--config");
    }
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

    int steps = classifierSteps > 0 ? classifierSteps : cfg != null
        ? cfg.getEval().getClassifierSteps() : ClassifierCache.DEFAULT_STEPS;
    MetricJobs.Settings settings = new MetricJobs.Settings(cache, inceptionPath, batchSize, seed,
        steps, threads.threads());
    List<MetricResult> results;
    List<String> classNames;
    Path jsonl = out;
    if (datasetMode) {
      try (Dataset a = target.dataset != null ? Dataset.open(target.dataset)
              : Datasets.open(data, cfg.getCamera(), data.getResolution(), log);
          Dataset b = against != null ? Dataset.open(against) : null) {
        // The reference (real side: statistics, the _cls classifier, class names) is --against;
        // --dataset plays the generator. With --split both halves come from --dataset.
        Dataset reference = b != null ? b : a;
        String fp = DatasetFingerprint.of(reference);
        classNames = reference.classNames();
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
          real = () -> DatasetImageSource.shuffled(b, REAL_ORDER_SEED);
          fake = () -> DatasetImageSource.shuffled(a, seed);
          stats = new RealStatsCache(cache);
          prov.put("against", b.location());
          prov.put("against_dataset", DatasetFingerprint.of(b));
        }
        results = MetricJobs.compute(specs, reference, fp, real, fake, stats, prov, settings, log);
      }
    } else {
      try (Snapshot snap = Snapshot.open(target.run, checkpoint, threads.threads(), log);
          Dataset ds = Datasets.open(data, cfg.getCamera(), data.getResolution(), log)) {
        var ckpt = snap.checkpoint();
        classNames = ds.classNames();
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("checkpoint", ckpt.dir().toAbsolutePath().normalize().toString());
        prov.put("step", Long.toString(ckpt.manifest().step()));
        prov.put("kimg", Double.toString(ckpt.manifest().kimg()));
        prov.put("checkpoint_verification", ckpt.verification().label());
        prov.put("config_hash", ckpt.manifest().configHash());
        if (range != null) {
          List<MetricShards.Group> groups;
          try {
            groups = MetricJobs.shardOfGenerator(snap, ds, specs, settings, prov, range, log);
          } catch (DataException e) {
            throw new DataException("run " + target.run + ": " + e.getMessage(), e);
          }
          MetricShards.Manifest header = new MetricShards.Manifest(MetricShards.FORMAT,
              range.index(), range.total(), target.run.toAbsolutePath().normalize().toString(),
              prov.get("checkpoint"), ckpt.manifest().configHash(), seed, batchSize, steps,
              DatasetFingerprint.of(ds), specs.stream().map(MetricSpec::name).toList(), null);
          Path written = MetricShards.write(out != null ? out : target.run.resolve(SHARDS_DIR),
              range, header, groups);
          PrintWriter o = spec.commandLine().getOut();
          o.printf("wrote shard %s of %s to %s%n", range, String.join(", ", header.metrics()),
              written);
          o.printf("merge all %d with: wild3d-eval metrics --merge <the %d shard .json files>%n",
              range.total(), range.total());
          o.flush();
          return 0;
        }
        try {
          results = MetricJobs.ofGenerator(snap, ds, specs, settings, prov, log);
        } catch (DataException e) {
          throw new DataException("run " + target.run + ": " + e.getMessage(), e);
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
    printTable(spec.commandLine().getOut(), results, jsonl, classNames);
    return 0;
  }

  /**
   * {@code --merge}: checks that the shards belong together, merges their generated sides and
   * computes the results against the run's dataset (real statistics from the cache), appended to
   * {@code --out} or the run's {@code metrics.jsonl} like an unsharded run.
   */
  private int merge() throws Exception {
    var parsed = spec.commandLine().getParseResult();
    for (String flag : List.of("--shard", "--checkpoint", "--metrics", "--seed", "--batch",
        "--classifier-steps", "--against", "--split")) {
      if (parsed.hasMatchedOption(flag)) {
        throw new ParameterException(spec.commandLine(), flag + ": expected it not with --merge"
            + " (the shards record what they were computed with), found it");
      }
    }
    PrintWriter log = spec.commandLine().getErr();
    List<MetricShards.Shard> shards = new ArrayList<>();
    for (Path p : target.merge) {
      shards.add(MetricShards.read(p));
    }
    List<MetricShards.Shard> ordered = MetricShards.checkTogether(shards);
    MetricShards.Manifest m = ordered.get(0).manifest();
    Path run = Path.of(m.run());
    Experiment cfg = Configs.readResolved(run);
    Data data = cfg.getData();
    Path cache = cacheDir != null ? cacheDir : Datasets.cacheDir(data).resolve("metrics");
    Path inceptionPath = inception != null ? inception
        : !cfg.getEval().getInceptionPath().isEmpty()
            ? Path.of(cfg.getEval().getInceptionPath()) : null;
    MetricJobs.Settings settings = new MetricJobs.Settings(cache, inceptionPath, m.batch(),
        m.seed(), m.classifierSteps(), threads.threads());
    List<MetricResult> results;
    List<String> classNames;
    try (Dataset ds = Datasets.open(data, cfg.getCamera(), data.getResolution(), log)) {
      classNames = ds.classNames();
      results = MetricJobs.ofShards(ordered, ds, settings, log);
    } catch (DataException e) {
      throw new DataException("run " + run + ": " + e.getMessage(), e);
    }
    Path jsonl = out != null ? out : run.resolve(METRICS_FILE);
    for (MetricResult r : results) {
      r.appendTo(jsonl);
    }
    printTable(spec.commandLine().getOut(), results, jsonl, classNames);
    return 0;
  }

  private static void printTable(PrintWriter out, List<MetricResult> results, Path jsonl,
      List<String> classNames) {
    out.printf("%-16s %12s %10s %8s %8s  %s%n", "metric", "value", "std", "gen", "real",
        "feature network");
    for (MetricResult r : results) {
      out.printf("%-16s %12.4f %10.4f %8d %8d  %s%n", r.name(), r.value(), r.std(),
          r.numGenerated(), r.numReal(), r.featureNetwork());
    }
    for (MetricResult r : results) {
      if (r.perClass() != null) {
        out.printf("%s by class: %s%n", r.name(), r.perClassLine(classNames));
        String mistakes = r.confusionLine(classNames);
        if (!mistakes.isEmpty()) {
          out.printf("%s mistaken: %s%n", r.name(), mistakes);
        }
      }
    }
    if (jsonl != null) {
      out.println("appended " + results.size() + " line(s) to " + jsonl);
    }
    out.flush();
  }
}
