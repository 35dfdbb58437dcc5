package org.wild3d.metrics.stats;

/**
 * A metric value averaged over repetitions (KID subsets, IS splits) with its spread.
 *
 * @param value the mean over repetitions
 * @param std the population standard deviation over repetitions (0 for one repetition)
 */
public record Estimate(double value, double std) {
  static Estimate of(double[] samples) {
    double mean = 0;
    for (double s : samples) {
      mean += s;
    }
    mean /= samples.length;
    double var = 0;
    for (double s : samples) {
      var += (s - mean) * (s - mean);
    }
    return new Estimate(mean, Math.sqrt(var / samples.length));
  }
}
