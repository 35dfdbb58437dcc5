package org.wild3d.tf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.math.Cumprod;
import org.tensorflow.types.TFloat64;

/**
 * Finite-difference checks of every custom gradient, in float64.
 *
 * <p>For an op {@code y = f(p_1..p_m)} the harness builds {@code L = Σ c·sin(y)} (random {@code c}),
 * then {@code R = Σ_j ⟨d_j, ∂L/∂p_j⟩} and {@code S = Σ_j ⟨e_j, ∂R/∂p_j⟩} (random {@code d, e}),
 * and compares TF's symbolic ∂L/∂p, ∂R/∂p and ∂S/∂p with central differences of L, R and S. For a
 * forward op with a custom gradient (Cumprod, Conv2DBackpropFilter's forward Conv2D path, OnesLike)
 * levels 1 and 2 are the custom formula's first and second order; for a first-order gradient op
 * (SoftplusGrad, ...) levels 2 and 3 are.
 */
class CustomGradientsTest {

  @BeforeAll
  static void install() {
    CustomGradients.install();
    CustomGradients.install(); // idempotent
  }

  /** Builds the op under test from float64 placeholders; returns a float64 tensor. */
  private interface Case extends BiFunction<Ops, List<Placeholder<TFloat64>>, Operand<TFloat64>> {}

  private record Input(long[] shape, double lo, double hi) {}

  private static Input in(double lo, double hi, long... shape) {
    return new Input(shape, lo, hi);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Operand<TFloat64>> grads(Ops tf, Operand<TFloat64> y, List<Placeholder<TFloat64>> xs) {
    Gradients g = tf.gradients(y, xs, Gradients.dx(List.of(tf.constant(1.0))));
    List<Operand<TFloat64>> out = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      Output<?> gi = g.dy(i);
      out.add(Grads.isNoGradient(gi) ? tf.zerosLike(xs.get(i)) : (Operand) gi);
    }
    return out;
  }

  private static Operand<TFloat64> randomLike(Ops tf, Shape s, Random r) {
    double[] v = new double[(int) s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextDouble() * 2 - 1;
    }
    return tf.constant(s, DataBuffers.of(v));
  }

  private static Operand<TFloat64> dot(Ops tf, List<Operand<TFloat64>> a, List<Operand<TFloat64>> b) {
    Operand<TFloat64> s = tf.constant(0.0);
    for (int i = 0; i < a.size(); i++) {
      Operand<TFloat64> p = tf.math.mul(a.get(i), b.get(i));
      s = tf.math.add(s, tf.reduceSum(p, tf.range(tf.constant(0), tf.rank(p), tf.constant(1))));
    }
    return s;
  }

