package org.wild3d.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class Conv2dTest {

  @Test
  void variablesAndOutputShapes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withSubScope("D");
      Params p = new Params(0);
      Conv2d a = new Conv2d(tf, p, "conv1", Conv2d.Spec.of(4, 6, 3, Activation.LRELU).downsampled());
      Conv2d b = new Conv2d(tf, p, "skip", Conv2d.Spec.of(4, 6, 1, Activation.LINEAR).downsampled().withoutBias());
      Conv2d c = new Conv2d(tf, p, "conv0", Conv2d.Spec.of(4, 4, 3, Activation.LRELU));
      assertThat(p.trainables()).extracting(Param::name)
          .containsExactly("D/conv1/weight", "D/conv1/bias", "D/skip/weight", "D/conv0/weight", "D/conv0/bias");
      assertThat(a.weight().shape()).isEqualTo(Shape.of(3, 3, 4, 6));
      assertThat(b.weight().shape()).isEqualTo(Shape.of(1, 1, 4, 6));
      assertThat(b.bias()).isNull();
      for (int h : new int[] {8, 32}) {
        var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, h, h, 4)));
        assertThat(a.apply(x).shape().asArray()).containsExactly(-1L, h / 2, h / 2, 6L);
        assertThat(b.apply(x).shape().asArray()).containsExactly(-1L, h / 2, h / 2, 6L);
        assertThat(c.apply(x).shape().asArray()).containsExactly(-1L, h, h, 4L);
      }
      var odd = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 7, 7, 4)));
      assertThatThrownBy(() -> a.apply(odd)).hasMessageContaining("even spatial size");
      var wrong = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 5)));
      assertThatThrownBy(() -> c.apply(wrong)).hasMessageContaining("expected shape");
    }
  }

  @Test
  void downsamplingConvMatchesBlurThenStridedConvInPlainJava() {
    for (int k : new int[] {3, 1}) {
      checkAgainstReference(Conv2d.Spec.of(3, 2, k, Activation.LRELU).downsampled().withLrMul(0.5f), 0.7f, 8);
    }
  }

  @Test
  void sameResolutionConvAndClampMatchPlainJava() {
    checkAgainstReference(Conv2d.Spec.of(3, 2, 3, Activation.LRELU), 1f, 6);
    checkAgainstReference(Conv2d.Spec.of(3, 2, 3, Activation.LINEAR).withClamp(0.3f), 0.5f, 6);
  }

  /**
   * The input gradient of the downsampling layers against the plain-Java adjoint. Guards the
   * oneDNN bug that Conv2d works around (a wrong input gradient of 1-channel stride-2 convs).
   */
  @Test
  void downsamplingInputGradientMatchesPlainJava() {
    for (int[] kio : new int[][] {{3, 3, 2}, {1, 3, 2}, {3, 1, 1}, {1, 1, 1}}) {
      Conv2d.Spec spec = Conv2d.Spec.of(kio[1], kio[2], kio[0], Activation.LINEAR).downsampled();
      int n = 1;
      int size = 8;
      int cin = spec.in();
      Random r = new Random(9);
      float[] cv = new float[n * 4 * 4 * spec.out()];
      for (int i = 0; i < cv.length; i++) {
        cv[i] = (float) r.nextGaussian();
      }
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        Conv2d layer = new Conv2d(tf, new Params(2), "c", spec);
        var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, cin)));
        Operand<TFloat32> l =
            tf.reduceSum(
                tf.math.mul(layer.apply(x), tf.constant(Shape.of(n, 4, 4, spec.out()), DataBuffers.of(cv))),
                tf.constant(new int[] {0, 1, 2, 3}));
        Operand<TFloat32> gx = org.wild3d.tf.Grads.of(tf, l, java.util.List.of(x)).get(0);
        float[] xv = new float[n * size * size * cin];
        try (Session s = new Session(g);
            TFloat32 xt = TFloat32.tensorOf(Shape.of(n, size, size, cin), DataBuffers.of(xv));
            Result res = s.runner().feed(x, xt).fetch(gx).fetch(layer.weight().variable()).run()) {
          float[] got = flat((TFloat32) res.get(0));
          float[] wv = flat((TFloat32) res.get(1));
          float[] bv = new float[spec.out()];
          for (int i = 0; i < xv.length; i++) {
            float[] e = new float[xv.length];
            e[i] = 1f;
            double[] y = reference(spec, 1f, e, n, size, wv, bv); // linear: L(e_i) = ∂L/∂x_i
            double want = 0;
            for (int j = 0; j < y.length; j++) {
              want += y[j] * cv[j];
            }
            assertThat((double) got[i])
                .as("k=%d in=%d out=%d: dL/dx[%d]", kio[0], kio[1], kio[2], i)
                .isCloseTo(want, org.assertj.core.api.Assertions.within(1e-4));
          }
        }
      }
    }
  }

  /** Runs the layer on random input with a random non-zero bias and compares with plain Java. */
  private static void checkAgainstReference(Conv2d.Spec spec, float gain, int size) {
    int n = 2;
    int cin = spec.in();
    Random r = new Random(3);
    float[] xv = new float[n * size * size * cin];
    for (int i = 0; i < xv.length; i++) {
      xv[i] = (float) r.nextGaussian();
    }
    float[] bv = new float[spec.out()];
    for (int i = 0; i < bv.length; i++) {
      bv[i] = (float) r.nextGaussian();
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params p = new Params(5);
      Conv2d layer = new Conv2d(tf, p, "c", spec);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, cin)));
      Operand<TFloat32> y = layer.apply(x, gain);
      try (Session s = new Session(g);
          TFloat32 xt = TFloat32.tensorOf(Shape.of(n, size, size, cin), DataBuffers.of(xv));
          TFloat32 bt = TFloat32.tensorOf(Shape.of(spec.out()), DataBuffers.of(bv));
          Result res =
              s.runner().feed(x, xt).feed(layer.bias().value(), bt).fetch(y).fetch(layer.weight().variable()).run()) {
        TFloat32 yt = (TFloat32) res.get(0);
        float[] wv = flat((TFloat32) res.get(1));
        double[] want = reference(spec, gain, xv, n, size, wv, bv);
        float[] got = flat(yt);
        assertThat(got).hasSize(want.length);
        double maxAbs = 0;
        for (int i = 0; i < got.length; i++) {
          assertThat((double) got[i]).as("output %d", i).isCloseTo(want[i], org.assertj.core.api.Assertions.within(1e-4));
          maxAbs = Math.max(maxAbs, Math.abs(want[i]));
        }
        assertThat(maxAbs).isGreaterThan(0.1); // the comparison was not trivially on zeros
      }
    }
  }

  private static float[] flat(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** Plain-Java StyleGAN2 conv layer: [pad + blur, stride-2] conv, bias, activation·gain, clamp. */
  static double[] reference(Conv2d.Spec spec, float gain, float[] xv, int n, int size, float[] wv, float[] bv) {
    int cin = spec.in();
    int cout = spec.out();
    int k = spec.kernel();
    double[][][][] x = new double[n][size][size][cin];
    for (int b = 0; b < n; b++)
      for (int i = 0; i < size; i++)
        for (int j = 0; j < size; j++)
          for (int c = 0; c < cin; c++) x[b][i][j][c] = xv[((b * size + i) * size + j) * cin + c];
    double[][][][] src;
    int stride;
    if (spec.down()) {
      // StyleGAN2 conv2d_resample, downsampling: pad k/2 + 1 on each side, blur with [1,3,3,1]
      src = blur(pad(x, k / 2 + 1), new double[] {1, 3, 3, 1});
      stride = 2;
    } else {
      src = pad(x, k / 2);
      stride = 1;
    }
    int hs = src[0].length;
    int ho = (hs - k) / stride + 1;
    double wscale = spec.lrMul() / Math.sqrt(cin * k * k);
    double[] out = new double[n * ho * ho * cout];
    for (int b = 0; b < n; b++)
      for (int i = 0; i < ho; i++)
        for (int j = 0; j < ho; j++)
          for (int o = 0; o < cout; o++) {
            double s = 0;
            for (int u = 0; u < k; u++)
              for (int v = 0; v < k; v++)
                for (int c = 0; c < cin; c++)
                  s += src[b][stride * i + u][stride * j + v][c] * wv[((u * k + v) * cin + c) * cout + o] * wscale;
            s += bv[o] * spec.lrMul();
            double a = spec.activation() == Activation.LRELU ? (s > 0 ? s : 0.2 * s) * Math.sqrt(2) : s;
            a *= gain;
            if (spec.clamp() > 0) {
              double c = spec.clamp() * gain;
              a = Math.max(-c, Math.min(c, a));
            }
            out[((b * ho + i) * ho + j) * cout + o] = a;
          }
    return out;
  }

  private static double[][][][] pad(double[][][][] x, int p) {
    int n = x.length;
    int h = x[0].length;
    int c = x[0][0][0].length;
    double[][][][] y = new double[n][h + 2 * p][h + 2 * p][c];
    for (int b = 0; b < n; b++)
      for (int i = 0; i < h; i++)
        for (int j = 0; j < h; j++) y[b][i + p][j + p] = x[b][i][j].clone();
    return y;
  }

  /** VALID 2-D filtering with outer(f,f)/sum(f)², stride 1. */
  private static double[][][][] blur(double[][][][] x, double[] f) {
    double sum = 0;
    for (double v : f) sum += v;
    int t = f.length;
    int n = x.length;
    int h = x[0].length - t + 1;
    int c = x[0][0][0].length;
    double[][][][] y = new double[n][h][h][c];
    for (int b = 0; b < n; b++)
      for (int i = 0; i < h; i++)
        for (int j = 0; j < h; j++)
          for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int u = 0; u < t; u++)
              for (int v = 0; v < t; v++) s += x[b][i + u][j + v][ch] * f[u] * f[v] / (sum * sum);
            y[b][i][j][ch] = s;
          }
    return y;
  }
}
