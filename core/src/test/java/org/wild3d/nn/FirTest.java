package org.wild3d.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.wild3d.nn.TestFloats.feeds;
import static org.wild3d.nn.TestFloats.fetch;
import static org.wild3d.nn.TestFloats.gaussian;
import static org.wild3d.nn.TestFloats.maxAbsDiff;
import static org.wild3d.nn.TestFloats.tensor;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class FirTest {
  private static final int N = 2;
  private static final int C = 3;

  /** A constant image, value {@code 0.5 + c} in channel c. */
  private static float[] constant(int h, int w) {
    float[] v = new float[N * h * w * C];
    for (int i = 0; i < v.length; i++) {
      v[i] = 0.5f + i % C;
    }
    return v;
  }

  private static float[] run(int h, int w, float[] x, Function<Operand<TFloat32>, Operand<TFloat32>> f, long... outShape) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 xt = tensor(x, N, h, w, C)) {
      Ops tf = Ops.create(g);
      var xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, h, w, C)));
      Operand<TFloat32> y = f.apply(xp);
      assertThat(y.shape().asArray()).containsExactly(outShape);
      return fetch(s, y, feeds(xp, xt));
    }
  }

  /** Checks that y [N,h,w,C] equals the constant image away from a border of {@code b} pixels. */
  private static void assertConstantInside(float[] y, int h, int w, int b) {
    for (int n = 0; n < N; n++) {
      for (int i = b; i < h - b; i++) {
        for (int j = b; j < w - b; j++) {
          for (int c = 0; c < C; c++) {
            assertThat(y[((n * h + i) * w + j) * C + c]).isCloseTo(0.5f + c, within(1e-5f));
          }
        }
      }
    }
  }

  @Test
  void upsample2xKeepsAConstantAwayFromTheBorder() {
    int h = 6;
    int w = 5;
    float[] y = run(h, w, constant(h, w), x -> Fir.upsample2x(opsOf(x), x), -1, 2 * h, 2 * w, C);
    assertConstantInside(y, 2 * h, 2 * w, 2);
  }

  @Test
  void downsample2xKeepsAConstantAwayFromTheBorder() {
    int h = 8;
    int w = 10;
    float[] y = run(h, w, constant(h, w), x -> Fir.downsample2x(opsOf(x), x), -1, h / 2, w / 2, C);
    assertConstantInside(y, h / 2, w / 2, 1);
  }

  private static Ops opsOf(Operand<?> x) {
    return Ops.create((Graph) x.op().env());
  }

  /**
   * Fir.filter against a plain-Java 2-D filter: zero padding, cross-correlation with
   * outer(f,f)/sum(f)²·gain (no kernel flip — identical to StyleGAN's convolution for the
   * symmetric filters in use), stride {@code down}. The asymmetric filter pins the orientation.
   */
  @ParameterizedTest(name = "f={0}, pad=({1},{2}), down={3}, gain={4}")
  @CsvSource({"1 2 4, 2, 1, 2, 1.5", "1 3 3 1, 1, 1, 1, 1", "1 3 3 1, 2, 1, 1, 4", "1 2 4, 0, 0, 1, 1"})
  void filterEqualsPlainJavaReference(String taps, int padLo, int padHi, int down, float gain) {
    String[] t = taps.split(" ");
    float[] f = new float[t.length];
    double sum = 0;
    for (int i = 0; i < t.length; i++) {
      f[i] = Float.parseFloat(t[i]);
      sum += f[i];
    }
    int k = f.length;
    int h = 6;
    int w = 5;
    float[] x = gaussian(3, N * h * w * C, 1);
    int ho = (h + padLo + padHi - k) / down + 1;
    int wo = (w + padLo + padHi - k) / down + 1;
    double[] ref = new double[N * ho * wo * C];
    for (int n = 0; n < N; n++) {
      for (int i = 0; i < ho; i++) {
        for (int j = 0; j < wo; j++) {
          for (int c = 0; c < C; c++) {
            double acc = 0;
            for (int a = 0; a < k; a++) {
              for (int b = 0; b < k; b++) {
                int si = i * down + a - padLo;
                int sj = j * down + b - padLo;
                if (si >= 0 && sj >= 0 && si < h && sj < w) {
                  acc += x[((n * h + si) * w + sj) * C + c] * f[a] * f[b] / (sum * sum) * gain;
                }
              }
            }
            ref[((n * ho + i) * wo + j) * C + c] = acc;
          }
        }
      }
    }
    float[] y = run(h, w, x, xp -> Fir.filter(opsOf(xp), xp, f, padLo, padHi, down, gain), -1, ho, wo, C);
    assertThat(maxAbsDiff(y, ref)).isLessThan(1e-5);
  }
}
