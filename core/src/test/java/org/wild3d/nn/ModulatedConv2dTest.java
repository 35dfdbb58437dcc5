package org.wild3d.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.wild3d.nn.TestFloats.feeds;
import static org.wild3d.nn.TestFloats.fetch;
import static org.wild3d.nn.TestFloats.gaussian;
import static org.wild3d.nn.TestFloats.maxAbsDiff;
import static org.wild3d.nn.TestFloats.tensor;

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

/** Modulated convolution against a plain-Java float64 reference (nested loops). */
class ModulatedConv2dTest {
  private static final int N = 2;
  private static final int H = 5;
  private static final int IN = 3;
  private static final int OUT = 4;
  private static final int K = 3;

  // ---- plain-Java reference, NHWC flat arrays, float64 ----

  /** x·s per sample and input channel. */
  static double[] modulate(double[] x, double[] s, int n, int h, int w, int c) {
    double[] y = new double[x.length];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < h * w; i++) {
        for (int ch = 0; ch < c; ch++) {
          int idx = (b * h * w + i) * c + ch;
          y[idx] = x[idx] * s[b * c + ch];
        }
      }
    }
    return y;
  }

  /** "SAME" cross-correlation with an odd k×k kernel [k,k,in,out]. */
  static double[] conv(double[] x, double[] wt, int n, int h, int w, int in, int out, int k) {
    int p = k / 2;
    double[] y = new double[n * h * w * out];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          for (int o = 0; o < out; o++) {
            double acc = 0;
            for (int ki = 0; ki < k; ki++) {
              for (int kj = 0; kj < k; kj++) {
                int si = i + ki - p;
                int sj = j + kj - p;
                if (si < 0 || sj < 0 || si >= h || sj >= w) {
                  continue;
                }
                for (int c = 0; c < in; c++) {
                  acc += x[((b * h + si) * w + sj) * in + c] * wt[((ki * k + kj) * in + c) * out + o];
                }
              }
            }
            y[((b * h + i) * w + j) * out + o] = acc;
          }
        }
      }
    }
    return y;
  }

  /** StyleGAN2 upsample2d: zero insertion, pad (2,1), [1,3,3,1]/8 outer product, gain 4. */
  static double[] upsample2x(double[] x, int n, int h, int w, int c) {
    double[] f = {1 / 8.0, 3 / 8.0, 3 / 8.0, 1 / 8.0};
    int h2 = 2 * h;
    int w2 = 2 * w;
    double[] y = new double[n * h2 * w2 * c];
    for (int b = 0; b < n; b++) {
      for (int a = 0; a < h2; a++) {
        for (int d = 0; d < w2; d++) {
          for (int ch = 0; ch < c; ch++) {
            double acc = 0;
            for (int i = 0; i < 4; i++) {
              for (int j = 0; j < 4; j++) {
                int zi = a + i - 2; // index into the zero-inserted [2H,2W] image
                int zj = d + j - 2;
                if (zi < 0 || zj < 0 || zi >= h2 || zj >= w2 || zi % 2 != 0 || zj % 2 != 0) {
                  continue;
                }
                acc += x[((b * h + zi / 2) * w + zj / 2) * c + ch] * f[i] * f[j] * 4;
              }
            }
            y[((b * h2 + a) * w2 + d) * c + ch] = acc;
          }
        }
      }
    }
    return y;
  }

  /** Multiplies y [N,H,W,out] by rsqrt(Σ_{kh,kw,in}(wt·s)² + 1e-8) per sample and output channel. */
  static double[] demodulate(double[] y, double[] wt, double[] s, int n, int hw, int in, int out, int k) {
    double[] r = y.clone();
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < out; o++) {
        double sum = 0;
        for (int kk = 0; kk < k * k; kk++) {
          for (int c = 0; c < in; c++) {
            double v = wt[(kk * in + c) * out + o] * s[b * in + c];
            sum += v * v;
          }
        }
        double d = 1 / Math.sqrt(sum + 1e-8);
        for (int i = 0; i < hw; i++) {
          r[(b * hw + i) * out + o] *= d;
        }
      }
    }
    return r;
  }

  static double[] d(float[] v) {
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = v[i];
    }
    return r;
  }

  // ---- tests ----

  @ParameterizedTest(name = "demodulate={0}, up={1}")
  @CsvSource({"true,1", "false,1", "true,2", "false,2"})
  void modulatedConvEqualsPlainJavaReference(boolean demod, int up) {
    float[] x = gaussian(1, N * H * H * IN, 1);
    float[] wt = gaussian(2, K * K * IN * OUT, 0.5);
    float[] s = gaussian(3, N * IN, 1);
    double[] ref = modulate(d(x), d(s), N, H, H, IN);
    int h = H;
    if (up == 2) {
      ref = upsample2x(ref, N, H, H, IN);
      h = 2 * H;
    }
    ref = conv(ref, d(wt), N, h, h, IN, OUT, K);
    if (demod) {
      ref = demodulate(ref, d(wt), d(s), N, h * h, IN, OUT, K);
    }
    try (Graph g = new Graph();
        Session sess = new Session(g);
        TFloat32 xt = tensor(x, N, H, H, IN);
        TFloat32 wtt = tensor(wt, K, K, IN, OUT);
        TFloat32 st = tensor(s, N, IN)) {
      Ops tf = Ops.create(g);
      var xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N, H, H, IN)));
      var wp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(K, K, IN, OUT)));
      var sp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N, IN)));
      Operand<TFloat32> y = ModulatedConv2d.modulatedConv(tf, xp, wp, sp, demod, up);
      assertThat(y.shape().asArray()).containsExactly(N, h, h, OUT);
      float[] got = fetch(sess, y, feeds(xp, xt, wp, wtt, sp, st));
      assertThat(maxAbsDiff(got, ref)).isLessThan(1e-4);
    }
  }

  /** The whole layer: affine (bias 1), weight gain, modconv, bias, lrelu·sqrt2, clamp. */
  @ParameterizedTest(name = "toRgb={0}")
  @CsvSource({"false", "true"})
  void layerEqualsPlainJavaReference(boolean toRgb) {
    int wDim = 6;
    float clamp = 1.5f;
    ModulatedConv2d.Spec spec =
        toRgb
            ? ModulatedConv2d.Spec.toRgb(IN, OUT, wDim, clamp)
            : ModulatedConv2d.Spec.conv(IN, OUT, wDim, 1, false, clamp);
    int k = spec.kernel();
    float[] x = gaussian(4, N * H * H * IN, 1);
    float[] w = gaussian(5, N * wDim, 1);
    try (Graph g = new Graph();
        Session sess = new Session(g);
        TFloat32 xt = tensor(x, N, H, H, IN);
        TFloat32 wt = tensor(w, N, wDim)) {
      Ops tf = Ops.create(g);
      Params params = new Params(11);
      ModulatedConv2d layer = new ModulatedConv2d(tf, params, "layer", spec);
      var xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, H, H, IN)));
      var wp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, wDim)));
      Operand<TFloat32> y = layer.apply(xp, wp, Noise.none());
      // Give the bias a non-zero value so that its use is checked too.
      sess.runner().addTarget(tf.assign(layer.bias().variable(), tf.constant(new float[] {0.1f, -0.2f, 0.3f, 0f}))).run();
      float[] got = fetch(sess, y, feeds(xp, xt, wp, wt));

      double[] aw = d(fetch(sess, layer.affine().weight().value()));
      double[] ab = d(fetch(sess, layer.affine().bias().value()));
      double[] cw = d(fetch(sess, layer.weight().value()));
      double[] cb = d(fetch(sess, layer.bias().value()));
      assertThat(ab).containsOnly(1.0);
      double[] s = new double[N * IN];
      for (int b = 0; b < N; b++) {
        for (int c = 0; c < IN; c++) {
          double acc = 0;
          for (int j = 0; j < wDim; j++) {
            acc += w[b * wDim + j] * aw[j * IN + c];
          }
          s[b * IN + c] = acc / Math.sqrt(wDim) + ab[c];
        }
      }
      double gain = 1 / Math.sqrt(IN * k * k);
      for (int i = 0; i < cw.length; i++) {
        cw[i] *= gain;
      }
      double[] ref = conv(modulate(d(x), s, N, H, H, IN), cw, N, H, H, IN, OUT, k);
      if (!toRgb) {
        ref = demodulate(ref, cw, s, N, H * H, IN, OUT, k);
      }
      for (int i = 0; i < ref.length; i++) {
        double v = ref[i] + cb[i % OUT];
        if (!toRgb) {
          v = (v < 0 ? 0.2 * v : v) * Math.sqrt(2);
        }
        ref[i] = Math.max(-clamp, Math.min(clamp, v));
      }
      assertThat(maxAbsDiff(got, ref)).isLessThan(1e-4);
    }
  }

  @Test
  void variablesAreNamedInTheLayerScope() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withSubScope("G");
      Params params = new Params(0);
      ModulatedConv2d layer =
          new ModulatedConv2d(tf, params, "conv0", ModulatedConv2d.Spec.conv(8, 16, 32, 2, true, 0f));
      assertThat(params.byName().keySet())
          .containsExactly(
              "G/conv0/affine/weight",
              "G/conv0/affine/bias",
              "G/conv0/weight",
              "G/conv0/bias",
              "G/conv0/noise_strength");
      assertThat(layer.params()).hasSize(5);
      assertThat(params.trainableCount()).isEqualTo(32 * 8 + 8 + 3 * 3 * 8 * 16 + 16 + 1);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4, 8)));
      var w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 32)));
      assertThat(layer.apply(x, w, Noise.constant()).shape().asArray()).containsExactly(-1, 8, 8, 16);
      var bad = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4, 7)));
      assertThatThrownBy(() -> layer.apply(bad, w, Noise.none()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ModulatedConv2d input x");
    }
  }
}
