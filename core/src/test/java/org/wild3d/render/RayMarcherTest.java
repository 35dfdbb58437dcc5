package org.wild3d.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class RayMarcherTest {

  static Operand<TFloat32> constant(Ops tf, float[] v, long... dims) {
    return tf.constant(Shape.of(dims), DataBuffers.of(v, true, false));
  }

  @Test
  void matchesPlainJavaMidpointCompositing() {
    Random r = new Random(5);
    int rays = 6;
    int s = 9;
    int c = 2;
    float near = 1f;
    float far = 3f;
    float[] t = new float[rays * s];
    float[] sigma = new float[rays * s];
    float[] feat = new float[rays * s * c];
    for (int i = 0; i < rays; i++) {
      float d = near;
      for (int k = 0; k < s; k++) {
        d += r.nextFloat() * 0.2f;
        t[i * s + k] = d;
        sigma[i * s + k] = i == 0 ? 0f : r.nextFloat() * 5;
      }
    }
    for (int i = 0; i < feat.length; i++) {
      feat[i] = r.nextFloat();
    }
    List<float[]> out =
        TfTesting.evaluate(
            tf -> {
              RayMarcher.Composite m =
                  RayMarcher.march(
                      tf,
                      constant(tf, t, 1, rays, s, 1),
                      constant(tf, sigma, 1, rays, s, 1),
                      constant(tf, feat, 1, rays, s, c),
                      near,
                      far);
              return List.of(m.features(), m.depth(), m.opacity(), m.weights());
            });
    for (int i = 0; i < rays; i++) {
      double trans = 1;
      double op = 0;
      double dep = 0;
      double[] f = new double[c];
      double tau = 0;
      for (int k = 0; k < s - 1; k++) {
        double delta = t[i * s + k + 1] - t[i * s + k];
        double sg = (sigma[i * s + k] + sigma[i * s + k + 1]) / 2;
        double alpha = 1 - Math.exp(-sg * delta);
        double w = alpha * trans;
        trans *= 1 - alpha; // the cumprod form, as an independent check of exp(-cumsum)
        tau += sg * delta;
        op += w;
        dep += w * (t[i * s + k] + t[i * s + k + 1]) / 2;
        for (int j = 0; j < c; j++) {
          f[j] += w * (feat[(i * s + k) * c + j] + feat[(i * s + k + 1) * c + j]) / 2;
        }
        assertThat(out.get(3)[i * (s - 1) + k]).isCloseTo((float) w, within(1e-5f));
      }
      assertThat(op).isCloseTo(1 - Math.exp(-tau), within(1e-9));
      assertThat(out.get(2)[i]).isCloseTo((float) op, within(1e-5f));
      float expectedDepth = op > 0 ? (float) Math.min(far, Math.max(near, dep / op)) : far;
      assertThat(out.get(1)[i]).isCloseTo(expectedDepth, within(1e-5f));
      for (int j = 0; j < c; j++) {
        assertThat(out.get(0)[i * c + j]).isCloseTo((float) f[j], within(1e-5f));
      }
    }
    assertThat(out.get(2)[0]).isZero(); // ray 0 is empty: transparent, depth = far
    assertThat(out.get(1)[0]).isEqualTo(far);
  }
}
