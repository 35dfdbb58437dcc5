package org.wild3d.invert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
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
import org.wild3d.camera.Camera;
import org.wild3d.tf.Grads;

class SphereCameraTest {
  private static final double EPS = 1e-12;

  @Test
  void rollZeroIsTheLookAtCameraOfTheSameSphericalPosition() {
    double[][] cases = {{0, 0}, {0.3, 0.2}, {2.5, -0.7}, {4.0, 1.2}, {-1.0, 0.05}};
    for (double[] c : cases) {
      double[] m = SphereCamera.cam2world(c[0], c[1], 0, 2.7);
      double[] want = Camera.fromSpherical(c[0], Math.PI / 2 - c[1], 2.7, 12).cam2world();
      for (int i = 0; i < 16; i++) {
        assertThat(m[i]).as("case %s,%s entry %s", c[0], c[1], i).isCloseTo(want[i], within(1e-9));
      }
    }
  }

  @Test
  void knownAnswersIncludingRoll() {
    // az 0, el 0: on +z looking down -z; right +x, down -y.
    assertThat(SphereCamera.cam2world(0, 0, 0, 2)).containsExactly(
        new double[] {1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 2, 0, 0, 0, 1}, within(EPS));
    // roll 90°: right becomes the old down (-y), down becomes the old -right (-x).
    assertThat(SphereCamera.cam2world(0, 0, Math.PI / 2, 2)).containsExactly(
        new double[] {0, -1, 0, 0, -1, 0, 0, 0, 0, 0, -1, 2, 0, 0, 0, 1}, within(EPS));
    // az 90°, el 90° (the north pole): position +y·r, looking down -y, smooth (no fallback).
    double[] pole = SphereCamera.cam2world(Math.PI / 2, Math.PI / 2, 0, 3);
    assertThat(new double[] {pole[3], pole[7], pole[11]}).containsExactly(
        new double[] {0, 3, 0}, within(1e-12));
    assertThat(new double[] {pole[2], pole[6], pole[10]}).containsExactly(
        new double[] {0, -1, 0}, within(1e-12));
  }

  @Test
  void rollMatchesLookAtWithARotatedUpVector() {
    double az = 1.1;
    double el = 0.4;
    double roll = 0.6;
    double[] m = SphereCamera.cam2world(az, el, roll, 2.5);
    double[] r0 = SphereCamera.cam2world(az, el, 0, 2.5);
    // look-at with up = -(down rotated by roll) in the roll-0 image plane.
    double[] up = new double[3];
    for (int k = 0; k < 3; k++) {
      up[k] = Math.sin(roll) * r0[4 * k] - Math.cos(roll) * r0[4 * k + 1];
    }
    double[] want = Camera.lookAt(new double[] {m[3], m[7], m[11]}, new double[3], up, 10)
        .cam2world();
    assertThat(m).containsExactly(want, within(1e-9));
  }

  @Test
  void anglesInvertsCam2world() {
    SphereCamera.Angles a = SphereCamera.angles(SphereCamera.cam2world(-2.0, -0.9, 0.35, 1.7));
    assertThat(a.azimuth()).isCloseTo(-2.0, within(1e-9));
    assertThat(a.elevation()).isCloseTo(-0.9, within(1e-9));
    assertThat(a.roll()).isCloseTo(0.35, within(1e-9));
    assertThat(a.radius()).isCloseTo(1.7, within(1e-9));
    double[] c = SphereCamera.cam2world(0.5, 0.1, 0, 2);
    double[] d = SphereCamera.cam2world(0.5 + Math.toRadians(30), 0.1, 0, 2);
    double cosE = Math.cos(0.1);
    double chord = Math.toDegrees(Math.acos(cosE * cosE * Math.cos(Math.toRadians(30))
        + Math.sin(0.1) * Math.sin(0.1)));
    assertThat(SphereCamera.viewpointErrorDegrees(c, d)).isCloseTo(chord, within(1e-9));
    double[] rolled = SphereCamera.cam2world(0.5, 0.1, Math.toRadians(20), 2);
    assertThat(SphereCamera.viewpointErrorDegrees(c, rolled)).isCloseTo(0, within(1e-6));
    assertThat(SphereCamera.rotationErrorDegrees(c, rolled)).isCloseTo(20, within(1e-6));
  }

