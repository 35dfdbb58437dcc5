package org.wild3d.metrics;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wild3d.AtomicFiles;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;
import org.wild3d.metrics.features.FeatureCollector;
import org.wild3d.metrics.stats.FeatureStats;

/**
 * Shards of the generated side of feature metrics: shard {@code K} of {@code N} of a metric group
 * with {@code M} generated images holds the images {@code [K·M/N, (K+1)·M/N)} of the unsharded
 * stream (same latents, classes and cameras per index), and {@link #merge} folds the shards back
 * into what one pass would have collected.
 *
 * <p>What a shard keeps, per (feature network, image count) group: the float64 mean and co-moment
 * of the generated features ({@link FeatureStats}, merged with Chan's update), their raw float32
 * rows when KID, precision or recall need them (concatenated in index order), the class
 * probabilities when IS or accuracy need them (concatenated in index order, so IS splits are the
 * unsharded ones), and the confusion counts of accuracy (summed). The real side is not sharded:
 * the merge reads it from the real-statistics cache as the unsharded command does.
 *
 * <p>On disk a shard is a JSON manifest ({@link Manifest}) plus one {@code .stats} file per group
 * and one {@code .probs} file per group that keeps probabilities, next to it, all written
 * atomically.
 */
public final class MetricShards {
  /** The {@code format} of a shard manifest. */
  public static final String FORMAT = "wild3d-metric-shard-1";
  private static final int PROBS_MAGIC = 0x57335052; // "W3PR"
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting()
      .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();
  private static final Pattern RANGE = Pattern.compile("(\\d{1,9})/(\\d{1,9})");

  private MetricShards() {}

  /**
   * Shard {@code index} of {@code total} ({@code --shard K/N}).
   *
   * @param index K, 0-based
   * @param total N
   */
  public record Range(int index, int total) {
    public Range {
      if (total < 1 || index < 0 || index >= total) {
        throw new Wild3dException(Wild3dException.EXIT_USAGE, "--shard: expected K/N with N >= 1"
            + " and 0 <= K < N, found " + index + "/" + total + " (e.g. --shard 0/4 .. 3/4)");
      }
    }

