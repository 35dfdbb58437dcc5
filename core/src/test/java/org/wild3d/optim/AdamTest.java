package org.wild3d.optim;

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
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;

class AdamTest {
  private static final float[] TARGET = {1.5f, -2f, 0.25f, 3f};

  private static float[] read(Session s, Operand<TFloat32> x) {
    try (Result r = s.runner().fetch(x).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  @Test
  void minimisesAQuadraticToItsOptimumAndMatchesTheUpdateRule() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params params = new Params(0);
      Param w = params.constant(tf, "w", Shape.of(4), 0f);
      Param unused = params.constant(tf, "unused", Shape.of(2), 5f);
      Operand<TFloat32> loss = tf.reduceSum(
          tf.math.square(tf.math.sub(w.value(), tf.constant(TARGET))), tf.constant(0));
      Adam.Spec spec = Adam.Spec.defaults().withBeta1(0.8f).withBeta2(0.995f).withEpsilon(1e-7f);
      Adam adam = new Adam(tf, "opt", List.of(w, unused), spec);
      Op step = adam.minimize(loss, 0.05f);
      assertThat(adam.slots()).hasSize(6);
      assertThat(adam.slots().get(0).op().name()).isEqualTo("opt/w_m");
      // Plain-Java reference of TF's Adam for the first 3 steps.
      float[] ref = new float[4];
      float[] m = new float[4];
      float[] v = new float[4];
      try (Session s = new Session(g)) {
        for (int t = 1; t <= 500; t++) {
          s.runner().addTarget(step).run();
          if (t <= 3) {
            double lrT = 0.05 * Math.sqrt(1 - Math.pow(0.995, t)) / (1 - Math.pow(0.8, t));
            for (int i = 0; i < 4; i++) {
              float gr = 2 * (ref[i] - TARGET[i]);
              m[i] = 0.8f * m[i] + 0.2f * gr;
              v[i] = 0.995f * v[i] + 0.005f * gr * gr;
              ref[i] -= (float) (lrT * m[i] / (Math.sqrt(v[i]) + 1e-7));
            }
            float[] got = read(s, w.variable());
            for (int i = 0; i < 4; i++) {
              assertThat(got[i]).isCloseTo(ref[i], within(1e-5f));
            }
            assertThat(read(s, adam.slots().get(4))[0])
                .isCloseTo((float) Math.pow(0.8, t + 1), within(1e-7f));
          }
        }
        float[] got = read(s, w.variable());
        for (int i = 0; i < 4; i++) {
          assertThat(got[i]).isCloseTo(TARGET[i], within(1e-3f));
        }
        assertThat(read(s, unused.variable())).containsExactly(5f, 5f); // never touched
      }
    }
  }

  /** A small least-squares problem with random data and weights; 30 steps. */
  private static float[] run(long seed) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params params = new Params(seed);
      Param a = params.normal(tf, "a", Shape.of(16, 8), 1f);
      Param b = params.normal(tf, "b", Shape.of(8, 1), 1f);
      Operand<TFloat32> x = tf.random.statelessRandomNormal(tf.constant(new long[] {64, 16}),
          tf.constant(new long[] {seed, 1}));
      Operand<TFloat32> y = tf.linalg.matMul(tf.math.tanh(tf.linalg.matMul(x, a.value())),
          b.value());
      Operand<TFloat32> loss = tf.math.mean(tf.math.square(tf.math.sub(y,
          tf.reduceSum(x, tf.constant(1), org.tensorflow.op.core.ReduceSum.keepDims(true)))),
          tf.constant(new int[] {0, 1}));
      Op step = new Adam(tf, "opt", params.trainables(), Adam.Spec.defaults()).minimize(loss,
          tf.constant(0.01f));
      try (Session s = new Session(g)) {
        for (int t = 0; t < 30; t++) {
          s.runner().addTarget(step).run();
        }
        return read(s, a.variable());
      }
    }
  }

  @Test
  void twoRunsWithTheSameSeedAreBitIdentical() {
    float[] r1 = run(3);
    float[] r2 = run(3);
    assertThat(r2).containsExactly(r1);
    assertThat(run(4)).isNotEqualTo(r1);
  }

  @Test
  void severalTrainOpsShareMomentsAndEachAdvancesTheBetaPowers() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Param w = new Params(0).constant(tf, "w", Shape.of(1), 1f);
      Operand<TFloat32> main = tf.reduceSum(tf.math.square(w.value()), tf.constant(0));
      Operand<TFloat32> reg = tf.reduceSum(w.value(), tf.constant(0));
      Adam adam = new Adam(tf, "opt", List.of(w), Adam.Spec.defaults().withBeta1(0.5f).withBeta2(0.9f));
      Op a = adam.minimize(main, 0.1f);
      Op b = adam.minimize(reg, 0.1f);
      try (Session s = new Session(g)) {
        s.runner().addTarget(a).run();
        s.runner().addTarget(b).run();
        try (var r = s.runner().fetch(adam.slots().get(0)).fetch(adam.slots().get(2)).run()) {
          // m after g=2 (main at w=1) then g=1 (reg): 0.5·(0.5·0 + 0.5·2) + 0.5·1 = 1.0
          assertThat(((TFloat32) r.get(0)).getFloat(0)).isCloseTo(1.0f, org.assertj.core.api.Assertions.within(1e-6f));
          // beta1_power starts at β1 and is multiplied once per train-op run: 0.5³
          assertThat(((TFloat32) r.get(1)).getFloat()).isEqualTo(0.125f);
        }
      }
    }
  }
}
