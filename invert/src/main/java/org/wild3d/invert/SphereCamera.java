package org.wild3d.invert;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A camera on a sphere around the origin, looking at it, given by azimuth, elevation, roll and
 * radius: the parametrisation that inversion optimises (docs/CONVENTIONS.md, OpenCV cam2world).
 *
 * <p>Azimuth θ is measured about world {@code +y} from {@code +z} towards {@code +x}; elevation
 * {@code e = π/2 − φ} (φ the polar angle from {@code +y}); the position is {@code r·(cos e sin θ,
 * sin e, cos e cos θ)}. With roll 0 the camera's right axis is {@code (cos θ, 0, −sin θ)} and its
 * down axis {@code (sin e sin θ, −cos e, sin e cos θ)} — the same frame as
 * {@link org.wild3d.camera.Camera#fromSpherical} away from the poles, but smooth through them, so
 * gradients never see the look-at's pole fallback. Roll ρ turns the image plane about the viewing
 * axis: {@code right = cos ρ·right₀ + sin ρ·down₀}, {@code down = −sin ρ·right₀ + cos ρ·down₀}.
 *
 * <p>Shapes: the graph version maps four scalars to {@code cam2world [1,4,4]}.
 */
public final class SphereCamera {
  private SphereCamera() {}

  /** Angles in radians and the radius of a camera looking at the origin. */
  public record Angles(double azimuth, double elevation, double roll, double radius) {
    public Angles {
      checkArgument(radius > 0, "camera radius: expected > 0, found %s", radius);
    }

    /** Row-major 4×4 cam2world. */
    public double[] cam2world() {
      return SphereCamera.cam2world(azimuth, elevation, roll, radius);
    }
  }

  /** Row-major 4×4 cam2world of the camera (see the class comment). */
  public static double[] cam2world(double azimuth, double elevation, double roll, double radius) {
    double ca = Math.cos(azimuth);
    double sa = Math.sin(azimuth);
    double ce = Math.cos(elevation);
    double se = Math.sin(elevation);
    double cr = Math.cos(roll);
    double sr = Math.sin(roll);
    double[] right0 = {ca, 0, -sa};
    double[] down0 = {se * sa, -ce, se * ca};
    double[] fwd = {-ce * sa, -se, -ce * ca};
    double[] pos = {radius * ce * sa, radius * se, radius * ce * ca};
    double[] m = new double[16];
    for (int k = 0; k < 3; k++) {
      m[4 * k] = cr * right0[k] + sr * down0[k];
      m[4 * k + 1] = -sr * right0[k] + cr * down0[k];
      m[4 * k + 2] = fwd[k];
      m[4 * k + 3] = pos[k];
    }
    m[15] = 1;
    return m;
  }

  /**
   * The angles of a camera whose position is {@code cam2world}'s translation; roll is measured
   * against the roll-0 frame of that position. Exact inverse of {@link #cam2world} for cameras
   * looking at the origin with |elevation| &lt; π/2.
   */
  public static Angles angles(double[] cam2world) {
    checkArgument(cam2world.length == 16, "cam2world: expected 16 values, found %s",
        cam2world.length);
    double x = cam2world[3];
    double y = cam2world[7];
    double z = cam2world[11];
    double r = Math.sqrt(x * x + y * y + z * z);
    checkArgument(r > 0, "cam2world: expected a camera away from the origin, found it at 0");
    double elevation = Math.asin(Math.max(-1, Math.min(1, y / r)));
    double azimuth = Math.atan2(x, z);
    double[] frame = cam2world(azimuth, elevation, 0, r);
    double dotR = 0;
    double dotD = 0;
    for (int k = 0; k < 3; k++) {
      dotR += cam2world[4 * k] * frame[4 * k];
      dotD += cam2world[4 * k] * frame[4 * k + 1];
    }
    return new Angles(azimuth, elevation, Math.atan2(dotD, dotR), r);
  }

  /**
   * Angle in degrees between the viewing directions from the origin of two cameras (their
   * positions seen from the object): the viewpoint error, blind to roll.
   */
  public static double viewpointErrorDegrees(double[] a, double[] b) {
    double[] u = {a[3], a[7], a[11]};
    double[] v = {b[3], b[7], b[11]};
    double dot = 0;
    double nu = 0;
    double nv = 0;
    for (int k = 0; k < 3; k++) {
      dot += u[k] * v[k];
      nu += u[k] * u[k];
      nv += v[k] * v[k];
    }
    return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, dot / Math.sqrt(nu * nv)))));
  }

  /**
   * Geodesic angle in degrees between the rotations of two cam2world matrices ({@code
   * acos((tr(RaᵀRb) − 1)/2)}): the full orientation error, roll included.
   */
  public static double rotationErrorDegrees(double[] a, double[] b) {
    double tr = 0;
    for (int c = 0; c < 3; c++) {
      for (int k = 0; k < 3; k++) {
        tr += a[4 * k + c] * b[4 * k + c];
      }
    }
    return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, (tr - 1) / 2))));
  }

  /**
   * {@code n} roll-0 camera directions spread evenly over the whole sphere (a Fibonacci lattice:
   * {@code sin e} uniform in (−1, 1), azimuth stepped by the golden angle), as (azimuth,
   * elevation) pairs in radians.
   */
  public static List<double[]> fibonacci(int n) {
    checkArgument(n >= 1, "camera candidates: expected >= 1, found %s", n);
    double golden = Math.PI * (3 - Math.sqrt(5));
    List<double[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double y = 1 - 2 * (i + 0.5) / n;
      double az = (golden * i) % (2 * Math.PI);
      out.add(new double[] {az, Math.asin(y)});
    }
    return out;
  }

  /**
   * The camera in the graph, differentiable in all four inputs.
   *
   * @param azimuth scalar, radians
   * @param elevation scalar, radians
   * @param roll scalar, radians
   * @param radius scalar
   * @return {@code cam2world [1,4,4]}
   */
  public static Operand<TFloat32> cam2world(Ops tf, Operand<TFloat32> azimuth,
      Operand<TFloat32> elevation, Operand<TFloat32> roll, Operand<TFloat32> radius) {
    Operand<TFloat32> ca = tf.math.cos(azimuth);
    Operand<TFloat32> sa = tf.math.sin(azimuth);
    Operand<TFloat32> ce = tf.math.cos(elevation);
    Operand<TFloat32> se = tf.math.sin(elevation);
    Operand<TFloat32> cr = tf.math.cos(roll);
    Operand<TFloat32> sr = tf.math.sin(roll);
    Operand<TFloat32> zero = tf.constant(0f);
    Operand<TFloat32> one = tf.constant(1f);
    List<Operand<TFloat32>> right0 = List.of(ca, zero, tf.math.neg(sa));
    List<Operand<TFloat32>> down0 = List.of(tf.math.mul(se, sa), tf.math.neg(ce),
        tf.math.mul(se, ca));
    List<Operand<TFloat32>> entries = new ArrayList<>(16);
    for (int k = 0; k < 3; k++) {
      Operand<TFloat32> fwd = tf.math.neg(k == 1 ? se
          : tf.math.mul(ce, k == 0 ? sa : ca));
      Operand<TFloat32> pos = tf.math.mul(radius, tf.math.neg(fwd));
      entries.add(tf.math.add(tf.math.mul(cr, right0.get(k)), tf.math.mul(sr, down0.get(k))));
      entries.add(tf.math.sub(tf.math.mul(cr, down0.get(k)), tf.math.mul(sr, right0.get(k))));
      entries.add(fwd);
      entries.add(pos);
    }
    entries.addAll(List.of(zero, zero, zero, one));
    return tf.reshape(tf.stack(entries), tf.constant(new int[] {1, 4, 4})); // [1,4,4]
  }
}