    /** Parses {@code K/N}; anything else is a usage error naming {@code --shard}. */
    public static Range parse(String text) {
      Matcher m = RANGE.matcher(text.trim());
      if (!m.matches()) {
        throw new Wild3dException(Wild3dException.EXIT_USAGE, "--shard: expected K/N (shard K of"
            + " N, 0-based, e.g. 0/4), found '" + text + "'");
      }
      return new Range(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** First generated index of this shard in a group of {@code count} images. */
    public int from(int count) {
      return (int) ((long) index * count / total);
    }

    /** One past the last generated index of this shard in a group of {@code count} images. */
    public int to(int count) {
      return (int) ((long) (index + 1) * count / total);
    }

    @Override
    public String toString() {
      return index + "/" + total;
    }
  }

  /**
   * One group's generated side in a shard.
   *
   * @param features the feature network kind of the group's metrics
   * @param network {@code FeatureNetwork#name()} of the network used
   * @param count M, the group's generated images (unsharded)
   * @param from first index of this shard
   * @param to one past its last index
   * @param metrics the group's metric names
   * @param provenance what every result of the group records (dataset, checkpoint, classifier, ...)
   * @param collected the generated features of indices {@code [from, to)}
   */
  public record Group(MetricSpec.Features features, String network, int count, int from, int to,
      List<String> metrics, Map<String, String> provenance, FeatureCollector.Collected collected) {}

  /**
   * The JSON manifest of a shard. The fields above {@code groups} must agree between the shards
   * of one merge ({@link #checkTogether}).
   *
   * @param format {@link #FORMAT}
   * @param shard K
   * @param shards N
   * @param run the run directory (absolute)
   * @param checkpoint the checkpoint directory (absolute)
   * @param configHash the checkpoint's config hash
   * @param seed seed of latents, classes, cameras and KID subsets
   * @param batch images per generator/feature-network call
   * @param classifierSteps training steps of the {@code _cls} classifier
   * @param dataset fingerprint of the real dataset
   * @param metrics the metric names, in command-line order
   * @param groups one entry per (feature network, count) group
   */
  public record Manifest(String format, Integer shard, Integer shards, String run,
      String checkpoint, String configHash, Long seed, Integer batch, Integer classifierSteps,
      String dataset, List<String> metrics, List<GroupEntry> groups) {}

  /**
   * A group in the manifest; {@code statsFile} and {@code probabilitiesFile} are names next to the
   * manifest.
   */
  public record GroupEntry(String features, String network, Integer count, Integer from,
      Integer to, List<String> metrics, String statsFile, String probabilitiesFile,
      List<List<Long>> confusion, Map<String, String> provenance) {}

  /** A shard read back: its manifest file, its manifest and its groups. */
  public record Shard(Path file, Manifest manifest, List<Group> groups) {}

  /**
   * The manifest path of {@code out}: {@code out} itself when it ends with {@code .json}, else
   * {@code out/shard-K-of-N.json} (a folder).
   */
  public static Path manifestPath(Path out, Range range) {
    return out.getFileName().toString().endsWith(".json") ? out
        : out.resolve("shard-" + range.index() + "-of-" + range.total() + ".json");
  }

  /** Writes a shard: data files first, then the manifest that names them (all atomically). */
  public static Path write(Path out, Range range, Manifest header, List<Group> groups)
      throws IOException {
    Path manifest = manifestPath(out, range).toAbsolutePath().normalize();
    Files.createDirectories(manifest.getParent());
    String stem = manifest.getFileName().toString().replaceFirst("\\.json$", "");
    List<GroupEntry> entries = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      Group gr = groups.get(g);
      String statsName = stem + ".g" + g + ".stats";
      gr.collected().stats().save(manifest.resolveSibling(statsName));
      String probsName = null;
      float[][] probs = gr.collected().probabilities();
      if (probs != null) {
        probsName = stem + ".g" + g + ".probs";
        writeProbabilities(manifest.resolveSibling(probsName), probs);
      }
      entries.add(new GroupEntry(gr.features().name(), gr.network(), gr.count(), gr.from(),
          gr.to(), gr.metrics(), statsName, probsName, gr.collected().confusionRows(),
          new TreeMap<>(gr.provenance())));
    }
    Manifest m = new Manifest(FORMAT, range.index(), range.total(), header.run(),
        header.checkpoint(), header.configHash(), header.seed(), header.batch(),
        header.classifierSteps(), header.dataset(), header.metrics(), entries);
    AtomicFiles.writeString(manifest, GSON.toJson(m) + "\n");
    return manifest;
  }

