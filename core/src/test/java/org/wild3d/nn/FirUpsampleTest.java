package org.wild3d.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.wild3d.nn.TestFloats.feeds;
import static org.wild3d.nn.TestFloats.fetch;
import static org.wild3d.nn.TestFloats.gaussian;
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

class FirUpsampleTest {
  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  /**
   * The polyphase upsampling has the same values and input gradient as upfirdn2d's formulation:
   * zero insertion, pad (2,1), [1,3,3,1] filter with gain 4.
   */
  @Test
  void polyphaseEqualsZeroInsertionAndFilterForwardAndBackward() {
    int n = 2;
    int h = 5;
    int w = 6;
    int c = 3;
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 xt = tensor(gaussian(1, n * h * w * c, 1), n, h, w, c)) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, h, w, c)));
      Operand<TFloat32> fast = Fir.upsample2x(tf, x);
      Operand<TFloat32> ref = Fir.filter(tf, Fir.zeroInsert2x(tf, x), Fir.defaultFilter(), 2, 1, 1, 4f);
      assertThat(fast.shape().asArray()).containsExactly(-1, 2 * h, 2 * w, c);
      float[] a = fetch(s, fast, feeds(x, xt));
      float[] b = fetch(s, ref, feeds(x, xt));
      assertThat(maxAbsDiff(a, b)).isLessThan(1e-6);
      Operand<TFloat32> cot =
          tf.reshape(tf.constant(gaussian(2, n * 4 * h * w * c, 1)), tf.constant(new int[] {n, 2 * h, 2 * w, c}));
      Operand<TFloat32> ga = Grads.of(tf, tf.reduceSum(tf.math.mul(fast, cot), tf.constant(new int[] {0, 1, 2, 3})),
          List.of(x)).get(0);
      Operand<TFloat32> gb = Grads.of(tf, tf.reduceSum(tf.math.mul(ref, cot), tf.constant(new int[] {0, 1, 2, 3})),
          List.of(x)).get(0);
      float[] da = fetch(s, ga, feeds(x, xt));
      assertThat(maxAbsDiff(da, fetch(s, gb, feeds(x, xt)))).isLessThan(1e-5);
      assertThat(da).isNotEqualTo(new float[da.length]);
    }
  }
}
