package org.wild3d.invert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.DataException;
import org.wild3d.metrics.classifier.ClassifierNet;
import org.wild3d.metrics.classifier.ClassifierWeights;

class ClassifierPerceptualTest {
  private static final int R = 16;

  /** Random classifier weights of the {@link ClassifierNet} layout (c = 2, 16²). */
  static ClassifierWeights randomWeights(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    int cin = 3;
    for (int i = 0; i < 4; i++) {
      int cout = 2 << i;
      put(values, shapes, "C/conv" + i + "/weight", new long[] {3, 3, cin, cout}, rng, 0.5);
      put(values, shapes, "C/conv" + i + "/bias", new long[] {cout}, rng, 0.1);
      cin = cout;
    }
    put(values, shapes, "C/logits/weight", new long[] {cin, 3}, rng, 0.1);
    return new ClassifierWeights(new ClassifierNet.Spec(R, 3, 2), "fp", 1, 10, 0.5, values,
        shapes);
  }

  private static void put(Map<String, float[]> v, Map<String, long[]> s, String name, long[] shape,
      SplittableRandom rng, double std) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((rng.nextDouble() * 2 - 1) * std);
    }
    v.put(name, a);
    s.put(name, shape);
  }

  @Test
  void matchesAPlainJavaLpipsOfTheConvLayers() {
    ClassifierWeights w = randomWeights(3);
    ClassifierPerceptual p = new ClassifierPerceptual(w);
    assertThat(p.layers()).isEqualTo(4);
    assertThat(p.name()).isEqualTo("cls-" + w.id());
    SplittableRandom rng = new SplittableRandom(5);
    float[] x = new float[2 * R * R * 3];
    float[] y = new float[R * R * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    System.arraycopy(y, 0, x, 0, y.length); // image 0 equals y: distance 0
    float[] got = new float[2];
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> xt = tf.constant(Shape.of(2, R, R, 3), DataBuffers.of(x, true, false));
      Operand<TFloat32> yt = tf.constant(Shape.of(1, R, R, 3), DataBuffers.of(y, true, false));
      Operand<TFloat32> d = p.distance(tf, xt, yt);
      assertThat(d.shape()).isEqualTo(Shape.of(2));
      try (Session s = new Session(g); Result r = s.runner().fetch(d).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(got, false, false));
      }
    }
    float[] x1 = new float[R * R * 3];
    System.arraycopy(x, R * R * 3, x1, 0, x1.length);
    double want = javaDistance(w, x1, y);
    assertThat((double) got[0]).isCloseTo(0, within(1e-6));
    assertThat(want).isGreaterThan(0.1);
    assertThat((double) got[1]).isCloseTo(want, within(1e-4 * want));
  }

  @Test
  void refusesWeightsWithoutConvolutions() {
    ClassifierWeights w = randomWeights(1);
    Map<String, float[]> v = new LinkedHashMap<>(w.values());
    v.remove("C/conv0/bias");
    assertThatThrownBy(() -> new ClassifierPerceptual(new ClassifierWeights(w.spec(), "fp", 1, 1,
        0, v, w.shapes()))).isInstanceOf(DataException.class)
        .hasMessageContaining("expected C/conv0/bias next to C/conv0/weight");
  }

  /** Independent computation: SAME stride-2 convs (TF padding: extra row/col at the end). */
  private static double javaDistance(ClassifierWeights w, float[] a, float[] b) {
    double[] fa = toDouble(a);
    double[] fb = toDouble(b);
    int size = R;
    int cin = 3;
    double total = 0;
    for (int l = 0; l < 4; l++) {
      float[] k = w.values().get("C/conv" + l + "/weight");
      float[] bias = w.values().get("C/conv" + l + "/bias");
      int cout = bias.length;
      fa = conv(fa, size, cin, k, bias, cout);
      fb = conv(fb, size, cin, k, bias, cout);
      size /= 2;
      cin = cout;
      double sum = 0;
      for (int p = 0; p < size * size; p++) {
        double na = 0;
        double nb = 0;
        for (int c = 0; c < cout; c++) {
          na += fa[p * cout + c] * fa[p * cout + c];
          nb += fb[p * cout + c] * fb[p * cout + c];
        }
        na = Math.sqrt(na + 1e-10);
        nb = Math.sqrt(nb + 1e-10);
        for (int c = 0; c < cout; c++) {
          double d = fa[p * cout + c] / na - fb[p * cout + c] / nb;
          sum += d * d;
        }
      }
      total += sum / (size * size);
    }
    return total;
  }

  private static double[] conv(double[] in, int size, int cin, float[] k, float[] bias, int cout) {
    int out = size / 2;
    double[] o = new double[out * out * cout];
    for (int i = 0; i < out; i++) {
      for (int j = 0; j < out; j++) {
        for (int co = 0; co < cout; co++) {
          double s = bias[co];
          for (int di = 0; di < 3; di++) {
            for (int dj = 0; dj < 3; dj++) {
              int y = 2 * i + di;
              int x = 2 * j + dj;
              if (y >= size || x >= size) {
                continue;
              }
              for (int ci = 0; ci < cin; ci++) {
                s += in[(y * size + x) * cin + ci] * k[((di * 3 + dj) * cin + ci) * cout + co];
              }
            }
          }
          o[(i * out + j) * cout + co] = s > 0 ? s : 0.2 * s;
        }
      }
    }
    return o;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