  /** Reads a shard written by {@link #write}; anything missing or malformed is exit 4. */
  public static Shard read(Path file) {
    Manifest m;
    try {
      m = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Manifest.class);
    } catch (IOException e) {
      throw new DataException("metric shard " + file + ": cannot read it (" + e.getMessage()
          + "; give the manifest .json that --shard wrote)", e);
    } catch (JsonParseException e) {
      throw new DataException("metric shard " + file + ": expected the JSON manifest that"
          + " --shard writes, found malformed JSON (" + e.getMessage() + ")", e);
    }
    if (m == null || !FORMAT.equals(m.format())) {
      throw new DataException("metric shard " + file + ": expected format " + FORMAT
          + ", found " + (m == null ? "an empty file" : m.format() == null ? "no format field"
              : m.format())
          + " (give the manifest .json that wild3d-eval metrics --shard wrote)");
    }
    List<Object> required = java.util.Arrays.asList(m.shard(), m.shards(), m.run(),
        m.checkpoint(), m.configHash(), m.seed(), m.batch(), m.classifierSteps(), m.dataset(),
        m.metrics(), m.groups());
    if (required.contains(null)) {
      throw new DataException("metric shard " + file + ": expected every field of " + FORMAT
          + ", found some missing (recompute the shard)");
    }
    List<Group> groups = new ArrayList<>();
    for (GroupEntry e : m.groups()) {
      if (java.util.Arrays.asList(e.features(), e.network(), e.count(), e.from(), e.to(),
          e.metrics(), e.statsFile(), e.provenance()).contains(null)) {
        throw new DataException("metric shard " + file + ": expected every field of each group,"
            + " found some missing (recompute the shard)");
      }
      int n = e.to() - e.from();
      FeatureStats stats = FeatureStats.load(file.resolveSibling(e.statsFile()));
      if (stats.count() != n) {
        throw new DataException("metric shard " + file + ": expected " + n + " generated"
            + " features in " + e.statsFile() + ", found " + stats.count() + " (recompute the"
            + " shard)");
      }
      float[][] probs = e.probabilitiesFile() == null ? null
          : readProbabilities(file.resolveSibling(e.probabilitiesFile()), n);
      long[][] confusion = null;
      if (e.confusion() != null) {
        confusion = e.confusion().stream()
            .map(r -> r.stream().mapToLong(Long::longValue).toArray()).toArray(long[][]::new);
      }
      MetricSpec.Features features;
      try {
        features = MetricSpec.Features.valueOf(e.features());
      } catch (IllegalArgumentException x) {
        throw new DataException("metric shard " + file + ": expected features INCEPTION or"
            + " CLASSIFIER, found " + e.features() + " (recompute the shard)");
      }
      groups.add(new Group(features, e.network(), e.count(), e.from(), e.to(), e.metrics(),
          e.provenance(), new FeatureCollector.Collected(stats, probs, confusion)));
    }
    return new Shard(file, m, groups);
  }

  /**
   * Checks that {@code shards} are all {@code N} shards of one computation, each exactly once:
   * same N, run, checkpoint, config hash, seed, batch, classifier steps, dataset, metrics and
   * groups (feature networks, counts, ranges); a {@link DataException} (exit 4) names the first
   * shard file and field that disagree, a duplicate or a missing shard.
   *
   * @return the shards ordered by K
   */
  public static List<Shard> checkTogether(List<Shard> shards) {
    if (shards.isEmpty()) {
      throw new Wild3dException(Wild3dException.EXIT_USAGE,
          "--merge: expected shard manifests, found none");
    }
    Shard first = shards.get(0);
    Manifest a = first.manifest();
    Map<String, Function<Manifest, Object>> fields = new LinkedHashMap<>();
    fields.put("shards", Manifest::shards);
    fields.put("run", Manifest::run);
    fields.put("checkpoint", Manifest::checkpoint);
    fields.put("config_hash", Manifest::configHash);
    fields.put("seed", Manifest::seed);
    fields.put("batch", Manifest::batch);
    fields.put("classifier_steps", Manifest::classifierSteps);
    fields.put("dataset", Manifest::dataset);
    fields.put("metrics", Manifest::metrics);
    fields.put("feature networks", m -> m.groups().stream().map(GroupEntry::network).toList());
    fields.put("group counts", m -> m.groups().stream().map(GroupEntry::count).toList());
    Shard[] byIndex = new Shard[a.shards()];
    for (Shard s : shards) {
      Manifest m = s.manifest();
      for (Map.Entry<String, Function<Manifest, Object>> f : fields.entrySet()) {
        Object want = f.getValue().apply(a);
        Object got = f.getValue().apply(m);
        if (!Objects.equals(want, got)) {
          throw new DataException("metric shard " + s.file() + ": expected " + f.getKey() + " "
              + want + " like " + first.file() + ", found " + got + " (merge only shards of one"
              + " --run/--checkpoint/--metrics/--seed computation)");
        }
      }
      Range r = new Range(m.shard(), m.shards());
      for (Group g : s.groups()) {
        if (g.from() != r.from(g.count()) || g.to() != r.to(g.count())) {
          throw new DataException("metric shard " + s.file() + ": expected images ["
              + r.from(g.count()) + ", " + r.to(g.count()) + ") of " + g.count() + " for shard "
              + r + ", found [" + g.from() + ", " + g.to() + ") (recompute the shard)");
        }
      }
      if (byIndex[m.shard()] != null) {
        throw new DataException("metric shard " + s.file() + ": expected each shard once, found"
            + " shard " + r + " twice (also " + byIndex[m.shard()].file() + ")");
      }
      byIndex[m.shard()] = s;
    }
    List<String> missing = new ArrayList<>();
    for (int k = 0; k < byIndex.length; k++) {
      if (byIndex[k] == null) {
        missing.add(k + "/" + byIndex.length);
      }
    }
    if (!missing.isEmpty()) {
      throw new DataException("metric shards: expected all " + byIndex.length + " shards of "
          + first.file().getFileName() + "'s computation, found " + shards.size() + "; missing "
          + String.join(", ", missing) + " (compute them with --shard "
          + missing.get(0) + " and merge again)");
    }
    return List.of(byIndex);
  }

