package org.wild3d.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Grads;

class GanLossesTest {

  private static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  @Test
  void nonSaturatingLossesMatchPlainJava() {
    float[] fake = {-3f, 0.5f, 40f};
    float[] real = {2f, -60f, 0f};
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> lf = tf.constant(Shape.of(3, 1), DataBuffers.of(fake));
      Operand<TFloat32> lr = tf.constant(Shape.of(3, 1), DataBuffers.of(real));
      Operand<TFloat32> lg = GanLosses.generatorLoss(tf, lf);
      Operand<TFloat32> ld = GanLosses.discriminatorLoss(tf, lf, lr);
      try (Session s = new Session(g); Result r = s.runner().fetch(lg).fetch(ld).run()) {
        double g0 = 0;
        double d0 = 0;
        for (int i = 0; i < 3; i++) {
          g0 += softplus(-fake[i]) / 3;
          d0 += (softplus(fake[i]) + softplus(-real[i])) / 3;
        }
        assertThat((double) ((TFloat32) r.get(0)).getFloat()).isCloseTo(g0, within(1e-5 * g0));
        assertThat((double) ((TFloat32) r.get(1)).getFloat()).isCloseTo(d0, within(1e-5 * d0));
      }
    }
  }

  /**
   * D(x)_n = a·Σ x_n² + 3·Σ raw_n over V rows per score: ∂ΣD/∂x = 2a·x, ∂ΣD/∂raw = 3, so
   * R1 = (Σ(2a·x)² + 9·|raw|)/N and dR1/da = 8a·Σx²/N.
   */
  @Test
  void r1IsTheMeanSquaredGradientNormPerScoreAndDifferentiable() {
    int n = 2;
    int v = 2;
    float[] xs = new float[n * v * 2 * 2];
    double sumSq = 0;
    for (int i = 0; i < xs.length; i++) {
      xs[i] = 0.1f * (i - 3);
      sumSq += (double) xs[i] * xs[i];
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = tf.variable(tf.constant(0.7f));
      Operand<TFloat32> aRead = tf.identity(a);
      Operand<TFloat32> x = tf.constant(Shape.of(n * v, 2, 2, 1), DataBuffers.of(xs));
      Operand<TFloat32> raw = tf.fill(tf.constant(new int[] {n * v, 1, 1, 1}), tf.constant(0.5f));
      Operand<TFloat32> perRow =
          tf.math.add(
              tf.math.mul(aRead, tf.reduceSum(tf.math.square(x), tf.constant(new int[] {1, 2, 3}))),
              tf.math.mul(tf.constant(3f), tf.reduceSum(raw, tf.constant(new int[] {1, 2, 3})))); // [N·V]
      Operand<TFloat32> logits =
          tf.reduceSum(tf.reshape(perRow, tf.constant(new int[] {n, v})), tf.constant(1), org.tensorflow.op.core.ReduceSum.keepDims(true)); // [N,1]
      Operand<TFloat32> r1 = GanLosses.r1Penalty(tf, logits, List.of(x, raw));
      Operand<TFloat32> dr1 = Grads.of(tf, r1, List.of(aRead)).get(0);
      try (Session s = new Session(g); Result r = s.runner().fetch(r1).fetch(dr1).run()) {
        double want = (4 * 0.49 * sumSq + 9 * n * v) / n;
        assertThat((double) ((TFloat32) r.get(0)).getFloat()).isCloseTo(want, within(1e-5 * want));
        double dwant = 8 * 0.7 * sumSq / n;
        assertThat((double) ((TFloat32) r.get(1)).getFloat()).isCloseTo(dwant, within(1e-5 * dwant));
      }
    }
  }
}
