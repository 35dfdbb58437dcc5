package org.wild3d.tf;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Measures this machine's float32 MatMul throughput (GFLOP/s) with TF, the reference against which
 * benchmarks report achieved GFLOP/s.
 */
public final class MatMulPeak {
  private MatMulPeak() {}

  /**
   * Median GFLOP/s of {@code repeats} timed runs of an {@code n×n} by {@code n×n} MatMul (after one
   * warm-up). One element of the product is fetched so Grappler cannot prune the work.
   */
  public static double measure(int n, int repeats, int threads) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a =
          tf.random.statelessRandomNormal(tf.constant(Shape.of(n, n)), tf.constant(new long[] {1, 2}));
      Operand<TFloat32> b =
          tf.random.statelessRandomNormal(tf.constant(Shape.of(n, n)), tf.constant(new long[] {3, 4}));
      // Materialise the inputs once in variables so only the MatMul is timed.
      var va = tf.variable(a);
      var vb = tf.variable(b);
      var prod = tf.linalg.matMul(tf.identity(va), tf.identity(vb));
      var one = tf.slice(prod, tf.constant(new int[] {0, 0}), tf.constant(new int[] {1, 1}));
      double[] times = new double[repeats];
      try (Session s = Sessions.create(g, threads)) {
        s.runner().fetch(one).run().close();
        for (int r = 0; r < repeats; r++) {
          long t0 = System.nanoTime();
          try (var res = s.runner().fetch(one).run()) {
            times[r] = (System.nanoTime() - t0) / 1e9;
          }
        }
      }
      java.util.Arrays.sort(times);
      double median = times[repeats / 2];
      return 2.0 * n * n * (double) n / median / 1e9;
    }
  }
}
