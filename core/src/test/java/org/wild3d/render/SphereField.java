package org.wild3d.render;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** A solid sphere at the origin with constant density and colour (test field). */
final class SphereField implements DensityField {
  final float radius;
  final float sigma;
  final float[] rgb;

  SphereField(float radius, float sigma, float[] rgb) {
    this.radius = radius;
    this.sigma = sigma;
    this.rgb = rgb;
  }

  @Override
  public Output query(Ops tf, Operand<TFloat32> points, org.wild3d.tf.Seed noiseSeed) {
    Operand<TFloat32> r2 =
        tf.reduceSum(tf.math.square(points), tf.constant(-1), ReduceSum.keepDims(true)); // [N,M,1]
    Operand<TFloat32> inside =
        tf.dtypes.cast(tf.math.less(r2, tf.constant(radius * radius)), TFloat32.class);
    Operand<TFloat32> colour = tf.math.add(tf.zerosLike(points), tf.constant(rgb)); // [N,M,3]
    return new Output(tf.math.mul(inside, tf.constant(sigma)), colour);
  }

  @Override
  public int featureChannels() {
    return 3;
  }
}
