package org.wild3d.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.FusedOps;

/**
 * Activations of equalized-learning-rate layers, each with the gain StyleGAN uses so that unit
 * variance is kept through a layer.
 */
public enum Activation {
  /** Identity, gain 1. */
  LINEAR(1.0),
  /** Leaky ReLU with slope 0.2, gain sqrt(2). Second-order differentiable (R1-safe). */
  LRELU(Math.sqrt(2.0)),
  /** Softplus, gain 1 (the triplane decoder's hidden activation, as in EG3D). */
  SOFTPLUS(1.0);

  /** Output multiplier applied after the nonlinearity. */
  public final double gain;

  Activation(double gain) {
    this.gain = gain;
  }

  /** Applies the nonlinearity and the gain. Shapes: any → same. */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> y =
        switch (this) {
          case LINEAR -> x;
          case LRELU -> tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(0.2f));
          case SOFTPLUS -> softplus(tf, x);
        };
    return gain == 1.0 ? y : tf.math.mul(y, tf.constant((float) gain));
  }

  /**
   * {@code log(1 + exp(x))}: the fused vectorised kernel where {@link FusedOps#enabled}, else TF's
   * Softplus. Shapes: any → same.
   */
  public static Operand<TFloat32> softplus(Ops tf, Operand<TFloat32> x) {
    return FusedOps.enabled(tf) ? FusedOps.softplus(tf, x) : tf.math.softplus(x);
  }
}
