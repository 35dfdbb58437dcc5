package org.wild3d.metrics.stats;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.nn.TopK;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat64;

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of
 * balls around its feature vectors with radius the distance to the k-th nearest neighbour in the
 * same set (itself excluded). Precision is the fraction of generated features inside the real
 * manifold; recall the fraction of real features inside the generated one. Distances in float64,
 * computed in row chunks.
 */
public final class PrecisionRecall {
  /** Neighbourhood size of the reference protocol ({@code pr50k3}). */
  public static final int K = 3;
  private static final int CHUNK = 1024;

  /** @param precision fraction in [0, 1]; @param recall fraction in [0, 1] */
  public record Result2(double precision, double recall) {}

  private PrecisionRecall() {}

  /** Shapes: {@code real [Nr,D]}, {@code generated [Ng,D]}; each set needs more than k rows. */
  public static Result2 compute(float[][] real, float[][] generated, int k) {
    checkArgument(real.length > k && generated.length > k,
        "precision/recall: expected more than k=%s features per side, found %s real and %s"
            + " generated", k, real.length, generated.length);
    int d = real[0].length;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> x = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, d)));
      Placeholder<TFloat64> y = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, d)));
      Placeholder<TFloat64> radii = tf.placeholder(TFloat64.class,
          Placeholder.shape(Shape.of(-1)));
      Operand<TFloat64> xx = tf.reduceSum(tf.math.square(x), tf.constant(1),
          ReduceSum.keepDims(true)); // [c,1]
      Operand<TFloat64> yy = tf.reduceSum(tf.math.square(y), tf.constant(1)); // [N]
      Operand<TFloat64> d2 = tf.math.maximum(tf.math.add(tf.math.sub(xx,
          tf.math.mul(tf.constant(2.0), tf.linalg.matMul(x, y, MatMul.transposeB(true)))), yy),
          tf.constant(0.0)); // [c,N] squared distances
      TopK<TFloat64, org.tensorflow.types.TInt32> nearest = tf.nn.topK(tf.math.neg(d2),
          tf.constant(k + 1), org.tensorflow.types.TInt32.class);
      Operand<TFloat64> kth = tf.math.neg(tf.squeeze(tf.slice(nearest.values(),
          tf.constant(new int[] {0, k}), tf.constant(new int[] {-1, 1})),
          org.tensorflow.op.core.Squeeze.axis(java.util.List.of(1L)))); // [c], self excluded
      Operand<TBool> inside = tf.reduceAny(tf.math.lessEqual(d2, radii), tf.constant(1)); // [c]
      try (Session s = new Session(g)) {
        double[] realRadii = kthDistances(s, x, y, kth, real);
        double[] genRadii = kthDistances(s, x, y, kth, generated);
        return new Result2(covered(s, x, y, radii, inside, generated, real, realRadii),
            covered(s, x, y, radii, inside, real, generated, genRadii));
      }
    }
  }

  private static TFloat64 matrix(float[][] rows, int from, int to) {
    int d = rows[0].length;
    double[] flat = new double[(to - from) * d];
    for (int i = from; i < to; i++) {
      for (int j = 0; j < d; j++) {
        flat[(i - from) * d + j] = rows[i][j];
      }
    }
    return TFloat64.tensorOf(Shape.of(to - from, d), DataBuffers.of(flat, true, false));
  }

  private static double[] kthDistances(Session s, Placeholder<TFloat64> x,
      Placeholder<TFloat64> y, Operand<TFloat64> kth, float[][] set) {
    double[] out = new double[set.length];
    try (TFloat64 all = matrix(set, 0, set.length)) {
      for (int from = 0; from < set.length; from += CHUNK) {
        int to = Math.min(set.length, from + CHUNK);
        try (TFloat64 chunk = matrix(set, from, to);
            Result r = s.runner().feed(x, chunk).feed(y, all).fetch(kth).run()) {
          TFloat64 t = (TFloat64) r.get(0);
          for (int i = from; i < to; i++) {
            out[i] = t.getDouble(i - from);
          }
        }
      }
    }
    return out;
  }

  /** Fraction of {@code probe} rows within some ball of {@code manifold}. */
  private static double covered(Session s, Placeholder<TFloat64> x, Placeholder<TFloat64> y,
      Placeholder<TFloat64> radii, Operand<TBool> inside, float[][] probe, float[][] manifold,
      double[] manifoldRadii) {
    long hits = 0;
    try (TFloat64 all = matrix(manifold, 0, manifold.length);
        TFloat64 r2 = TFloat64.vectorOf(manifoldRadii)) {
      for (int from = 0; from < probe.length; from += CHUNK) {
        int to = Math.min(probe.length, from + CHUNK);
        try (TFloat64 chunk = matrix(probe, from, to);
            Result r = s.runner().feed(x, chunk).feed(y, all).feed(radii, r2).fetch(inside)
                .run()) {
          TBool t = (TBool) r.get(0);
          for (int i = 0; i < to - from; i++) {
            hits += t.getBoolean(i) ? 1 : 0;
          }
        }
      }
    }
    return (double) hits / probe.length;
  }
}
