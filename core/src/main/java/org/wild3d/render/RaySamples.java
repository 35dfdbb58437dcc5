package org.wild3d.render;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.tf.Shapes;

/** Stratified depths along rays and the points they give. */
public final class RaySamples {
  private RaySamples() {}

  /**
   * S stratified depths per ray: {@code [near, far]} is cut into S equal bins; with a seed, one
   * stateless-uniform depth inside each bin (independent per ray), without a seed the bin centres
   * (deterministic, for evaluation). The result carries no gradient.
   *
   * <p>Shapes: {@code like [N,R,…]} (only its first two dimensions are used) → {@code [N,R,S,1]}.
   *
   * @param seed stateless-random seed {@code [2]}, or null for bin centres
   */
  public static Operand<TFloat32> stratified(
      Ops tf, Operand<TFloat32> like, int samples, float near, float far, Operand<TInt64> seed) {
    NonDifferentiable.ensureRegistered();
    checkArgument(samples >= 2, "stratified samples per ray: expected >= 2, found %s", samples);
    checkArgument(
        near < far, "sample depth range: expected near < far, found %s, %s", near, far);
    int r = Shapes.dim(like, 1);
    float bin = (far - near) / samples;
    float[] starts = new float[samples];
    for (int k = 0; k < samples; k++) {
      starts[k] = near + k * bin;
    }
    Operand<TFloat32> base =
        tf.reshape(tf.constant(starts), tf.constant(new int[] {1, 1, samples, 1})); // [1,1,S,1]
    Operand<TInt32> shape =
        tf.concat(
            List.of(
                tf.slice(
                    tf.shape(tf.stopGradient(like)),
                    tf.constant(new int[] {0}),
                    tf.constant(new int[] {1})),
                tf.constant(new int[] {r, samples, 1})),
            tf.constant(0));
    Operand<TFloat32> frac =
        seed == null
            ? tf.fill(shape, tf.constant(0.5f))
            : tf.random.statelessRandomUniform(shape, seed); // [N,R,S,1]
    return tf.stopGradient(tf.math.add(base, tf.math.mul(frac, tf.constant(bin))));
  }

  /**
   * Points {@code o + t·d}, flattened per batch entry for field queries.
   *
   * <p>Shapes: {@code origins [N,R,3]}, {@code directions [N,R,3]}, {@code depths [N,R,S,1]} →
   * {@code [N,R·S,3]}.
   */
  public static Operand<TFloat32> points(
      Ops tf, Operand<TFloat32> origins, Operand<TFloat32> directions, Operand<TFloat32> depths) {
    int r = Shapes.dim(depths, 1);
    int s = Shapes.dim(depths, 2);
    Operand<TInt32> axis = tf.constant(2);
    Operand<TFloat32> p =
        tf.math.add(
            tf.expandDims(origins, axis),
            tf.math.mul(tf.expandDims(directions, axis), depths)); // [N,R,S,3]
    return tf.reshape(p, tf.constant(new int[] {-1, r * s, 3})); // [N,R·S,3]
  }
}
