package org.wild3d.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.nn.Activation;
import org.wild3d.tf.FusedOps;
import org.wild3d.tf.Grads;

/**
 * The fused CPU kernels against the standard-op graphs they replace (values and gradients), their
 * gradients against finite differences, and the switch that keeps them out of a graph.
 */
class FusedKernelsTest {
  private static final int N = 2;
  private static final int RES = 6;
  /** Channels per plane of the generic kernel path; 16 and 32 have their own fixed-width paths. */
  private static final int F = 4;
  private static final int VIEWS = 2;
  private static final int M = 300;
  private static final float BOX = 1f;

  @BeforeAll
  static void kernelsAreBuiltWhereTheBuildMakesThem() {
    TfTesting.requireFusedKernels();
  }

  /** Random planes, and points that are inside, partly outside, fully outside and NaN. */
  private static float[][] inputs(long seed, int f) {
    Random r = new Random(seed);
    float[] planes = new float[N * RES * RES * 3 * f];
    for (int i = 0; i < planes.length; i++) {
      planes[i] = (float) r.nextGaussian();
    }
    float[] points = new float[N * VIEWS * M * 3];
    for (int i = 0; i < points.length; i++) {
      points[i] = (r.nextFloat() * 2 - 1) * 0.7f; // q up to 1.4: some corners off the planes
    }
    // point 1 is NaN, point 10 far outside (a single NaN or far coordinate only takes the
    // planes that read it off)
    points[3] = points[4] = points[5] = Float.NaN;
    points[30] = 40f;
    points[31] = -40f;
    points[32] = 40f;
    points[61] = Float.NaN;
    float[] coef = new float[N * VIEWS * M * f];
    for (int i = 0; i < coef.length; i++) {
      coef[i] = (float) r.nextGaussian();
    }
    return new float[][] {planes, points, coef};
  }

