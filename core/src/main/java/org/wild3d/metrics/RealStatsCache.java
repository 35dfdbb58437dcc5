package org.wild3d.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.wild3d.metrics.features.FeatureCollector;
import org.wild3d.metrics.features.FeatureNetwork;
import org.wild3d.metrics.images.ImageSource;
import org.wild3d.metrics.stats.FeatureStats;

/**
 * Real-data feature statistics cached on disk by (dataset fingerprint, feature network name,
 * image count, raw features kept), written atomically, so a 50k reference is computed once.
 */
public final class RealStatsCache {
  private final Path dir;

  public RealStatsCache(Path dir) {
    this.dir = dir;
  }

  /** The cache file of a key. */
  public Path file(String datasetFingerprint, String network, int count, boolean raw) {
    return dir.resolve(safe(datasetFingerprint) + "-" + safe(network) + "-" + count
        + (raw ? "-raw" : "") + ".stats");
  }

  private static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /**
   * The statistics of the first {@code count} images of {@code real} (fewer if it runs out)
   * through {@code net}, from the cache or computed and stored. A cached file with raw features
   * also serves requests without.
   *
   * @param raw keep raw feature rows (KID)
   * @param real opens the dataset; only called on a cache miss
   */
  public FeatureStats get(String datasetFingerprint, FeatureNetwork net, int count, boolean raw,
      Supplier<ImageSource> real, int batchSize) {
    Path withRaw = file(datasetFingerprint, net.name(), count, true);
    Path plain = file(datasetFingerprint, net.name(), count, false);
    if (Files.isRegularFile(withRaw)) {
      return FeatureStats.load(withRaw);
    }
    if (!raw && Files.isRegularFile(plain)) {
      return FeatureStats.load(plain);
    }
    FeatureStats s = FeatureCollector.collect(net, real.get(), count, raw ? count : 0, batchSize,
        false).stats();
    try {
      s.save(raw ? withRaw : plain);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write real-data statistics to " + dir, e);
    }
    return s;
  }
}
