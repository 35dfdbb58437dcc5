package org.wild3d.invert;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * An LPIPS-style image distance built into a graph: feature maps of a fixed network, unit-normalised
 * per pixel across channels, squared differences averaged over space and summed over layers.
 *
 * <p>Shapes: {@code x [N,H,W,3]}, {@code y [N,H,W,3]} or {@code [1,H,W,3]} (broadcast), both in
 * [−1,1] → {@code [N]}.
 */
public interface PerceptualDistance {
  /** Which network this is, for reports (e.g. {@code cls-77ae9c217a43} or {@code lpips-vgg16}). */
  String name();

  /** The per-image distance; the network's weights are graph constants (never trained). */
  Operand<TFloat32> distance(Ops tf, Operand<TFloat32> x, Operand<TFloat32> y);

  /**
   * {@code Σ_layers mean_HW Σ_C (a/‖a‖ − b/‖b‖)²} with ‖·‖ over channels per pixel (LPIPS with
   * unit channel weights). Shapes: {@code [N,h,w,C]} ×2 → {@code [N]}.
   */
  static Operand<TFloat32> normalizedDistance(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    Operand<TFloat32> na = unit(tf, a);
    Operand<TFloat32> nb = unit(tf, b);
    Operand<TFloat32> d = tf.reduceSum(tf.math.square(tf.math.sub(na, nb)), tf.constant(3)); // [N,h,w]
    return tf.math.mean(d, tf.constant(new int[] {1, 2})); // [N]
  }

  private static Operand<TFloat32> unit(Ops tf, Operand<TFloat32> a) {
    Operand<TFloat32> n = tf.math.sqrt(tf.math.add(tf.reduceSum(tf.math.square(a), tf.constant(3),
        org.tensorflow.op.core.ReduceSum.keepDims(true)), tf.constant(1e-10f))); // [N,h,w,1]
    return tf.math.div(a, n);
  }
}
