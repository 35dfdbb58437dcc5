package org.wild3d.tf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class FlopCounterTest {

  @Test
  void countsMatmulAndConvForwardAndBackwardFromStaticShapes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, org.tensorflow.op.core.Placeholder.shape(Shape.of(2, 8, 8, 3)));
      var w = tf.constant(new float[3][3][3][4]);
      var y = tf.nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), "SAME"); // [2,8,8,4]
      var flat = tf.reshape(y, tf.constant(new int[] {2, 256}));
      var m = tf.constant(new float[256][5]);
      var z = tf.linalg.matMul(flat, m); // [2,5]
      var loss = tf.reduceSum(z, tf.constant(new int[] {0, 1}));
      // Unrelated op must not be counted.
      tf.linalg.matMul(tf.constant(new float[100][100]), tf.constant(new float[100][100]));

      long conv = 2L * 2 * 8 * 8 * 4 * 3 * 3 * 3;
      long mm = 2L * 2 * 5 * 256;
      FlopCounter.Count fwd = FlopCounter.count(List.of(loss));
      assertThat(fwd.byType()).containsEntry("Conv2D", conv).containsEntry("MatMul", mm);
      assertThat(fwd.total()).isEqualTo(conv + mm);
      assertThat(fwd.unknownOps()).isZero();

      var gx = Grads.of(tf, loss, List.of(x)).get(0);
      FlopCounter.Count bwd = FlopCounter.count(List.of(gx));
      assertThat(bwd.byType()).containsEntry("Conv2DBackpropInput", conv);
    }
  }
}
