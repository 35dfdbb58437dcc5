package org.wild3d.metrics.stats;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat64;

/**
 * Kernel Inception Distance: the unbiased MMD² estimate with the cubic polynomial kernel
 * {@code k(x,y) = (x·y/D + 1)³} (Bińkowski et al. 2018), averaged over random subsets.
 *
 * <p>Per subset of {@code m} rows from each side: mean of {@code k(x,x')} over {@code x≠x'} plus
 * mean of {@code k(y,y')} over {@code y≠y'} minus twice the mean of {@code k(x,y)}. Subsets are
 * drawn without replacement with a {@link SplittableRandom} seeded by {@code seed}; when
 * {@code subsetSize} covers both sets, the one possible subset (all rows) is evaluated once. Kernels are
 * evaluated in float64 on TF's MatMul.
 */
public final class Kid {
  private Kid() {}

  /** Shapes: {@code x [Nx, D]}, {@code y [Ny, D]}. */
  public static Estimate compute(
      double[][] x, double[][] y, int numSubsets, int subsetSize, long seed) {
    return compute(x.length, i -> x[i], y.length, i -> y[i], dimOf(x, y), numSubsets, subsetSize,
        seed);
  }

  /** Float32 feature rows (e.g. {@link FeatureStats#rawFeatures()}), promoted to float64. */
  public static Estimate compute(
      float[][] x, float[][] y, int numSubsets, int subsetSize, long seed) {
    checkArgument(x.length > 0 && y.length > 0, "KID: expected features on both sides, found %s"
        + " and %s rows (keep raw features in FeatureStats: maxRaw > 0)", x.length, y.length);
    return compute(x.length, i -> toDouble(x[i]), y.length, i -> toDouble(y[i]), x[0].length,
        numSubsets, subsetSize, seed);
  }

  private interface Rows {
    double[] row(int i);
  }

  private static int dimOf(double[][] x, double[][] y) {
    checkArgument(x.length > 0 && y.length > 0,
        "KID: expected features on both sides, found %s and %s rows", x.length, y.length);
    return x[0].length;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static Estimate compute(int nx, Rows x, int ny, Rows y, int d, int numSubsets,
      int subsetSize, long seed) {
    checkArgument(numSubsets > 0, "KID: expected numSubsets > 0, found %s", numSubsets);
    int m = Math.min(subsetSize, Math.min(nx, ny));
    checkArgument(m >= 2, "KID: expected subsets of at least 2 rows, found %s (features: %s"
        + " and %s rows, subsetSize %s)", m, nx, ny, subsetSize);
    if (m == nx && m == ny) {
      numSubsets = 1; // every subset would be all rows: the same estimate each time
    }
    SplittableRandom rng = new SplittableRandom(seed);
    double[] t = new double[numSubsets];
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> px = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(m, d)));
      Placeholder<TFloat64> py = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(m, d)));
      Operand<TFloat64> kxx = kernel(tf, px, px, d); // [m,m]
      Operand<TFloat64> kyy = kernel(tf, py, py, d);
      Operand<TFloat64> kxy = kernel(tf, px, py, d);
      Operand<TFloat64> a = tf.math.add(kxx, kyy);
      Operand<TFloat64> offDiag = tf.math.sub(sum(tf, a), sum(tf, tf.linalg.matrixDiagPart(a,
          tf.constant(0), tf.constant(0.0))));
      Operand<TFloat64> est = tf.math.div(tf.math.sub(
          tf.math.div(offDiag, tf.constant((double) (m - 1))),
          tf.math.mul(sum(tf, kxy), tf.constant(2.0 / m))), tf.constant((double) m));
      try (Session s = new Session(g)) {
        for (int k = 0; k < numSubsets; k++) {
          try (TFloat64 tx = Float64.matrix(subset(x, nx, m, d, rng));
              TFloat64 ty = Float64.matrix(subset(y, ny, m, d, rng));
              Result r = s.runner().feed(px, tx).feed(py, ty).fetch(est).run()) {
            t[k] = Float64.scalar(r.get(0));
          }
        }
      }
    }
    return Estimate.of(t);
  }

  private static Operand<TFloat64> kernel(Ops tf, Operand<TFloat64> a, Operand<TFloat64> b,
      int d) {
    Operand<TFloat64> dot = tf.linalg.matMul(a, b, MatMul.transposeB(true));
    Operand<TFloat64> base = tf.math.add(tf.math.div(dot, tf.constant((double) d)),
        tf.constant(1.0));
    return tf.math.mul(tf.math.square(base), base);
  }

  private static Operand<TFloat64> sum(Ops tf, Operand<TFloat64> a) {
    return tf.reduceSum(a, tf.range(tf.constant(0), tf.rank(a), tf.constant(1)));
  }

  /** {@code m} distinct rows (all rows in order when {@code m == n}). Shapes: {@code [m, D]}. */
  private static double[][] subset(Rows rows, int n, int m, int d, SplittableRandom rng) {
    double[][] out = new double[m][];
    if (m == n) {
      for (int i = 0; i < m; i++) {
        out[i] = rows.row(i);
      }
      return out;
    }
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    for (int i = 0; i < m; i++) { // partial Fisher-Yates
      int j = i + rng.nextInt(n - i);
      int tmp = idx[i];
      idx[i] = idx[j];
      idx[j] = tmp;
      out[i] = rows.row(idx[i]);
    }
    return out;
  }
}
