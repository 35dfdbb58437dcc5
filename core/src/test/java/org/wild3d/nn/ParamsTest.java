package org.wild3d.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Grads;

class ParamsTest {

  private static float[] values(Graph g, Param p) {
    Variable<TFloat32> v = p.variable();
    try (Session s = new Session(g);
        TFloat32 t = (TFloat32) s.runner().fetch(v).run().get(0)) {
      float[] out = new float[(int) t.size()];
      t.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
      return out;
    }
  }

  @Test
  void sameSeedAndNameGiveSameValuesWhateverTheCreationOrder() {
    float[] a;
    float[] b;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withSubScope("G");
      Params p = new Params(7);
      p.normal(tf.withSubScope("x"), "weight", Shape.of(1000), 2f);
      a = values(g, p.normal(tf.withSubScope("fc0"), "weight", Shape.of(1000), 2f));
      assertThat(p.trainables()).hasSize(2);
      assertThat(p.trainables().get(1).name()).isEqualTo("G/fc0/weight");
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withSubScope("G");
      b = values(g, new Params(7).normal(tf.withSubScope("fc0"), "weight", Shape.of(1000), 2f));
    }
    assertThat(b).containsExactly(a);
    double mean = 0;
    double sq = 0;
    for (float x : a) {
      mean += x / 1000.0;
      sq += x * x / 1000.0;
    }
    assertThat(mean).isCloseTo(0, within(0.2));
    assertThat(Math.sqrt(sq)).isCloseTo(2, within(0.2));
  }

  @Test
  void differentSeedsGiveDifferentValuesAndStateIsListedApart() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params p = new Params(1);
      Params q = new Params(2);
      float[] a = values(g, p.normal(tf.withSubScope("a"), "w", Shape.of(4), 1f));
      float[] b = values(g, q.normal(tf.withSubScope("b"), "w", Shape.of(4), 1f));
      assertThat(a).isNotEqualTo(b);
      p.state(tf, "w_avg", Shape.of(3), 0.5f);
      assertThat(p.trainables()).hasSize(1);
      assertThat(p.state()).hasSize(1);
      assertThat(p.trainableCount()).isEqualTo(4);
    }
  }

  @Test
  void gradientsOfUnusedVariablesAreZerosNotNoGradient() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params p = new Params(0);
      Param used = p.constant(tf, "used", Shape.of(2), 3f);
      Param unused = p.constant(tf, "unused", Shape.of(2), 1f);
      var y = tf.reduceSum(tf.math.square(used.value()), tf.constant(0));
      var gs = Grads.of(tf, y, List.of(used.value(), unused.value()));
      try (Session s = new Session(g);
          var r = s.runner().fetch(gs.get(0)).fetch(gs.get(1)).run()) {
        TFloat32 g0 = (TFloat32) r.get(0);
        TFloat32 g1 = (TFloat32) r.get(1);
        assertThat(g0.getFloat(0)).isEqualTo(6f);
        assertThat(g1.getFloat(1)).isEqualTo(0f);
      }
    }
  }
}
