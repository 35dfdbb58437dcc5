package org.wild3d.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Grads;

class TriplaneSamplerTest {

  /**
   * Plain-Java reference: planes [N,R,R,3F] row-major, points [B,M,3] with B = N·views. Returns
   * [B,M,F].
   */
  static float[] reference(
      float[] planes, int n, int res, int f, float[] points, int views, float box) {
    int b = n * views;
    int m = points.length / 3 / b;
    float[] out = new float[b * m * f];
    int[][] axes = {{0, 1}, {0, 2}, {1, 2}};
    for (int bi = 0; bi < b; bi++) {
      int scene = bi / views;
      for (int mi = 0; mi < m; mi++) {
        for (int p = 0; p < 3; p++) {
          double u = points[(bi * m + mi) * 3 + axes[p][0]] / (box / 2.0);
          double v = points[(bi * m + mi) * 3 + axes[p][1]] / (box / 2.0);
          double x = ((u + 1) * res - 1) / 2;
          double y = ((v + 1) * res - 1) / 2;
          int x0 = (int) Math.floor(x);
          int y0 = (int) Math.floor(y);
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              int xx = x0 + dx;
              int yy = y0 + dy;
              if (xx < 0 || yy < 0 || xx >= res || yy >= res) {
                continue;
              }
              double w = (dx == 1 ? x - x0 : 1 - (x - x0)) * (dy == 1 ? y - y0 : 1 - (y - y0));
              for (int c = 0; c < f; c++) {
                float t = planes[((scene * res + yy) * res + xx) * 3 * f + p * f + c];
                out[(bi * m + mi) * f + c] += (float) (w * t / 3);
              }
            }
          }
        }
      }
    }
    return out;
  }

  static float[] sample(
      float[] planes, int n, int res, int f, float[] points, int views, float box) {
    int b = n * views;
    int m = points.length / 3 / b;
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 pt = TfTesting.tensor(planes, n, res, res, 3 * f);
        TFloat32 qt = TfTesting.tensor(points, b, m, 3)) {
      Ops tf = Ops.create(g);
      var pl = TfTesting.input(tf, "planes", -1, res, res, 3 * f);
      var q = TfTesting.input(tf, "points", -1, m, 3);
      Operand<TFloat32> out = TriplaneSampler.sample(tf, pl, q, box, views);
      assertThat(out.shape().asArray()).containsExactly(-1, m, f);
      Map<Operand<?>, Tensor> feeds = Map.of(pl, pt, q, qt);
      return TfTesting.run(s, feeds, List.of(out)).get(0);
    }
  }

  /** Texel (row, col) centre of an R-texel plane axis, in normalised coordinates. */
  static float centre(int k, int res) {
    return (2f * k + 1) / res - 1;
  }

  @Test
  void oneHotTexelIsHitOnEachPlane() {
    int res = 4;
    int f = 2;
    float box = 2f; // q = p
    int row = 1;
    int col = 2;
    float u = centre(col, res);
    float v = centre(row, res);
    float other = 0.9f; // the coordinate a plane does not see
    // plane p, the point whose (u, v) on that plane is the texel centre
    float[][] pointFor = {{u, v, other}, {u, other, v}, {other, u, v}};
    for (int p = 0; p < 3; p++) {
      float[] planes = new float[res * res * 3 * f];
      planes[(row * res + col) * 3 * f + p * f + 1] = 1f;
      float[] out = sample(planes, 1, res, f, pointFor[p], 1, box);
      assertThat(out).as("plane %s", p).containsExactly(new float[] {0, 1f / 3}, within(1e-6f));
    }
    // halfway between columns 2 and 3 on XY: half of the texel
    float[] planes = new float[res * res * 3 * f];
    planes[(row * res + col) * 3 * f + 1] = 1f;
    planes[(row * res + col + 1) * 3 * f + 1] = 3f;
    float half = (centre(col, res) + centre(col + 1, res)) / 2;
    assertThat(sample(planes, 1, res, f, new float[] {half, v, 0f}, 1, box))
        .containsExactly(new float[] {0, (0.5f * 1 + 0.5f * 3) / 3}, within(1e-6f));
    // a quarter of the way towards the next row as well: bilinear mix
    float quarter = centre(row, res) + 0.25f * 2f / res;
    assertThat(sample(planes, 1, res, f, new float[] {half, quarter, 0f}, 1, box))
        .containsExactly(new float[] {0, 0.75f * (0.5f * 1 + 0.5f * 3) / 3}, within(1e-6f));
  }

  @Test
  void matchesPlainJavaOnRandomPlanesAndPointsInsideAndOutsideTheBox() {
    Random r = new Random(11);
    int n = 2;
    int res = 5;
    int f = 3;
    int views = 2;
    int m = 200;
    float box = 1f;
    float[] planes = new float[n * res * res * 3 * f];
    for (int i = 0; i < planes.length; i++) {
      planes[i] = (float) r.nextGaussian();
    }
    float[] points = new float[n * views * m * 3];
    for (int i = 0; i < points.length; i++) {
      points[i] = (r.nextFloat() * 2 - 1) * 0.8f; // up to 0.8 > box/2: partly and fully outside
    }
    float[] expected = reference(planes, n, res, f, points, views, box);
    assertThat(sample(planes, n, res, f, points, views, box))
        .containsExactly(expected, within(2e-5f));
    // a point far outside reads zeros
    assertThat(sample(planes, 1, res, f, new float[] {3f, -3f, 3f}, 1, box))
        .containsExactly(new float[] {0, 0, 0}, within(0f));
  }

  @Test
  void gradientsReachThePlanesAsTheTransposedBilinearMap() {
    Random r = new Random(3);
    int res = 4;
    int f = 2;
    int m = 30;
    float[] points = new float[m * 3];
    for (int i = 0; i < points.length; i++) {
      points[i] = (r.nextFloat() * 2 - 1) * 0.55f;
    }
    float[] coef = new float[m * f];
    for (int i = 0; i < coef.length; i++) {
      coef[i] = (float) r.nextGaussian();
    }
    int size = res * res * 3 * f;
    // reference gradient: d(sum coef·sample)/d plane_e = sample of a one-hot plane, dotted with
    // coef
    float[] expected = new float[size];
    for (int e = 0; e < size; e++) {
      float[] onehot = new float[size];
      onehot[e] = 1f;
      float[] s = reference(onehot, 1, res, f, points, 1, 1f);
      for (int i = 0; i < s.length; i++) {
        expected[e] += s[i] * coef[i];
      }
    }
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 qt = TfTesting.tensor(points, 1, m, 3)) {
      Ops tf = Ops.create(g);
      var planes = tf.constant(new float[1][res][res][3 * f]);
      var pl = tf.identity(planes);
      var q = TfTesting.input(tf, "points", 1, m, 3);
      var out = TriplaneSampler.sample(tf, pl, q, 1f);
      var loss =
          tf.reduceSum(
              tf.math.mul(
                  out,
                  tf.constant(
                      org.tensorflow.ndarray.Shape.of(1, m, f),
                      org.tensorflow.ndarray.buffer.DataBuffers.of(coef, true, false))),
              tf.constant(new int[] {0, 1, 2}));
      var grads = Grads.of(tf, loss, List.of(pl));
      float[] got = TfTesting.run(s, Map.of(q, qt), List.of(grads.get(0))).get(0);
      assertThat(got).containsExactly(expected, within(1e-5f));
      float max = 0;
      for (float x : got) {
        max = Math.max(max, Math.abs(x));
      }
      assertThat(max).isGreaterThan(0.1f);
    }
  }
}