  /**
   * Checks levels 1..3 of {@code c} against central differences with step {@code h}; each level's
   * error must be below {@code tol·max(1, max|grad|)}.
   */
  private static void check(Case c, double h, double tol, Input... inputs) {
    Random r = new Random(42);
    double[][] x0 = new double[inputs.length][];
    for (int j = 0; j < inputs.length; j++) {
      x0[j] = new double[(int) Shape.of(inputs[j].shape()).size()];
      for (int i = 0; i < x0[j].length; i++) {
        x0[j][i] = inputs[j].lo() + (inputs[j].hi() - inputs[j].lo()) * r.nextDouble();
      }
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      List<Placeholder<TFloat64>> ps = new ArrayList<>();
      for (Input input : inputs) {
        ps.add(tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(input.shape()))));
      }
      Operand<TFloat64> y = c.apply(tf, ps);
      Operand<TFloat64> l = dot(tf, List.of(randomLike(tf, y.shape(), r)), List.of(tf.math.sin(y)));
      List<Operand<TFloat64>> g1 = grads(tf, l, ps);
      List<Operand<TFloat64>> d = new ArrayList<>();
      List<Operand<TFloat64>> e = new ArrayList<>();
      for (Placeholder<TFloat64> p : ps) {
        d.add(randomLike(tf, p.shape(), r));
        e.add(randomLike(tf, p.shape(), r));
      }
      Operand<TFloat64> rr = dot(tf, d, g1);
      List<Operand<TFloat64>> g2 = grads(tf, rr, ps);
      Operand<TFloat64> ss = dot(tf, e, g2);
      List<Operand<TFloat64>> g3 = grads(tf, ss, ps);
      List<Operand<TFloat64>> scalars = List.of(l, rr, ss);
      List<List<Operand<TFloat64>>> levels = List.of(g1, g2, g3);
      try (Session s = new Session(g)) {
        double[][][] analytic = new double[3][inputs.length][];
        for (int k = 0; k < 3; k++) {
          for (int j = 0; j < inputs.length; j++) {
            analytic[k][j] = run(s, ps, x0, levels.get(k).get(j));
          }
        }
        for (int j = 0; j < inputs.length; j++) {
          double[][] fd = new double[3][x0[j].length];
          for (int i = 0; i < x0[j].length; i++) {
            double keep = x0[j][i];
            x0[j][i] = keep + h;
            double[] plus = runScalars(s, ps, x0, scalars);
            x0[j][i] = keep - h;
            double[] minus = runScalars(s, ps, x0, scalars);
            x0[j][i] = keep;
            for (int k = 0; k < 3; k++) {
              fd[k][i] = (plus[k] - minus[k]) / (2 * h);
            }
          }
          for (int k = 0; k < 3; k++) {
            double scale = 1;
            double err = 0;
            for (int i = 0; i < fd[k].length; i++) {
              scale = Math.max(scale, Math.abs(analytic[k][j][i]));
              err = Math.max(err, Math.abs(analytic[k][j][i] - fd[k][i]));
            }
            assertThat(err / scale)
                .as("level %d gradient of input %d: max error %s, scale %s", k + 1, j, err, scale)
                .isLessThan(tol);
          }
        }
      }
    }
  }

  private static double[] run(
      Session s, List<Placeholder<TFloat64>> ps, double[][] x, Operand<TFloat64> fetch) {
    Session.Runner runner = s.runner();
    List<TFloat64> feeds = feeds(ps, x);
    try (Result res = feedAll(runner, ps, feeds).fetch(fetch).run()) {
      TFloat64 t = (TFloat64) res.get(0);
      double[] out = new double[(int) t.size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    } finally {
      feeds.forEach(TFloat64::close);
    }
  }

  private static double[] runScalars(
      Session s, List<Placeholder<TFloat64>> ps, double[][] x, List<Operand<TFloat64>> fetches) {
    Session.Runner runner = s.runner();
    List<TFloat64> feeds = feeds(ps, x);
    fetches.forEach(runner::fetch);
    try (Result res = feedAll(runner, ps, feeds).run()) {
      double[] out = new double[fetches.size()];
      for (int k = 0; k < out.length; k++) {
        out[k] = ((TFloat64) res.get(k)).getDouble();
      }
      return out;
    } finally {
      feeds.forEach(TFloat64::close);
    }
  }

  private static List<TFloat64> feeds(List<Placeholder<TFloat64>> ps, double[][] x) {
    List<TFloat64> out = new ArrayList<>();
    for (int j = 0; j < ps.size(); j++) {
      out.add(TFloat64.tensorOf(ps.get(j).shape(), DataBuffers.of(x[j].clone())));
    }
    return out;
  }

  private static Session.Runner feedAll(
      Session.Runner r, List<Placeholder<TFloat64>> ps, List<TFloat64> feeds) {
    for (int j = 0; j < ps.size(); j++) {
      r.feed(ps.get(j), feeds.get(j));
    }
    return r;
  }

  private static final double H = 1e-5;
  private static final double TOL = 1e-6;

  @Test
  void allOpTypesAreRegisteredByUs() {
    // If TF ever ships one of these gradients, registration returns false: then drop it here.
    // (FusedOps registers its own kernels' gradients through the same table.)
    assertThat(CustomGradients.registered())
        .filteredOn(t -> !t.startsWith("Wild3d"))
        .containsExactlyInAnyOrderElementsOf(CustomGradients.OP_TYPES);
  }

  @Test
  void onesLikeInForwardGraph() {
    check((tf, p) -> tf.math.mul(tf.math.square(p.get(0)), tf.onesLike(p.get(0))), H, TOL, in(-1, 1, 2, 3));
  }

  @Test
  void onesLikeSeedOfDefaultGradientsCanBeDifferentiatedAgain() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.constant(new double[] {0.3, -0.7});
      var l = tf.reduceSum(tf.math.mul(tf.math.sin(x), tf.math.square(x)), tf.constant(0));
      @SuppressWarnings({"unchecked", "rawtypes"})
      Operand<TFloat64> g1 = (Operand) tf.gradients(l, List.of(x)).dy(0); // seeded with OnesLike(l)
      var r = tf.reduceSum(g1, tf.constant(0));
      @SuppressWarnings({"unchecked", "rawtypes"})
      Operand<TFloat64> g2 = (Operand) tf.gradients(r, List.of(x), Gradients.dx(List.of(tf.constant(1.0)))).dy(0);
      try (Session s = new Session(g); TFloat64 t = (TFloat64) s.runner().fetch(g2).run().get(0)) {
        for (int i = 0; i < 2; i++) {
          double v = i == 0 ? 0.3 : -0.7;
          // d²/dx² (x² sin x) = 2 sin x + 4x cos x − x² sin x
          double want = 2 * Math.sin(v) + 4 * v * Math.cos(v) - v * v * Math.sin(v);
          assertThat(t.getDouble(i)).isCloseTo(want, org.assertj.core.api.Assertions.within(1e-12));
        }
      }
    }
  }

  @Test
  void cumprod() {
    for (boolean exclusive : new boolean[] {false, true}) {
      for (boolean reverse : new boolean[] {false, true}) {
        check(
            (tf, p) ->
                tf.math.cumprod(
                    p.get(0), tf.constant(1), Cumprod.exclusive(exclusive), Cumprod.reverse(reverse)),
            H,
            TOL,
            in(0.5, 1.5, 2, 4));
      }
    }
  }

  @Test
  void conv2dBackpropFilter() {
    check(
        (tf, p) -> tf.nn.conv2d(p.get(0), p.get(1), List.of(1L, 1L, 1L, 1L), "SAME"),
        H,
        TOL,
        in(-1, 1, 1, 4, 4, 2),
        in(-1, 1, 3, 3, 2, 2));
    check(
        (tf, p) -> tf.nn.conv2d(p.get(0), p.get(1), List.of(1L, 2L, 2L, 1L), "VALID"),
        H,
        TOL,
        in(-1, 1, 2, 5, 5, 1),
        in(-1, 1, 3, 3, 1, 2));
  }

  @Test
  void biasAddGrad() {
    check((tf, p) -> tf.nn.biasAdd(p.get(0), p.get(1)), H, TOL, in(-1, 1, 2, 2, 3), in(-1, 1, 3));
    check(
        (tf, p) -> tf.nn.biasAdd(p.get(0), p.get(1), org.tensorflow.op.nn.BiasAdd.dataFormat("NCHW")),
        H,
        TOL,
        in(-1, 1, 1, 3, 2, 2),
        in(-1, 1, 3));
  }

  @Test
  void stridedSliceGrad() {
    check(
        (tf, p) ->
            tf.stridedSlice(
                p.get(0),
                tf.constant(new int[] {0, 1}),
                tf.constant(new int[] {0, 4}),
                tf.constant(new int[] {1, 2}),
                StridedSlice.beginMask(1L),
                StridedSlice.endMask(1L)),
        H,
        TOL,
        in(-1, 1, 3, 5));
    check(
        (tf, p) -> tf.math.square(tf.stridedSlice(p.get(0), org.tensorflow.ndarray.index.Indices.at(1))),
        H,
        TOL,
        in(-1, 1, 3, 2));
  }

  @Test
  void avgPoolGrad() {
    check(
        (tf, p) -> tf.nn.avgPool(p.get(0), List.of(1L, 2L, 2L, 1L), List.of(1L, 2L, 2L, 1L), "VALID"),
        H,
        TOL,
        in(-1, 1, 1, 4, 4, 2));
    check(
        (tf, p) -> tf.nn.avgPool(p.get(0), List.of(1L, 3L, 3L, 1L), List.of(1L, 1L, 1L, 1L), "SAME"),
        H,
        TOL,
        in(-1, 1, 1, 3, 3, 1));
  }

  @Test
  void softplusGrad() {
    check((tf, p) -> tf.math.softplus(p.get(0)), H, TOL, in(-3, 3, 2, 4));
  }

  @Test
  void sigmoidGrad() {
    check((tf, p) -> tf.math.sigmoid(p.get(0)), H, TOL, in(-3, 3, 2, 4));
  }

  @Test
  void tanhGrad() {
    check((tf, p) -> tf.math.tanh(p.get(0)), H, TOL, in(-2, 2, 2, 4));
  }

  @Test
  void sqrtGrad() {
    check((tf, p) -> tf.math.sqrt(p.get(0)), H, TOL, in(0.5, 2, 2, 4));
  }

  @Test
  void rsqrtGrad() {
    check((tf, p) -> tf.math.rsqrt(p.get(0)), H, TOL, in(0.5, 2, 2, 4));
  }

  @Test
  void reciprocalGrad() {
    check((tf, p) -> tf.math.reciprocal(p.get(0)), H, TOL, in(0.5, 2, 2, 4));
  }

  @Test
  void reluGrad() {
    // values away from the kink so that ±h never crosses it
    check(
        (tf, p) -> tf.nn.relu(tf.math.sub(p.get(0), tf.constant(0.5))),
        H,
        TOL,
        in(-1, 2, 2, 4));
  }

  @Test
  void resizeBilinearGrad() {
    // ResizeBilinear always computes in float32: larger step and tolerance for this one.
    check(
        (tf, p) ->
            tf.dtypes.cast(
                tf.image.resizeBilinear(
                    p.get(0), tf.constant(new int[] {5, 6}), ResizeBilinear.halfPixelCenters(true)),
                TFloat64.class),
        1e-2,
        1e-3,
        in(-1, 1, 1, 2, 3, 2));
  }

  @Test
  void resizeNearestNeighborGrad() {
    check(
        (tf, p) -> tf.image.resizeNearestNeighbor(p.get(0), tf.constant(new int[] {4, 6})),
        H,
        TOL,
        in(-1, 1, 1, 2, 3, 1));
  }
}
