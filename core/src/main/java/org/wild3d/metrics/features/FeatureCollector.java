package org.wild3d.metrics.features;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.metrics.images.ImageSource;
import org.wild3d.metrics.stats.FeatureStats;

/** Runs images from a source through a feature network, accumulating what metrics need. */
public final class FeatureCollector {
  /**
   * @param stats feature statistics (raw rows kept as requested)
   * @param probabilities {@code [N,K]} class probabilities, or null when not requested
   * @param confusion {@code [K][K]} counts of images by label (row) and most probable class
   *     (column) when probabilities were requested, else null
   */
  public record Collected(FeatureStats stats, float[][] probabilities, long[][] confusion) {
    /** Images whose most probable class equals their label (0 without probabilities). */
    public long correct() {
      long n = 0;
      for (int k = 0; confusion != null && k < confusion.length; k++) {
        n += confusion[k][k];
      }
      return n;
    }

    /**
     * Accuracy per label: {@code confusion[k][k] / Σ_j confusion[k][j]}, NaN for a label with no
     * images; null without probabilities.
     */
    public List<Double> perClassAccuracy() {
      if (confusion == null) {
        return null;
      }
      List<Double> out = new ArrayList<>();
      for (long[] row : confusion) {
        long total = 0;
        for (long v : row) {
          total += v;
        }
        out.add(total == 0 ? Double.NaN : (double) row[out.size()] / total);
      }
      return out;
    }

    /** The confusion matrix as rows of counts (for JSON); null without probabilities. */
    public List<List<Long>> confusionRows() {
      if (confusion == null) {
        return null;
      }
      List<List<Long>> rows = new ArrayList<>();
      for (long[] row : confusion) {
        List<Long> r = new ArrayList<>();
        for (long v : row) {
          r.add(v);
        }
        rows.add(r);
      }
      return rows;
    }
  }

  private FeatureCollector() {}

  /**
   * Up to {@code count} images from {@code source} (fewer if it runs out) in batches of
   * {@code batchSize}.
   *
   * @param maxRaw raw feature rows to keep (KID); 0 = none
   * @param withProbabilities also keep class probabilities (IS, accuracy)
   */
  public static Collected collect(FeatureNetwork net, ImageSource source, int count, int maxRaw,
      int batchSize, boolean withProbabilities) {
    return collect(net, source, count, maxRaw, batchSize, withProbabilities, 0);
  }

  /**
   * As {@link #collect(FeatureNetwork, ImageSource, int, int, int, boolean)} for a source whose
   * first image is image {@code firstIndex} of a longer stream (a metric shard): batches are cut
   * on that stream's grid of {@code batchSize} (the first one ends at the next multiple), so
   * every image of a shard except those of its first and last batch sees the same batch as in
   * one unsharded pass (TF's kernels may round a row differently in batches of other sizes).
   */
  public static Collected collect(FeatureNetwork net, ImageSource source, int count, int maxRaw,
      int batchSize, boolean withProbabilities, long firstIndex) {
    checkArgument(firstIndex >= 0, "first index: expected >= 0, found %s", firstIndex);
    checkArgument(batchSize > 0, "batch size: expected > 0, found %s", batchSize);
    checkArgument(!withProbabilities || net.numClasses() > 0,
        "%s has no class probabilities", net.name());
    FeatureStats stats = new FeatureStats(net.featureDim(), maxRaw);
    List<float[]> probs = new ArrayList<>();
    int k = withProbabilities ? net.numClasses() : 0;
    long[][] confusion = withProbabilities ? new long[k][k] : null;
    while (stats.count() < count) {
      // firstIndex 0: exactly the batches of the plain overload, whatever sizes the source returns.
      long toGrid = firstIndex == 0 ? batchSize
          : batchSize - (firstIndex + stats.count()) % batchSize;
      ImageBatch b = source.next((int) Math.min(toGrid, count - stats.count()));
      if (b.size() == 0) {
        break;
      }
      FeatureNetwork.Activations a = net.compute(b);
      stats.add(a.features());
      if (withProbabilities) {
        for (int i = 0; i < b.size(); i++) {
          float[] p = a.probabilities()[i];
          int best = 0;
          for (int j = 1; j < p.length; j++) {
            best = p[j] > p[best] ? j : best;
          }
          int label = b.labels()[i];
          if (label >= 0 && label < k) { // a label the network does not know counts as wrong
            confusion[label][best]++;
          }
          probs.add(p);
        }
      }
    }
    return new Collected(stats, withProbabilities ? probs.toArray(float[][]::new) : null,
        confusion);
  }
}
