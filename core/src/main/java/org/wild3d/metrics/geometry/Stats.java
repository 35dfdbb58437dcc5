package org.wild3d.metrics.geometry;

/**
 * Mean and standard deviation of the finite values of a list (NaN values are left out, counted in
 * {@code count} only when finite).
 *
 * @param mean NaN when no value is finite
 * @param std population standard deviation; 0 for one value
 * @param count finite values
 */
public record Stats(double mean, double std, int count) {
  public static Stats of(double[] values) {
    double sum = 0;
    int n = 0;
    for (double v : values) {
      if (Double.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    if (n == 0) {
      return new Stats(Double.NaN, Double.NaN, 0);
    }
    double mean = sum / n;
    double sq = 0;
    for (double v : values) {
      if (Double.isFinite(v)) {
        sq += (v - mean) * (v - mean);
      }
    }
    return new Stats(mean, Math.sqrt(sq / n), n);
  }
}