  @Test
  void fibonacciCoversTheSphereEvenly() {
    List<double[]> pts = SphereCamera.fibonacci(64);
    assertThat(pts).hasSize(64);
    // every direction on a fine test grid is within 30° of some candidate
    double worst = 0;
    for (double az = 0; az < 2 * Math.PI; az += 0.2) {
      for (double el = -1.5; el <= 1.5; el += 0.2) {
        double best = 180;
        for (double[] p : pts) {
          best = Math.min(best, SphereCamera.viewpointErrorDegrees(
              SphereCamera.cam2world(az, el, 0, 1), SphereCamera.cam2world(p[0], p[1], 0, 1)));
        }
        worst = Math.max(worst, best);
      }
    }
    assertThat(worst).isLessThan(20);
    double meanY = pts.stream().mapToDouble(p -> Math.sin(p[1])).average().orElseThrow();
    assertThat(meanY).isCloseTo(0, within(1e-9));
  }

  @Test
  void graphMatchesJavaAndItsGradientMatchesFiniteDifferences() {
    float[] in = {0.7f, -0.3f, 0.25f, 2.2f};
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4)));
      List<Operand<TFloat32>> s = List.of(scalar(tf, p, 0), scalar(tf, p, 1), scalar(tf, p, 2),
          scalar(tf, p, 3));
      Operand<TFloat32> m = SphereCamera.cam2world(tf, s.get(0), s.get(1), s.get(2), s.get(3));
      assertThat(m.shape()).isEqualTo(Shape.of(1, 4, 4));
      // weighted sum of the entries, so every entry's gradient counts
      float[] wts = new float[16];
      for (int i = 0; i < 16; i++) {
        wts[i] = (float) Math.sin(1.3 * i + 0.2);
      }
      Operand<TFloat32> y = tf.reduceSum(tf.math.mul(tf.reshape(m, tf.constant(new int[] {16})),
          tf.constant(wts)), tf.constant(0));
      Operand<TFloat32> grad = Grads.of(tf, y, List.of(p)).get(0);
      try (Session sess = new Session(g);
          TFloat32 t = TFloat32.tensorOf(Shape.of(4), DataBuffers.of(in, true, false));
          Result r = sess.runner().feed(p, t).fetch(m).fetch(grad).run()) {
        float[] got = new float[16];
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(got, false, false));
        double[] want = SphereCamera.cam2world(in[0], in[1], in[2], in[3]);
        for (int i = 0; i < 16; i++) {
          assertThat((double) got[i]).isCloseTo(want[i], within(1e-6));
        }
        float[] gr = new float[4];
        ((TFloat32) r.get(1)).copyTo(DataBuffers.of(gr, false, false));
        for (int j = 0; j < 4; j++) {
          double h = 1e-6;
          double[] a = {in[0], in[1], in[2], in[3]};
          double[] b = a.clone();
          a[j] += h;
          b[j] -= h;
          double fd = (weighted(SphereCamera.cam2world(a[0], a[1], a[2], a[3]), wts)
              - weighted(SphereCamera.cam2world(b[0], b[1], b[2], b[3]), wts)) / (2 * h);
          assertThat((double) gr[j]).as("d/d input %s", j).isCloseTo(fd, within(1e-4));
        }
      }
    }
  }

  private static double weighted(double[] m, float[] w) {
    double s = 0;
    for (int i = 0; i < 16; i++) {
      s += m[i] * w[i];
    }
    return s;
  }

  private static Operand<TFloat32> scalar(Ops tf, Operand<TFloat32> v, int i) {
    return tf.reshape(tf.gather(v, tf.constant(new int[] {i}), tf.constant(0)),
        tf.constant(new int[0]));
  }
}
