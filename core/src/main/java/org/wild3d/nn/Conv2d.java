package org.wild3d.nn;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Shapes;

/**
 * 2-D convolution with equalized learning rate (StyleGAN2's {@code Conv2dLayer}), NHWC.
 *
 * <p>The weight {@code [k,k,in,out]} is stored as N(0, 1/lrMul²) and scaled at run time by
 * {@code lrMul/sqrt(in·k·k)}; the bias is stored divided by {@code lrMul}. Then: bias (a plain Add:
 * BiasAddGrad has no second-order gradient), activation with its gain times the call's extra
 * {@code gain}, and an optional clamp to ±{@code clamp·gain}.
 *
 * <p>With {@code down} the layer halves the resolution anti-aliased like StyleGAN2's
 * {@code conv2d_resample}: the input is padded and blurred with the [1,3,3,1] filter, then
 * convolved with stride 2, VALID. For k = 3 the blur pads 2 on every side ({@code H+1} rows after
 * it) and the strided conv gives {@code H/2}; for k = 1 the blur pads 1 ({@code H−1} rows) and every
 * other pixel is kept before the 1×1 conv (the same numbers as a strided 1×1 conv). The blur never
 * runs strided, see {@link #apply(Operand, float)}.
 *
 * <p>Every op used (Pad, Conv2D, Transpose, Reshape, Slice, Mul, Add, LeakyRelu, Minimum/Maximum) has a
 * second-order gradient in TF's C++ registry: R1 needs no custom gradient here.
 *
 * <p>Shapes: {@code [N,H,W,in] → [N,H,W,out]}, or {@code [N,H/2,W/2,out]} with {@code down}.
 */
public final class Conv2d {
  /**
   * @param in input channels
   * @param out output channels
   * @param kernel odd kernel size k (1 or 3 in StyleGAN)
   * @param down true = 2× anti-aliased downsampling; false = same resolution
   * @param activation nonlinearity (with its gain) applied after the bias
   * @param lrMul learning-rate multiplier; 1 = normal
   * @param useBias false = no bias variable
   * @param clamp clamp of the output to ±clamp (scaled by the call's gain); 0 = off
   */
  public record Spec(
      int in,
      int out,
      int kernel,
      boolean down,
      Activation activation,
      float lrMul,
      boolean useBias,
      float clamp) {
    public Spec {
      checkArgument(in > 0 && out > 0, "Conv2d: expected positive channels, found %s -> %s", in, out);
      checkArgument(kernel > 0 && kernel % 2 == 1, "Conv2d: kernel must be odd, found %s", kernel);
      checkArgument(lrMul > 0, "Conv2d: lrMul must be > 0, found %s", lrMul);
      checkArgument(clamp >= 0, "Conv2d: clamp must be >= 0 (0 = off), found %s", clamp);
    }

    /** A same-resolution layer with bias, lrMul 1 and no clamp. */
    public static Spec of(int in, int out, int kernel, Activation activation) {
      return new Spec(in, out, kernel, false, activation, 1f, true, 0f);
    }

    /** This spec with 2× downsampling. */
    public Spec downsampled() {
      return new Spec(in, out, kernel, true, activation, lrMul, useBias, clamp);
    }

    /** This spec without a bias variable. */
    public Spec withoutBias() {
      return new Spec(in, out, kernel, down, activation, lrMul, false, clamp);
    }

    /** This spec with output clamp {@code c} (0 = off). */
    public Spec withClamp(float c) {
      return new Spec(in, out, kernel, down, activation, lrMul, useBias, c);
    }

    /** This spec with learning-rate multiplier {@code m}. */
    public Spec withLrMul(float m) {
      return new Spec(in, out, kernel, down, activation, m, useBias, clamp);
    }
  }

  private static final List<Long> STRIDE1 = List.of(1L, 1L, 1L, 1L);
  private static final List<Long> STRIDE2 = List.of(1L, 2L, 2L, 1L);

  private final Spec spec;
  private final Param weight; // [k,k,in,out]
  private final Param bias; // [out] or null
  private final Ops tf;

