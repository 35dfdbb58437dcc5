package org.wild3d.nn;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Shapes;

/**
 * Fully connected layer with equalized learning rate (StyleGAN2).
 *
 * <p>Weights are stored as N(0, 1/lrMul²) and scaled at run time by {@code lrMul/sqrt(in)}; the
 * bias is stored divided by {@code lrMul} and multiplied back. With Adam this makes the effective
 * learning rate of the layer {@code lr·lrMul}, independent of fan-in.
 *
 * <p>Shapes: {@code [N, in] → [N, out]}.
 */
public final class Dense {
  /**
   * @param in input features
   * @param out output features
   * @param activation nonlinearity (with its gain) applied after the bias
   * @param lrMul learning-rate multiplier; 1 = normal
   * @param biasInit initial bias value; 0 is usual, 1 for style affines
   * @param useBias false = no bias variable
   */
  public record Spec(
      int in, int out, Activation activation, float lrMul, float biasInit, boolean useBias) {
    public Spec {
      checkArgument(in > 0 && out > 0, "Dense: expected positive sizes, found %s -> %s", in, out);
      checkArgument(lrMul > 0, "Dense: lrMul must be > 0, found %s", lrMul);
    }

    /** A layer with bias 0 and lrMul 1. */
    public static Spec of(int in, int out, Activation activation) {
      return new Spec(in, out, activation, 1f, 0f, true);
    }
  }

  private final Spec spec;
  private final Param weight; // [in, out]
  private final Param bias; // [out] or null
  private final Ops tf;

  /** Builds the layer's variables in scope {@code name} of {@code tf}. */
  public Dense(Ops tf, Params params, String name, Spec spec) {
    this.spec = spec;
    this.tf = tf.withSubScope(name);
    this.weight = params.normal(this.tf, "weight", Shape.of(spec.in(), spec.out()), 1f / spec.lrMul());
    this.bias =
        spec.useBias()
            ? params.constant(this.tf, "bias", Shape.of(spec.out()), spec.biasInit() / spec.lrMul())
            : null;
  }

  public Spec spec() {
    return spec;
  }

  /** Shapes: {@code x [N, in] → [N, out]}. */
  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    Shapes.check("Dense input [N,in]", x, -1, spec.in());
    float scale = (float) (spec.lrMul() / Math.sqrt(spec.in()));
    Operand<TFloat32> y = tf.linalg.matMul(x, tf.math.mul(weight.value(), tf.constant(scale)));
    if (bias != null) {
      Operand<TFloat32> b =
          spec.lrMul() == 1f ? bias.value() : tf.math.mul(bias.value(), tf.constant(spec.lrMul()));
      y = tf.math.add(y, b); // Add, not BiasAdd: BiasAddGrad has no 2nd-order gradient
    }
    return spec.activation().apply(tf, y); // [N, out]
  }

  public Param weight() {
    return weight;
  }

  public Param bias() {
    return bias;
  }
}
