package org.wild3d.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.wild3d.nn.TestFloats.feeds;
import static org.wild3d.nn.TestFloats.fetch;
import static org.wild3d.nn.TestFloats.tensor;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Grads;

/** {@link Fir#gaussianBlur}: known answers against a plain-Java Gaussian, and its gradients. */
class FirBlurTest {
  private static final int H = 9;
  private static final int W = 11;
  private static final int R = 6;

  /** A 1×H×W×1 image with 1 at (row 4, col 3). */
  private static float[] delta() {
    float[] v = new float[H * W];
    v[4 * W + 3] = 1f;
    return v;
  }

  private static float[] blur(float[] x, float sigma) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 xt = tensor(x, 1, H, W, 1)) {
      Ops tf = Ops.create(g);
      var xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, H, W, 1)));
      Operand<TFloat32> y = Fir.gaussianBlur(tf, xp, tf.constant(sigma), R);
      assertThat(y.shape().asArray()).containsExactly(-1, H, W, 1);
      return fetch(s, y, feeds(xp, xt));
    }
  }

  @Test
  void blursADeltaIntoTheNormalisedSeparableGaussianWithZeroPadding() {
    float sigma = 1.7f;
    double[] taps = new double[2 * R + 1];
    double sum = 0;
    for (int i = -R; i <= R; i++) {
      taps[i + R] = Math.pow(2, -(i / (double) sigma) * (i / (double) sigma));
      sum += taps[i + R];
    }
    float[] y = blur(delta(), sigma);
    double total = 0;
    for (int i = 0; i < H; i++) {
      for (int j = 0; j < W; j++) {
        int di = i - 4;
        int dj = j - 3;
        double expect = Math.abs(di) > R || Math.abs(dj) > R ? 0
            : taps[di + R] / sum * taps[dj + R] / sum; // beyond the radius: no tap
        assertThat((double) y[i * W + j]).as("(%s,%s)", i, j).isCloseTo(expect, within(1e-6));
        total += y[i * W + j];
      }
    }
    // Mass that fell off the left border (zero padding) is lost, as in upfirdn2d.
    assertThat(total).isLessThan(1.0).isGreaterThan(0.9);
  }

  @Test
  void sigmaZeroIsExactlyTheIdentity() {
    float[] x = new float[H * W];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.37);
    }
    assertThat(blur(x, 0f)).containsExactly(x);
  }

  @Test
  void secondOrderGradientsFlowThroughTheBlur() {
    // R1 differentiates D's input gradient again: check the first derivative against B's taps,
    // then that a derivative of its squared norm (second order) exists and is not zero.
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 xt = tensor(delta(), 1, H, W, 1)) {
      Ops tf = Ops.create(g);
      var xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, H, W, 1)));
      var sigma = tf.constant(1.2f);
      Operand<TFloat32> y = Fir.gaussianBlur(tf, xp, sigma, R);
      Operand<TFloat32> weight = tf.reshape(tf.constant(delta()), tf.constant(new int[] {1, H, W, 1}));
      // L = Σ y·e  (e = delta) → dL/dx = Bᵀe = blur(e) (the kernel is symmetric).
      Operand<TFloat32> loss = tf.sum(tf.math.mul(y, weight), tf.constant(new int[] {0, 1, 2, 3}));
      Operand<TFloat32> dx = Grads.of(tf, loss, List.of(xp)).get(0);
      Operand<TFloat32> r1 = tf.sum(tf.math.square(dx), tf.constant(new int[] {0, 1, 2, 3}));
      Operand<TFloat32> dsigma = Grads.of(tf, r1, List.of(sigma)).get(0);
      float[] grad = fetch(s, dx, feeds(xp, xt));
      float[] expect = blur(delta(), 1.2f);
      for (int i = 0; i < grad.length; i++) {
        assertThat(grad[i]).isCloseTo(expect[i], within(1e-6f));
      }
      float[] ds = fetch(s, dsigma, feeds(xp, xt));
      assertThat(ds).hasSize(1);
      assertThat(Float.isFinite(ds[0])).isTrue();
      assertThat(ds[0]).isNotZero();
    }
  }
}
