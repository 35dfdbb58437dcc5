package org.wild3d.metrics;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;

/** Runs images from a source through a feature network, accumulating what metrics need. */
public final class FeatureCollector {
  /**
   * @param stats feature statistics (raw rows kept as requested)
   * @param probabilities {@code [N,K]} class probabilities, or null when not requested
   * @param correct images whose most probable class equals their label (when probabilities were
   *     requested)
   */
  public record Collected(FeatureStats stats, float[][] probabilities, long correct) {}

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
    checkArgument(batchSize > 0, "batch size: expected > 0, found %s", batchSize);
    checkArgument(!withProbabilities || net.numClasses() > 0,
        "%s has no class probabilities", net.name());
    FeatureStats stats = new FeatureStats(net.featureDim(), maxRaw);
    List<float[]> probs = new ArrayList<>();
    long correct = 0;
    while (stats.count() < count) {
      ImageBatch b = source.next((int) Math.min(batchSize, count - stats.count()));
      if (b.size() == 0) {
        break;
      }
      FeatureNetwork.Activations a = net.compute(b);
      stats.add(a.features());
      if (withProbabilities) {
        for (int i = 0; i < b.size(); i++) {
          float[] p = a.probabilities()[i];
          int best = 0;
          for (int k = 1; k < p.length; k++) {
            best = p[k] > p[best] ? k : best;
          }
          correct += best == b.labels()[i] ? 1 : 0;
          probs.add(p);
        }
      }
    }
    return new Collected(stats, withProbabilities ? probs.toArray(float[][]::new) : null,
        correct);
  }
}