  /** Samples and the gradients of Σ coef·sample w.r.t. planes and points, fused or not. */
  private static List<float[]> sampleWithGradients(boolean fused, float[][] in, int f) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 pt = TfTesting.tensor(in[0], N, RES, RES, 3 * f);
        TFloat32 qt = TfTesting.tensor(in[1], N * VIEWS, M, 3)) {
      if (!fused) {
        FusedOps.disableFor(g);
      }
      Ops tf = Ops.create(g);
      var planes = TfTesting.input(tf, "planes", N, RES, RES, 3 * f);
      var points = TfTesting.input(tf, "points", -1, M, 3);
      var out = TriplaneSampler.sample(tf, planes, points, BOX, VIEWS);
      assertThat(out.shape().asArray()).containsExactly(-1, M, f);
      var loss = tf.reduceSum(
          tf.math.mul(out, tf.constant(Shape.of(N * VIEWS, M, f),
              DataBuffers.of(in[2], true, false))),
          tf.constant(new int[] {0, 1, 2}));
      List<Operand<TFloat32>> grads = Grads.of(tf, loss, List.of(planes, points));
      assertThat(opTypes(g)).as("fused=%s", fused)
          .matches(types -> types.contains("Wild3dTriplaneSample") == fused);
      List<Operand<?>> fetches = new ArrayList<>(List.of(out, grads.get(0), grads.get(1)));
      return TfTesting.run(s, Map.of(planes, pt, points, qt), fetches);
    }
  }

  private static List<String> opTypes(Graph g) {
    List<String> out = new ArrayList<>();
    g.operations().forEachRemaining(o -> out.add(o.type()));
    return out;
  }

  @ParameterizedTest(name = "F = {0}")
  @ValueSource(ints = {F, 16, 32})
  void triplaneSamplingMatchesTheStandardOpsInValueAndGradient(int f) {
    float[][] in = inputs(17, f);
    List<float[]> fused = sampleWithGradients(true, in, f);
    List<float[]> graph = sampleWithGradients(false, in, f);
    assertThat(fused.get(0)).containsExactly(graph.get(0), within(1e-5f));
    assertThat(fused.get(1)).as("d/d planes").containsExactly(graph.get(1), within(1e-4f));
    assertThat(fused.get(2)).as("d/d points").containsExactly(graph.get(2), within(1e-3f));
    // not trivially zero: the comparison covers real gradients
    assertThat(maxAbs(fused.get(1))).isGreaterThan(0.5f);
    assertThat(maxAbs(fused.get(2))).isGreaterThan(0.5f);
    // a NaN or far-away point reads zeros and gets no gradient
    int nanPoint = 1;
    int farPoint = 10;
    for (int c = 0; c < f; c++) {
      assertThat(fused.get(0)[nanPoint * f + c]).isZero();
      assertThat(fused.get(0)[farPoint * f + c]).isZero();
    }
    assertThat(new float[] {fused.get(2)[farPoint * 3], fused.get(2)[farPoint * 3 + 1],
        fused.get(2)[farPoint * 3 + 2]}).containsOnly(0f);
  }

  @Test
  void triplaneGradientsMatchCentralDifferences() {
    float[][] in = inputs(23, F);
    List<float[]> base = sampleWithGradients(true, in, F);
    Random r = new Random(5);
    double eps = 1e-2;
    // planes: the map is linear in them, so differences are exact up to float rounding
    for (int k = 0; k < 12; k++) {
      int e = r.nextInt(in[0].length);
      double fd = (loss(in, 0, e, eps) - loss(in, 0, e, -eps)) / (2 * eps);
      assertThat((double) base.get(1)[e]).as("d/d plane[%s]", e).isCloseTo(fd, within(2e-3));
    }
    // points: piecewise bilinear; pick coordinates away from texel borders (the step is 1/6 of
    // a texel here, so a border inside [p−eps, p+eps] shows as a large mismatch)
    double pointEps = 1e-3;
    int checked = 0;
    for (int k = 0; checked < 12 && k < 500; k++) {
      int e = r.nextInt(in[1].length);
      if (!Float.isFinite(in[1][e]) || Math.abs(in[1][e]) > 0.45f || nearBorder(in[1][e], pointEps)) {
        continue;
      }
      double fd = (loss(in, 1, e, pointEps) - loss(in, 1, e, -pointEps)) / (2 * pointEps);
      assertThat((double) base.get(2)[e]).as("d/d point[%s]", e)
          .isCloseTo(fd, within(2e-2 + 2e-2 * Math.abs(fd)));
      checked++;
    }
    assertThat(checked).isEqualTo(12);
  }

  /** Whether a texel-centre line (in any plane) lies within eps of coordinate p. */
  private static boolean nearBorder(float p, double eps) {
    double x = ((p / (BOX / 2.0) + 1) * RES - 1) / 2; // texel coordinate; centres at integers
    double dx = Math.abs(x - Math.rint(x)) * (BOX / RES); // back in world units
    return dx < 2 * eps;
  }

  /** Σ coef·sample with input {@code which}[e] moved by delta (float64 accumulation). */
  private static double loss(float[][] in, int which, int e, double delta) {
    float[][] moved = {in[0].clone(), in[1].clone(), in[2]};
    moved[which][e] += (float) delta;
    float[] out = sampleWithGradients(true, moved, F).get(0);
    double sum = 0;
    for (int i = 0; i < out.length; i++) {
      sum += (double) out[i] * in[2][i];
    }
    return sum;
  }

  @Test
  void softplusMatchesFloat64AndItsGradientsMatchTheStandardOps() {
    float[] x = new float[4099]; // not a multiple of any vector width
    for (int i = 0; i < x.length; i++) {
      x[i] = -120f + 240f * i / (x.length - 1);
    }
    x[7] = 0f;
    x[8] = 1e-8f;
    x[9] = -1e-8f;
    List<float[]> fused = softplusWithGradients(true, x);
    List<float[]> graph = softplusWithGradients(false, x);
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      double want = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      assertThat((double) fused.get(0)[i]).as("softplus(%s)", v)
          .isCloseTo(want, within(2e-6 * Math.max(1, Math.abs(want))));
    }
    assertThat(fused.get(1)).as("first derivative").containsExactly(graph.get(1), within(1e-6f));
    assertThat(fused.get(2)).as("second derivative").containsExactly(graph.get(2), within(1e-6f));
    float[] nan = softplusWithGradients(true, new float[] {Float.NaN, 1f}).get(0);
    assertThat(nan[0]).isNaN();
  }

  /** softplus(x), d softplus/dx and d²/dx², with the fused kernels or without. */
  private static List<float[]> softplusWithGradients(boolean fused, float[] x) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 xt = TfTesting.tensor(x, x.length)) {
      if (!fused) {
        FusedOps.disableFor(g);
      }
      Ops tf = Ops.create(g);
      var in = TfTesting.input(tf, "x", x.length);
      var y = Activation.softplus(tf, in);
      assertThat(((GraphOperation) y.op()).type()).isEqualTo(fused ? "Wild3dSoftplus" : "Softplus");
      var d1 = Grads.of(tf, tf.reduceSum(y, tf.constant(0)), List.of(in)).get(0);
      var d2 = Grads.of(tf, tf.reduceSum(d1, tf.constant(0)), List.of(in)).get(0);
      return TfTesting.run(s, Map.of(in, xt), List.of(y, d1, d2));
    }
  }

  private static float maxAbs(float[] v) {
    float m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }
}
