package org.wild3d.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Shapes;

/**
 * 2× upsampling with StyleGAN2's [1,3,3,1] filter, computed in polyphase form: along each spatial
 * axis, with zero padding outside the image,
 *
 * <pre>out[2i] = ¼·x[i−1] + ¾·x[i],   out[2i+1] = ¾·x[i] + ¼·x[i+1]</pre>
 *
 * which is exactly {@link Fir#upsample2x} (zero insertion, pad (2,1), [1,3,3,1]/8 outer product,
 * gain 4), built from Pad, Slice, Mul/Add, Stack and Reshape only. On a 2-core CPU its backward
 * pass is about 40× faster than {@link Fir#upsample2x}'s (a single-channel Conv2D over a
 * channel-folded batch, whose gradient TF's CPU kernels compute slowly); the generator uses it for
 * every upsampling.
 *
 * <p>Shapes: {@code [N,H,W,C] → [N,2H,2W,C]} (H, W, C static).
 */
public final class PolyphaseUpsample {
  private PolyphaseUpsample() {}

  /** Shapes: {@code [N,H,W,C] → [N,2H,2W,C]}. */
  public static Operand<TFloat32> upsample2x(Ops tf, Operand<TFloat32> x) {
    Shapes.check("PolyphaseUpsample input [N,H,W,C]", x, -1, -1, -1, -1);
    Shapes.dim(x, 1);
    Shapes.dim(x, 2);
    Shapes.dim(x, 3);
    return alongAxis(tf, alongAxis(tf, x, 1), 2);
  }

  /** Upsamples along spatial axis {@code axis} (1 = H, 2 = W). */
  private static Operand<TFloat32> alongAxis(Ops tf, Operand<TFloat32> x, int axis) {
    int n = Shapes.dim(x, axis);
    int[][] pad = new int[4][2];
    pad[axis] = new int[] {1, 1};
    Operand<TFloat32> xp = tf.pad(x, tf.constant(pad), tf.constant(0f)); // n+2 along axis
    int[] size = {-1, -1, -1, -1};
    size[axis] = n;
    Operand<TFloat32> prev = tf.slice(xp, tf.constant(begin(axis, 0)), tf.constant(size));
    Operand<TFloat32> cur = tf.slice(xp, tf.constant(begin(axis, 1)), tf.constant(size));
    Operand<TFloat32> next = tf.slice(xp, tf.constant(begin(axis, 2)), tf.constant(size));
    Operand<TFloat32> c = tf.math.mul(cur, tf.constant(0.75f));
    Operand<TFloat32> even = tf.math.add(c, tf.math.mul(prev, tf.constant(0.25f)));
    Operand<TFloat32> odd = tf.math.add(c, tf.math.mul(next, tf.constant(0.25f)));
    // axis 1: [N,H,2,W,C] -> [N,2H,W,C]; axis 2: [N,H,W,2,C] -> [N,H,2W,C]
    Operand<TFloat32> st = tf.stack(List.of(even, odd), Stack.axis((long) axis + 1));
    int[] out = {-1, Shapes.dim(x, 1), Shapes.dim(x, 2), Shapes.dim(x, 3)};
    out[axis] = 2 * n;
    return tf.reshape(st, tf.constant(out));
  }

  private static int[] begin(int axis, int offset) {
    int[] b = new int[4];
    b[axis] = offset;
    return b;
  }
}
