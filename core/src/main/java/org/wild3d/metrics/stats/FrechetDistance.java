package org.wild3d.metrics.stats;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.linalg.SelfAdjointEig;
import org.tensorflow.types.TFloat64;

/**
 * Fréchet distance between two Gaussians, the core of FID:
 * {@code d² = ‖μ1−μ2‖² + Tr(Σ1 + Σ2 − 2·(Σ1Σ2)^½)}.
 *
 * <p>The trace of the matrix square root is computed through symmetric matrices only, which is
 * stable even when Σ1Σ2 is badly conditioned (no complex parts, no Schur iteration):
 * {@code Tr((Σ1Σ2)^½) = Σ √eig(Lᵀ Σ2 L)} with {@code Σ1 = L Lᵀ} (Cholesky), because Σ1Σ2 is
 * similar to that symmetric positive semi-definite matrix. When Σ1 is singular (fewer images than
 * dimensions) the Cholesky factor does not exist and {@code √Σ1 Σ2 √Σ1} is used instead, with
 * {@code √Σ1} from a symmetric eigendecomposition (negative round-off eigenvalues clamped to 0). The linear algebra runs in float64 on TF's
 * native kernels ({@code SelfAdjointEigV2}, {@code MatMul}): a 2048-d Inception covariance takes
 * seconds there, far less than in plain Java.
 */
public final class FrechetDistance {
  private FrechetDistance() {}

  /**
   * Shapes: {@code mu [D]}, {@code sigma [D,D]} (symmetric positive semi-definite; the symmetric
   * part is used).
   */
  public static double compute(double[] mu1, double[][] sigma1, double[] mu2, double[][] sigma2) {
    int d = mu1.length;
    checkArgument(d > 0, "FID: expected a non-empty mean, found dimension 0");
    checkArgument(
        mu2.length == d && sigma1.length == d && sigma2.length == d && sigma1[0].length == d
            && sigma2[0].length == d,
        "FID: expected means [%s] and covariances [%s,%s], found mu2 [%s], sigma1 [%s,%s], sigma2"
            + " [%s,%s] (both statistics must come from the same feature network)",
        d, d, d, mu2.length, sigma1.length, sigma1[0].length, sigma2.length, sigma2[0].length);
    double meanTerm = 0;
    double traceTerm = 0;
    for (int i = 0; i < d; i++) {
      meanTerm += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
      traceTerm += sigma1[i][i] + sigma2[i][i];
    }
    return meanTerm + traceTerm - 2 * traceSqrtProduct(sigma1, sigma2);
  }

  /** FID between two feature statistics (covariance estimate of {@link FeatureStats}). */
  public static double compute(FeatureStats a, FeatureStats b) {
    return compute(a.mean(), a.covariance(), b.mean(), b.covariance());
  }

  /**
   * {@code Tr((Σ1Σ2)^½)} for symmetric PSD Σ1, Σ2: through a Cholesky factor of Σ1 when it is
   * positive definite (cheaper), otherwise through its symmetric square root.
   */
  static double traceSqrtProduct(double[][] sigma1, double[][] sigma2) {
    try {
      return traceSqrtProduct(sigma1, sigma2, true);
    } catch (org.tensorflow.exceptions.TFInvalidArgumentException e) {
      return traceSqrtProduct(sigma1, sigma2, false); // Σ1 singular (e.g. fewer images than D)
    }
  }

  /**
   * Σ1Σ2 is similar to a symmetric PSD matrix whose eigenvalues are summed after a square root:
   * {@code Lᵀ Σ2 L} for {@code Σ1 = L Lᵀ} (Cholesky), or {@code √Σ1 Σ2 √Σ1} with {@code √Σ1} from
   * a symmetric eigendecomposition (negative round-off eigenvalues clamped to 0).
   */
  private static double traceSqrtProduct(double[][] sigma1, double[][] sigma2, boolean cholesky) {
    int d = sigma1.length;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> s1 = tf.placeholder(TFloat64.class,
          Placeholder.shape(Shape.of(d, d)));
      Placeholder<TFloat64> s2 = tf.placeholder(TFloat64.class,
          Placeholder.shape(Shape.of(d, d)));
      Operand<TFloat64> zero = tf.constant(0.0);
      Operand<TFloat64> m;
      if (cholesky) {
        Operand<TFloat64> l = tf.linalg.cholesky(symmetric(tf, s1)); // [D,D], lower
        m = tf.linalg.matMul(tf.linalg.matMul(l, symmetric(tf, s2), MatMul.transposeA(true)), l);
      } else {
        SelfAdjointEig<TFloat64> e1 = tf.linalg.selfAdjointEig(symmetric(tf, s1),
            SelfAdjointEig.computeV(true));
        Operand<TFloat64> root = tf.math.sqrt(tf.math.maximum(e1.e(), zero)); // [D]
        Operand<TFloat64> v = e1.v(); // [D,D], columns are eigenvectors
        Operand<TFloat64> sqrt1 = tf.linalg.matMul(tf.math.mul(v, root), v,
            MatMul.transposeB(true)); // V·diag(√e)·Vᵀ
        m = tf.linalg.matMul(tf.linalg.matMul(sqrt1, symmetric(tf, s2)), sqrt1);
      }
      SelfAdjointEig<TFloat64> e2 = tf.linalg.selfAdjointEig(symmetric(tf, m),
          SelfAdjointEig.computeV(false));
      Operand<TFloat64> trace = tf.reduceSum(tf.math.sqrt(tf.math.maximum(e2.e(), zero)),
          tf.constant(0));
      try (Session s = new Session(g);
          TFloat64 t1 = Float64.matrix(sigma1);
          TFloat64 t2 = Float64.matrix(sigma2);
          Result r = s.runner().feed(s1, t1).feed(s2, t2).fetch(trace).run()) {
        return Float64.scalar(r.get(0));
      }
    }
  }

  private static Operand<TFloat64> symmetric(Ops tf, Operand<TFloat64> a) {
    return tf.math.mul(tf.math.add(a, tf.linalg.transpose(a, tf.constant(new int[] {1, 0}))),
        tf.constant(0.5));
  }
}
