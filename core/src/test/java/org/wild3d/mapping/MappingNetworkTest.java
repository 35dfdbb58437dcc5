package org.wild3d.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.wild3d.nn.TestFloats.feeds;
import static org.wild3d.nn.TestFloats.fetch;
import static org.wild3d.nn.TestFloats.gaussian;
import static org.wild3d.nn.TestFloats.tensor;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.config.Mapping;
import org.wild3d.config.MappingSpec;
import org.wild3d.nn.Params;

class MappingNetworkTest {
  private static final int Z = 8;
  private static final int WD = 6;
  private static final int NUM_WS = 5;

  private static MappingSpec spec(int classes, float beta) {
    return new MappingSpec(Z, WD, 4, 2, 0.01f, beta, classes);
  }

  /** Graph with placeholders z [N,Z], class [N], psi []. */
  private static final class Fixture implements AutoCloseable {
    final Graph g = new Graph();
    final Ops tf = Ops.create(g).withSubScope("G");
    final Params params = new Params(3);
    final MappingNetwork net;
    final Placeholder<TFloat32> z = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, Z)));
    final Placeholder<TInt32> c = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    final Placeholder<TFloat32> psi = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    final MappingNetwork.Mapped out;
    final Session s;

    Fixture(MappingSpec spec) {
      net = new MappingNetwork(tf, params, spec, NUM_WS);
      out = net.apply(z, spec.conditional() ? c : null, psi);
      s = new Session(g);
    }

    @Override
    public void close() {
      s.close();
      g.close();
    }
  }

  @Test
  void specFromConfigUsesWDimForAZeroEmbedDim() {
    MappingSpec s = MappingSpec.from(Mapping.getDefaultInstance(), 10);
    assertThat(s).isEqualTo(new MappingSpec(512, 512, 0, 2, 0.01f, 0.995f, 10));
    assertThat(s.embedWidth()).isEqualTo(512);
    assertThat(MappingSpec.from(Mapping.newBuilder().setEmbedDim(7).build(), 10).embedWidth())
        .isEqualTo(7);
  }

  @Test
  void shapesVariablesAndClassDependence() {
    try (Fixture f = new Fixture(spec(3, 0.995f));
        TFloat32 zt = tensor(sameZ(3), 3, Z);
        TInt32 ct = TInt32.vectorOf(0, 1, 2);
        TInt32 c0 = TInt32.vectorOf(0, 0, 0);
        TFloat32 one = TFloat32.scalarOf(1f)) {
      assertThat(f.out.ws().shape().asArray()).containsExactly(-1, NUM_WS, WD);
      assertThat(f.out.w().shape().asArray()).containsExactly(-1, WD);
      assertThat(f.params.byName().keySet())
          .containsExactly(
              "G/mapping/embed/weight", "G/mapping/embed/bias",
              "G/mapping/fc0/weight", "G/mapping/fc0/bias",
              "G/mapping/fc1/weight", "G/mapping/fc1/bias",
              "G/mapping/w_avg");
      assertThat(f.params.state()).containsExactly(f.net.wAvg());
      assertThat(f.params.trainableCount())
          .isEqualTo(3 * 4 + 4 + (Z + 4) * WD + WD + WD * WD + WD);

      float[] ws = fetch(f.s, f.out.ws(), feeds(f.z, zt, f.c, ct, f.psi, one));
      assertThat(ws).hasSize(3 * NUM_WS * WD);
      // Every copy of w is the same.
      for (int n = 0; n < 3; n++) {
        for (int i = 1; i < NUM_WS; i++) {
          assertThat(row(ws, n * NUM_WS + i)).containsExactly(row(ws, n * NUM_WS));
        }
      }
      // Same z, different classes -> different w; same class -> same w.
      float[] w = fetch(f.s, f.out.w(), feeds(f.z, zt, f.c, ct));
      assertThat(row(w, 0)).isNotEqualTo(row(w, 1));
      assertThat(row(w, 1)).isNotEqualTo(row(w, 2));
      assertThat(distance(row(w, 0), row(w, 2))).isGreaterThan(1e-3);
      float[] wSame = fetch(f.s, f.out.w(), feeds(f.z, zt, f.c, c0));
      assertThat(row(wSame, 1)).containsExactly(row(wSame, 0));
      assertThat(row(wSame, 0)).containsExactly(row(w, 0));
    }
  }

  @Test
  void zIsNormalisedByItsSecondMoment() {
    float[] z = gaussian(9, 2 * Z, 1);
    float[] z3 = z.clone();
    for (int i = 0; i < z3.length; i++) {
      z3[i] *= 3;
    }
    try (Fixture f = new Fixture(spec(1, 0.995f));
        TFloat32 a = tensor(z, 2, Z);
        TFloat32 b = tensor(z3, 2, Z)) {
      assertThat(f.params.byName()).doesNotContainKey("G/mapping/embed/weight");
      float[] wa = fetch(f.s, f.out.w(), feeds(f.z, a));
      float[] wb = fetch(f.s, f.out.w(), feeds(f.z, b));
      for (int i = 0; i < wa.length; i++) {
        assertThat(wb[i]).isCloseTo(wa[i], within(1e-5f));
      }
    }
  }

  @Test
  void wAvgUpdateFollowsTheFormulaAndTruncationInterpolates() {
    float beta = 0.9f;
    try (Fixture f = new Fixture(spec(3, beta));
        TFloat32 z1 = tensor(gaussian(1, 4 * Z, 1), 4, Z);
        TFloat32 z2 = tensor(gaussian(2, 4 * Z, 1), 4, Z);
        TInt32 ct = TInt32.vectorOf(0, 1, 2, 1);
        TFloat32 psi0 = TFloat32.scalarOf(0f);
        TFloat32 psiHalf = TFloat32.scalarOf(0.5f);
        TFloat32 psi1 = TFloat32.scalarOf(1f)) {
      assertThat(fetch(f.s, f.net.wAvg().value())).containsOnly(0f);
      double[] avg = new double[WD];
      for (TFloat32 zt : new TFloat32[] {z1, z2}) {
        float[] w = fetch(f.s, f.out.w(), feeds(f.z, zt, f.c, ct));
        Session.Runner r = f.s.runner().feed(f.z, zt).feed(f.c, ct).addTarget(f.out.updateWAvg());
        r.run();
        for (int j = 0; j < WD; j++) {
          double mean = 0;
          for (int n = 0; n < 4; n++) {
            mean += w[n * WD + j] / 4.0;
          }
          avg[j] = mean + beta * (avg[j] - mean);
        }
        float[] got = fetch(f.s, f.net.wAvg().value());
        for (int j = 0; j < WD; j++) {
          assertThat((double) got[j]).isCloseTo(avg[j], within(1e-6));
        }
      }
      float[] wAvg = fetch(f.s, f.net.wAvg().value());
      assertThat(wAvg).isNotEqualTo(new float[WD]);
      float[] ws0 = fetch(f.s, f.out.ws(), feeds(f.z, z1, f.c, ct, f.psi, psi0));
      for (int i = 0; i < 4 * NUM_WS; i++) {
        assertThat(row(ws0, i)).containsExactly(wAvg); // exactly
      }
      float[] w = fetch(f.s, f.out.w(), feeds(f.z, z1, f.c, ct));
      float[] ws1 = fetch(f.s, f.out.ws(), feeds(f.z, z1, f.c, ct, f.psi, psi1));
      float[] wsHalf = fetch(f.s, f.out.ws(), feeds(f.z, z1, f.c, ct, f.psi, psiHalf));
      for (int n = 0; n < 4; n++) {
        for (int j = 0; j < WD; j++) {
          float wj = w[n * WD + j];
          assertThat(ws1[(n * NUM_WS + 2) * WD + j]).isCloseTo(wj, within(1e-5f));
          assertThat(wsHalf[(n * NUM_WS + 2) * WD + j]).isCloseTo((wj + wAvg[j]) / 2, within(1e-5f));
        }
      }
    }
  }

  @Test
  void wAvgUpdateKnownNumbers() {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 wt = tensor(new float[] {1, 2, 3, 4}, 2, 2)) {
      Ops tf = Ops.create(g);
      MappingNetwork net = new MappingNetwork(tf, new Params(0),
          new MappingSpec(3, 2, 2, 1, 0.01f, 0.25f, 1), 1);
      var w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
      s.runner().addTarget(tf.assign(net.wAvg().variable(), tf.constant(new float[] {10, 10}))).run();
      s.runner().feed(w, wt).addTarget(net.updateWAvg(w)).run();
      // mean = (2, 3); 2 + 0.25·(10 − 2) = 4; 3 + 0.25·(10 − 3) = 4.75
      assertThat(fetch(s, net.wAvg().value())).containsExactly(4f, 4.75f);
    }
  }

  @Test
  void rejectsWrongInputs() {
    try (Fixture f = new Fixture(spec(3, 0.9f))) {
      var bad = f.tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, Z + 1)));
      assertThatThrownBy(() -> f.net.map(bad, f.c)).hasMessageContaining("mapping input z [N,Z]");
      assertThatThrownBy(() -> f.net.map(f.z, null)).hasMessageContaining("num_classes");
    }
    assertThatThrownBy(() -> new MappingSpec(Z, 0, 4, 2, 0.01f, 1.5f, 3))
        .hasMessageContaining("model.mapping.w_dim: expected a value >= 1, found 0")
        .hasMessageContaining("model.mapping.w_avg_beta: expected a value in [0, 1], found 1.5");
  }

  private static float[] sameZ(int n) {
    float[] one = gaussian(5, Z, 1);
    float[] z = new float[n * Z];
    for (int i = 0; i < n; i++) {
      System.arraycopy(one, 0, z, i * Z, Z);
    }
    return z;
  }

  private static float[] row(float[] v, int i) {
    return Arrays.copyOfRange(v, i * WD, (i + 1) * WD);
  }

  private static double distance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s);
  }
}
