package org.wild3d.disc;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.tf.Shapes;

/**
 * StyleGAN's minibatch standard deviation layer, NHWC.
 *
 * <p>The batch is split into groups of {@code G = min(groupSize, N)} samples; as in StyleGAN, sample
 * {@code i} belongs to group {@code i mod (N/G)}. For each group and each of the {@code F} channel
 * slices the standard deviation over the group is averaged over pixels and the slice's channels,
 * and appended as a constant feature map to every sample of the group. {@code G} must divide
 * {@code N}: checked when the graph is built if N is static, otherwise the Reshape fails at run time.
 *
 * <p>Uses Sqrt, whose second-order gradient is {@link org.wild3d.tf.CustomGradients}'s SqrtGrad
 * gradient (install it before differentiating R1).
 *
 * <p>Shapes: {@code [N,H,W,C] → [N,H,W,C+F]}.
 */
public final class MinibatchStd {
  private MinibatchStd() {}

  /**
   * @param groupSize G before clipping to the batch size (StyleGAN: 4)
   * @param channels F, the number of std features; must divide C
   */
  public static Operand<TFloat32> apply(
      Ops tf, Operand<TFloat32> x, int groupSize, int channels) {
    Shapes.check("minibatch-std input [N,H,W,C]", x, -1, -1, -1, -1);
    checkArgument(groupSize >= 1, "mbstd group size: expected >= 1, found %s", groupSize);
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int c = Shapes.dim(x, 3);
    checkArgument(
        channels >= 1 && c % channels == 0,
        "mbstd_channels: expected a divisor of the 4x4 block's channels %s, found %s",
        c,
        channels);
    long n = x.shape().size(0);
    Operand<TInt32> g;
    if (n >= 0) {
      int gs = (int) Math.min(groupSize, n);
      checkArgument(
          n % gs == 0,
          "mbstd: batch size %s is not a multiple of the group size %s (model.discriminator"
              + ".mbstd_group_size; choose a divisor of the batch)",
          n,
          gs);
      g = tf.constant(new int[] {gs});
    } else {
      Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      g = tf.math.minimum(tf.constant(new int[] {groupSize}), batch);
    }
    int cs = c / channels;
    Operand<TFloat32> y =
        tf.reshape(x, tf.concat(List.of(g, tf.constant(new int[] {-1, h, w, channels, cs})), tf.constant(0))); // [G,n,H,W,F,c]
    y = tf.math.sub(y, tf.math.mean(y, tf.constant(0), Mean.keepDims(true)));
    y = tf.math.mean(tf.math.square(y), tf.constant(0)); // [n,H,W,F,c] variance over the group
    y = tf.math.sqrt(tf.math.add(y, tf.constant(1e-8f)));
    y = tf.math.mean(y, tf.constant(new int[] {1, 2, 4})); // [n,F]
    y = tf.reshape(y, tf.constant(new int[] {-1, 1, 1, channels})); // [n,1,1,F]
    y = tf.tile(y, tf.concat(List.of(g, tf.constant(new int[] {h, w, 1})), tf.constant(0))); // [N,H,W,F]
    Operand<TFloat32> out = tf.concat(List.of(x, y), tf.constant(3)); // [N,H,W,C+F]
    return tf.reshape(out, tf.constant(new int[] {-1, h, w, c + channels})); // static shape
  }
}
