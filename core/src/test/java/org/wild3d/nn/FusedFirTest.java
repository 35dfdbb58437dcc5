package org.wild3d.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.render.TfTesting;
import org.wild3d.tf.FusedOps;
import org.wild3d.tf.Grads;

/**
 * The fused FIR kernel ({@link FusedOps#upFirDn}, behind {@link Fir#filter} and
 * {@link Fir#upsample2x}) against the standard-op graphs in value, first and second derivative,
 * with odd sizes, uneven pads and an asymmetric filter (which catches a transposed gradient that
 * forgets to reverse the taps), and its gradient against central differences.
 */
class FusedFirTest {
  private static final int N = 2;
  private static final int C = 5;

  @BeforeAll
  static void kernelsAreBuiltWhereTheBuildMakesThem() {
    TfTesting.requireFusedKernels();
  }

  private static float[] gaussian(long seed, int n) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  /**
   * y = op(x), the gradient g1 of L = Σ coef·y²/2 and the gradient of Σ g1² (the second
   * derivative through the transposed op), fused or with the standard ops.
   */
  private static List<float[]> withDerivatives(boolean fused, int h, int w, float[] x,
      BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> op, List<String> opTypes) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 xt = TfTesting.tensor(x, N, h, w, C)) {
      if (!fused) {
        FusedOps.disableFor(g);
      }
      Ops tf = Ops.create(g);
      var in = TfTesting.input(tf, "x", N, h, w, C);
      Operand<TFloat32> y = op.apply(tf, in);
      Shape ys = y.shape();
      assertThat(ys.hasUnknownDimension()).as("static output shape %s", ys).isFalse();
      float[] coef = gaussian(99, (int) ys.size());
      var c = tf.constant(ys, DataBuffers.of(coef, true, false));
      var loss = tf.math.mul(tf.reduceSum(tf.math.mul(c, tf.math.square(y)),
          tf.constant(new int[] {0, 1, 2, 3})), tf.constant(0.5f));
      var g1 = Grads.of(tf, loss, List.of(in)).get(0);
      var g2 = Grads.of(tf, tf.reduceSum(tf.math.square(g1), tf.constant(new int[] {0, 1, 2, 3})),
          List.of(in)).get(0);
      g.operations().forEachRemaining(o -> opTypes.add(o.type()));
      List<float[]> out = new ArrayList<>(TfTesting.run(s, Map.of(in, xt), List.of(y, g1, g2)));
      out.add(new float[] {ys.size(1), ys.size(2)});
      return out;
    }
  }

  private static void assertFusedMatchesStandard(int h, int w,
      BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> op, int wantH, int wantW) {
    float[] x = gaussian(h * 31L + w, N * h * w * C);
    List<String> fusedTypes = new ArrayList<>();
    List<String> standardTypes = new ArrayList<>();
    List<float[]> fused = withDerivatives(true, h, w, x, op, fusedTypes);
    List<float[]> standard = withDerivatives(false, h, w, x, op, standardTypes);
    assertThat(fusedTypes).contains("Wild3dUpFirDn").doesNotContain("Pad", "PadV2", "Slice");
    assertThat(standardTypes).doesNotContain("Wild3dUpFirDn");
    assertThat(fused.get(3)).containsExactly(wantH, wantW);
    assertThat(standard.get(3)).containsExactly(wantH, wantW);
    String[] what = {"value", "first derivative", "second derivative"};
    for (int i = 0; i < 3; i++) {
      float scale = Math.max(1f, maxAbs(standard.get(i)));
      assertThat(maxAbs(standard.get(i))).as("%s is not trivially zero", what[i])
          .isGreaterThan(0.01f);
      assertThat(fused.get(i)).as(what[i]).containsExactly(standard.get(i), within(2e-5f * scale));
    }
  }

  @ParameterizedTest(name = "{0}x{1}, taps {2}, pads ({3},{4}), down {5}, gain {6}")
  @CsvSource({
    "8, 8, 1 3 3 1, 1, 1, 1, 1",
    "8, 6, 1 3 3 1, 2, 2, 2, 1",
    "7, 5, 1 3 3 1, 1, 2, 2, 2",
    "9, 4, 1 2 5, 0, 3, 1, 1.5",
    "6, 7, 1 2 5, 2, 0, 2, 0.5",
  })
  void filterMatchesTheStandardOps(int h, int w, String taps, int padLo, int padHi, int down,
      float gain) {
    String[] parts = taps.split(" ");
    float[] f = new float[parts.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = Float.parseFloat(parts[i]);
    }
    int wantH = FusedOps.firLength(h, 1, down, padLo, padHi, f.length);
    int wantW = FusedOps.firLength(w, 1, down, padLo, padHi, f.length);
    assertFusedMatchesStandard(h, w, (tf, x) -> Fir.filter(tf, x, f, padLo, padHi, down, gain),
        wantH, wantW);
  }

  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"4, 4", "5, 3"})
  void upsamplingMatchesTheStandardOps(int h, int w) {
    assertFusedMatchesStandard(h, w, Fir::upsample2x, 2 * h, 2 * w);
  }

  @Test
  void downsamplingConvolutionsMatchTheStandardOps() {
    // the discriminator's 3×3 and 1×1 stride-2 convolutions, whose blur the kernel now does
    for (int k : new int[] {1, 3}) {
      assertFusedMatchesStandard(8, 8, (tf, x) -> {
        Conv2d conv = new Conv2d(tf, new Params(7), "conv" + k,
            Conv2d.Spec.of(C, 4, k, Activation.LINEAR).downsampled());
        return conv.apply(x);
      }, 4, 4);
    }
  }

  @Test
  void gradientMatchesCentralDifferences() {
    int h = 7;
    int w = 6;
    float[] f = {1f, 2f, 5f};
    BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> op =
        (tf, x) -> Fir.filter(tf, x, f, 2, 1, 2, 1.5f);
    float[] x = gaussian(3, N * h * w * C);
    float[] g1 = withDerivatives(true, h, w, x, op, new ArrayList<>()).get(1);
    Random r = new Random(11);
    double eps = 1e-2;
    for (int k = 0; k < 16; k++) {
      int e = r.nextInt(x.length);
      double fd = (loss(h, w, x, e, eps, op) - loss(h, w, x, e, -eps, op)) / (2 * eps);
      assertThat((double) g1[e]).as("dL/dx[%s]", e).isCloseTo(fd, within(2e-3 + 2e-3 * Math.abs(fd)));
    }
  }

  /** L = Σ coef·y²/2 (float64 sum) with x[e] moved by delta, through the fused kernel. */
  private static double loss(int h, int w, float[] x, int e, double delta,
      BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> op) {
    float[] moved = x.clone();
    moved[e] += (float) delta;
    float[] y = withDerivatives(true, h, w, moved, op, new ArrayList<>()).get(0);
    float[] coef = gaussian(99, y.length);
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      sum += 0.5 * coef[i] * (double) y[i] * y[i];
    }
    return sum;
  }

  private static float maxAbs(float[] v) {
    float m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }
}