  /**
   * The generated side of group {@code g} merged over {@code ordered} shards (ordered by K, as
   * {@link #checkTogether} returns them): statistics merged, raw rows and probabilities
   * concatenated in index order, confusion counts summed.
   */
  public static FeatureCollector.Collected merge(List<Shard> ordered, int g) {
    Group first = ordered.get(0).groups().get(g);
    FeatureStats base = first.collected().stats();
    FeatureStats stats = new FeatureStats(base.dim(), base.maxRaw() > 0 ? first.count() : 0);
    List<float[]> probs = first.collected().probabilities() == null ? null : new ArrayList<>();
    long[][] confusion = null;
    for (Shard s : ordered) {
      FeatureCollector.Collected c = s.groups().get(g).collected();
      if (c.stats().dim() != base.dim() || (c.probabilities() == null) != (probs == null)
          || (c.confusion() == null) != (first.collected().confusion() == null)) {
        throw new DataException("metric shard " + s.file() + ": group " + g + " holds other"
            + " kinds of data than " + ordered.get(0).file() + " (recompute the shard)");
      }
      stats.merge(c.stats());
      if (probs != null) {
        probs.addAll(List.of(c.probabilities()));
      }
      if (c.confusion() != null) {
        if (confusion == null) {
          confusion = new long[c.confusion().length][c.confusion().length];
        }
        if (c.confusion().length != confusion.length) {
          throw new DataException("metric shard " + s.file() + ": expected a " + confusion.length
              + "-class confusion matrix, found " + c.confusion().length + " classes");
        }
        for (int k = 0; k < confusion.length; k++) {
          for (int j = 0; j < confusion.length; j++) {
            confusion[k][j] += c.confusion()[k][j];
          }
        }
      }
    }
    return new FeatureCollector.Collected(stats,
        probs == null ? null : probs.toArray(float[][]::new), confusion);
  }

  private static void writeProbabilities(Path file, float[][] probs) throws IOException {
    AtomicFiles.write(file, os -> {
      DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os, 1 << 16));
      out.writeInt(PROBS_MAGIC);
      out.writeInt(probs.length);
      out.writeInt(probs.length == 0 ? 0 : probs[0].length);
      for (float[] row : probs) {
        for (float v : row) {
          out.writeFloat(v);
        }
      }
      out.flush();
    });
  }

  private static float[][] readProbabilities(Path file, int rows) {
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
      int magic = in.readInt();
      int n = in.readInt();
      int k = in.readInt();
      if (magic != PROBS_MAGIC || n != rows || k < 0) {
        throw new DataException("class probabilities " + file + ": expected " + rows
            + " rows of a wild3d .probs file, found magic " + Integer.toHexString(magic) + " and "
            + n + " rows (recompute the shard)");
      }
      float[][] out = new float[n][k];
      for (float[] row : out) {
        for (int j = 0; j < k; j++) {
          row[j] = in.readFloat();
        }
      }
      if (in.read() != -1) {
        throw new DataException("class probabilities " + file + ": unexpected trailing bytes"
            + " (recompute the shard)");
      }
      return out;
    } catch (IOException e) {
      throw new DataException("class probabilities " + file + ": cannot read it (" + e
          + "; recompute the shard)", e);
    }
  }
}
