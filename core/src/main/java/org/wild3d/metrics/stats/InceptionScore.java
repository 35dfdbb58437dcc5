package org.wild3d.metrics.stats;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Inception Score {@code IS = exp(mean_x KL(p(y|x) ‖ p(y)))} (Salimans et al. 2016), computed on
 * {@code splits} consecutive parts of the rows ({@code [s·N/splits, (s+1)·N/splits)}, as in
 * OpenAI's reference) and
 * averaged; {@code 0·log 0 = 0}.
 */
public final class InceptionScore {
  private InceptionScore() {}

  /** Shapes: {@code probs [N, K]}, each row a probability distribution over K classes. */
  public static Estimate compute(double[][] probs, int splits) {
    int n = probs.length;
    checkArgument(splits > 0 && n >= splits,
        "IS: expected 1 <= splits <= rows, found %s splits for %s rows", splits, n);
    int k = probs[0].length;
    double[] scores = new double[splits];
    for (int s = 0; s < splits; s++) {
      int lo = (int) ((long) s * n / splits);
      int hi = (int) ((long) (s + 1) * n / splits);
      double[] py = new double[k];
      for (int i = lo; i < hi; i++) {
        checkArgument(probs[i].length == k, "IS: expected rows of %s classes, found %s at row %s",
            k, probs[i].length, i);
        for (int j = 0; j < k; j++) {
          py[j] += probs[i][j];
        }
      }
      for (int j = 0; j < k; j++) {
        py[j] /= (hi - lo);
      }
      double kl = 0;
      for (int i = lo; i < hi; i++) {
        for (int j = 0; j < k; j++) {
          double p = probs[i][j];
          if (p > 0) {
            kl += p * (Math.log(p) - Math.log(py[j]));
          }
        }
      }
      scores[s] = Math.exp(kl / (hi - lo));
    }
    return Estimate.of(scores);
  }

  /** Float32 probabilities (as a feature network returns them), promoted to float64. */
  public static Estimate compute(float[][] probs, int splits) {
    double[][] d = new double[probs.length][];
    for (int i = 0; i < probs.length; i++) {
      d[i] = new double[probs[i].length];
      for (int j = 0; j < d[i].length; j++) {
        d[i][j] = probs[i][j];
      }
    }
    return compute(d, splits);
  }
}
