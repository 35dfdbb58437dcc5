package org.wild3d.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.wild3d.nn.TestFloats.feeds;
import static org.wild3d.nn.TestFloats.fetch;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

class NoiseTest {
  private static final int HW = 32;
  private static final int C = 3;

  private static float[] sample(float[] y, int n) {
    int size = HW * HW * C;
    return Arrays.copyOfRange(y, n * size, (n + 1) * size);
  }

  private static void assertChannelsEqual(float[] y) {
    for (int i = 0; i < y.length; i += C) {
      assertThat(y[i + 1]).isEqualTo(y[i]);
      assertThat(y[i + 2]).isEqualTo(y[i]);
    }
  }

  private static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  private static double std(float[] v) {
    double s = 0;
    double sq = 0;
    for (float x : v) {
      s += x;
      sq += x * x;
    }
    double m = s / v.length;
    return Math.sqrt(sq / v.length - m * m);
  }

  @Test
  void sourcesGiveTheDocumentedNoise() {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TInt64 seedA = TInt64.vectorOf(1, 2);
        TInt64 seedB = TInt64.vectorOf(1, 3)) {
      Ops tf = Ops.create(g);
      Params params = new Params(0);
      Noise a = new Noise(tf.withSubScope("a"), params);
      Noise b = new Noise(tf.withSubScope("b"), params);
      assertThat(a.strength().name()).isEqualTo("a/noise_strength");
      var seed = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      Operand<TFloat32> x = tf.zeros(tf.constant(new int[] {2, HW, HW, C}), TFloat32.class);
      Operand<TFloat32> randA = a.apply(x, Noise.random(org.wild3d.tf.Seed.of(seed)));
      Operand<TFloat32> randB = b.apply(x, Noise.random(org.wild3d.tf.Seed.of(seed)));
      Operand<TFloat32> constA = a.apply(x, Noise.constant());
      Operand<TFloat32> constB = b.apply(x, Noise.constant());
      Operand<TFloat32> none = a.apply(x, Noise.none());
      assertThat(none).isSameAs(x);

      // Strength starts at 0: no effect.
      assertThat(maxAbs(fetch(s, randA, feeds(seed, seedA)))).isZero();
      assertThat(maxAbs(fetch(s, constA))).isZero();

      s.runner().addTarget(tf.assign(a.strength().variable(), tf.constant(2f)))
          .addTarget(tf.assign(b.strength().variable(), tf.constant(2f))).run();
      float[] ra = fetch(s, randA, feeds(seed, seedA));
      assertChannelsEqual(ra);
      assertThat(sample(ra, 0)).isNotEqualTo(sample(ra, 1)); // per-sample noise
      assertThat(std(ra)).isCloseTo(2.0, within(0.15));
      assertThat(fetch(s, randA, feeds(seed, seedA))).containsExactly(ra); // stateless
      assertThat(fetch(s, randA, feeds(seed, seedB))).isNotEqualTo(ra);
      assertThat(fetch(s, randB, feeds(seed, seedA))).isNotEqualTo(ra); // per-layer

      float[] ca = fetch(s, constA);
      assertChannelsEqual(ca);
      assertThat(sample(ca, 0)).containsExactly(sample(ca, 1)); // shared by the batch
      assertThat(std(ca)).isCloseTo(2.0, within(0.3));
      assertThat(fetch(s, constA)).containsExactly(ca);
      assertThat(fetch(s, constB)).isNotEqualTo(ca);
    }
  }

  @Test
  void constantNoiseIsTheSameInEveryGraphWithTheSameLayerName() {
    float[][] runs = new float[2][];
    for (int r = 0; r < 2; r++) {
      try (Graph g = new Graph();
          Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        Noise n = new Noise(tf.withSubScope("layer"), new Params(r));
        s.runner().addTarget(tf.assign(n.strength().variable(), tf.constant(1f))).run();
        runs[r] =
            fetch(s, n.apply(tf.zeros(tf.constant(new int[] {1, 8, 8, 1}), TFloat32.class), Noise.constant()));
      }
    }
    assertThat(runs[1]).containsExactly(runs[0]);
    assertThat(runs[0]).isNotEqualTo(new float[64]);
  }
}