  /** Builds the layer's variables in scope {@code name} of {@code tf}. */
  public Conv2d(Ops tf, Params params, String name, Spec spec) {
    this.spec = spec;
    this.tf = tf.withSubScope(name);
    int k = spec.kernel();
    this.weight =
        params.normal(this.tf, "weight", Shape.of(k, k, spec.in(), spec.out()), 1f / spec.lrMul());
    this.bias =
        spec.useBias() ? params.constant(this.tf, "bias", Shape.of(spec.out()), 0f) : null;
  }

  public Spec spec() {
    return spec;
  }

  /** {@link #apply(Operand, float)} with gain 1. */
  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    return apply(x, 1f);
  }

  /**
   * Shapes: {@code x [N,H,W,in] → [N,H',W',out]} (H' = H, or H/2 with {@code down}).
   *
   * @param gain extra output gain (StyleGAN's residual sqrt(0.5)); multiplies the clamp too
   */
  public Operand<TFloat32> apply(Operand<TFloat32> x, float gain) {
    Shapes.check("Conv2d input [N,H,W,in]", x, -1, -1, -1, spec.in());
    int k = spec.kernel();
    float scale = (float) (spec.lrMul() / Math.sqrt((double) spec.in() * k * k));
    Operand<TFloat32> w = tf.math.mul(weight.value(), tf.constant(scale)); // [k,k,in,out]
    Operand<TFloat32> y;
    if (!spec.down()) {
      y = tf.nn.conv2d(x, w, STRIDE1, "SAME"); // pad k/2 each side, as StyleGAN
    } else {
      int h = Shapes.dim(x, 1);
      int wd = Shapes.dim(x, 2);
      checkArgument(
          h % 2 == 0 && wd % 2 == 0,
          "Conv2d down: expected even spatial size, found %sx%s (use power-of-two resolutions)",
          h,
          wd);
      int taps = Fir.defaultTaps();
      int pad0 = k / 2 + (taps - 2 + 1) / 2;
      int pad1 = k / 2 + (taps - 2) / 2;
      // Under oneDNN the input gradient of a stride-2 Conv2D with 1 input and 1 output channel
      // is wrong; other channel counts were checked against plain Java.
      if (k == 1) { // blur and subsample in one filter: same numbers, fewer ops
        y = tf.nn.conv2d(Fir.filter(tf, x, Fir.defaultFilter(), pad0, pad1, 2, 1f), w, STRIDE1,
            "VALID"); // [N,H/2,W/2,out]
      } else {
        Operand<TFloat32> blurred =
            Fir.filter(tf, x, Fir.defaultFilter(), pad0, pad1, 1, 1f); // [N,H+k-2,W+k-2,in]
        if (spec.in() == 1 && spec.out() == 1) {
          y = Fir.subsample2x(tf, tf.nn.conv2d(blurred, w, STRIDE1, "VALID")); // [N,H/2,W/2,out]
        } else {
          y = tf.nn.conv2d(blurred, w, STRIDE2, "VALID"); // [N,H/2,W/2,out]
        }
      }
      Shapes.check("Conv2d down output [N,H/2,W/2,out]", y, -1, h / 2, wd / 2, spec.out());
    }
    if (bias != null) {
      Operand<TFloat32> b =
          spec.lrMul() == 1f ? bias.value() : tf.math.mul(bias.value(), tf.constant(spec.lrMul()));
      y = tf.math.add(y, b); // Add, not BiasAdd: BiasAddGrad has no 2nd-order gradient
    }
    y = spec.activation().apply(tf, y);
    if (gain != 1f) {
      y = tf.math.mul(y, tf.constant(gain));
    }
    if (spec.clamp() > 0) {
      float c = spec.clamp() * gain;
      y = tf.math.maximum(tf.math.minimum(y, tf.constant(c)), tf.constant(-c));
    }
    return y;
  }

  public Param weight() {
    return weight;
  }

  /** The bias, or null without one. */
  public Param bias() {
    return bias;
  }
}
