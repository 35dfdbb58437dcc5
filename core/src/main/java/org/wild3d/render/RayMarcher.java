package org.wild3d.render;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Shapes;
import org.wild3d.tf.Slices;

/**
 * Alpha compositing along rays with EG3D's midpoint scheme.
 *
 * <p>The S samples of a ray (sorted by depth) define S−1 intervals; interval k spans {@code [t_k,
 * t_{k+1}]}, has length {@code δ_k = t_{k+1} − t_k} and carries the mean of its two end samples'
 * density and features and the depth {@code (t_k + t_{k+1})/2}. There is no last, open interval:
 * nothing is counted before the first or after the last sample.
 *
 * <p>{@code α_k = 1 − exp(−σ_k δ_k)}, {@code T_k = exp(−Σ_{j<k} σ_j δ_j)} (an exclusive cumulative
 * sum, whose gradient exists, instead of a cumulative product), {@code w_k = α_k T_k}. Outputs:
 * features {@code Σ w_k c_k}, opacity {@code Σ w_k = 1 − exp(−Σ σ δ)}, and the expected depth
 * {@code Σ w_k t_k / Σ w_k} clamped to {@code [near, far]}; rays with zero opacity get {@code far}.
 * The densities are used as given: the field applies its activation.
 */
public final class RayMarcher {
  private RayMarcher() {}

  /**
   * Shapes: {@code features [N,R,C]}, {@code depth [N,R,1]}, {@code opacity [N,R,1]}, {@code
   * weights [N,R,S−1,1]} (per interval, for importance sampling).
   */
  public record Composite(
      Operand<TFloat32> features,
      Operand<TFloat32> depth,
      Operand<TFloat32> opacity,
      Operand<TFloat32> weights) {}

  /**
   * Composites samples sorted by depth along each ray.
   *
   * <p>Shapes: {@code depths [N,R,S,1]}, {@code sigma [N,R,S,1]}, {@code features [N,R,S,C]} →
   * {@link Composite}.
   */
  public static Composite march(
      Ops tf,
      Operand<TFloat32> depths,
      Operand<TFloat32> sigma,
      Operand<TFloat32> features,
      float near,
      float far) {
    Shapes.check("RayMarcher depths [N,R,S,1]", depths, -1, -1, -1, 1);
    int r = Shapes.dim(depths, 1);
    int s = Shapes.dim(depths, 2);
    checkArgument(s >= 2, "ray samples: expected >= 2 per ray, found %s", s);
    Shapes.check("RayMarcher sigma [N,R,S,1]", sigma, -1, r, s, 1);
    Shapes.check("RayMarcher features [N,R,S,C]", features, -1, r, s, -1);
    checkArgument(near < far, "ray range: expected near < far, found %s, %s", near, far);

    Operand<TFloat32> delta = tf.math.sub(tail(tf, depths, s), head(tf, depths, s)); // [N,R,S-1,1]
    Operand<TFloat32> tMid = mid(tf, depths, s);
    Operand<TFloat32> sigmaMid = mid(tf, sigma, s);
    Operand<TFloat32> featMid = mid(tf, features, s); // [N,R,S-1,C]
    Operand<TFloat32> tau = tf.math.mul(sigmaMid, delta); // [N,R,S-1,1]
    Operand<TFloat32> alpha = tf.math.sub(tf.constant(1f), tf.math.exp(tf.math.neg(tau)));
    Operand<TFloat32> trans =
        tf.math.exp(tf.math.neg(tf.math.cumsum(tau, tf.constant(2), Cumsum.exclusive(true))));
    Operand<TFloat32> w = tf.math.mul(alpha, trans); // [N,R,S-1,1]

    Operand<org.tensorflow.types.TInt32> axis = tf.constant(2);
    Operand<TFloat32> feat = tf.reduceSum(tf.math.mul(w, featMid), axis); // [N,R,C]
    Operand<TFloat32> opacity = tf.reduceSum(w, axis); // [N,R,1]
    Operand<TFloat32> depthSum = tf.reduceSum(tf.math.mul(w, tMid), axis); // [N,R,1]
    Operand<TFloat32> farT = tf.fill(tf.shape(tf.stopGradient(opacity)), tf.constant(far));
    Operand<TFloat32> depth =
        tf.select(
            tf.math.greater(opacity, tf.constant(0f)), tf.math.divNoNan(depthSum, opacity), farT);
    depth = tf.math.minimum(tf.math.maximum(depth, tf.constant(near)), tf.constant(far));
    return new Composite(feat, depth, opacity, w);
  }

  private static Operand<TFloat32> head(Ops tf, Operand<TFloat32> x, int s) {
    return Slices.along(tf, x, 2, 0, s - 1);
  }

  private static Operand<TFloat32> tail(Ops tf, Operand<TFloat32> x, int s) {
    return Slices.along(tf, x, 2, 1, s);
  }

  private static Operand<TFloat32> mid(Ops tf, Operand<TFloat32> x, int s) {
    return tf.math.mul(tf.math.add(head(tf, x, s), tail(tf, x, s)), tf.constant(0.5f));
  }
}
