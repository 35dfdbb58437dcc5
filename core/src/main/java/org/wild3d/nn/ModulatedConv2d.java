package org.wild3d.nn;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Shapes;

/**
 * StyleGAN2 modulated convolution layer: style affine, modulated (optionally demodulated)
 * convolution, optional 2× upsampling, optional per-pixel noise, bias, activation with gain and
 * optional clamp. With {@link Spec#toRgb} it is StyleGAN2's ToRGB layer.
 *
 * <p>The convolution is <b>non-fused</b>: the input is scaled by the style per sample and input
 * channel, convolved with the shared weight, and the output is scaled by the demodulation
 * coefficients per sample and output channel:
 *
 * <pre>y = conv(x·s, w·g) · rsqrt(Σ_{kh,kw,in} (w·g·s)² + 1e-8),   g = 1/sqrt(in·k·k)</pre>
 *
 * TF's CPU kernels cannot differentiate a grouped (fused) convolution; this form uses only Conv2D.
 * The demodulation sum is computed as {@code matmul(s², Σ_{kh,kw} (w·g)²)} (no per-sample weight
 * tensor is ever built).
 *
 * <p>Upsampling (up = 2) is StyleGAN2's {@code upsample2d} (zero insertion + [1,3,3,1] FIR,
 * {@link Fir#upsample2x}) applied to the modulated input, followed by the "SAME" 3×3 convolution
 * at the doubled resolution. StyleGAN2 does a stride-2 transposed convolution followed by the FIR blur;
 * both are linear and shift-invariant, so they differ only in the border pixels and by a flip of
 * the (learned) kernel. Costs are equal: both convolve at the output resolution.
 *
 * <p>Order after the convolution (StyleGAN2-ADA's SynthesisLayer): noise is added, then bias,
 * then the activation with its gain, then the clamp to ±{@code convClamp}.
 *
 * <p>Variables (in the layer's scope): {@code affine/weight [wDim,in]}, {@code affine/bias [in]}
 * (init 1), {@code weight [k,k,in,out]} (N(0,1)), {@code bias [out]} (init 0), and
 * {@code noise_strength []} (init 0) when the spec has noise.
 *
 * <p>Shapes: {@code x [N,H,W,in], w [N,Wd] → [N,H·up,W·up,out]}.
 */
public final class ModulatedConv2d {
  /**
   * @param in input channels
   * @param out output channels
   * @param kernel odd kernel size (3 for convs, 1 for ToRGB)
   * @param wDim dimension of the style input w
   * @param demodulate true = weight demodulation (convs); false = ToRGB
   * @param up 1 = same resolution, 2 = 2× upsampling before the convolution
   * @param activation nonlinearity (with gain) after the bias
   * @param convClamp clamp of the output to ±convClamp; 0 = off
   * @param noise true = a per-pixel noise input with learned strength; false = none
   */
  public record Spec(
      int in,
      int out,
      int kernel,
      int wDim,
      boolean demodulate,
      int up,
      Activation activation,
      float convClamp,
      boolean noise) {
    public Spec {
      checkArgument(in > 0 && out > 0 && wDim > 0,
          "ModulatedConv2d: expected positive in/out/wDim, found %s/%s/%s", in, out, wDim);
      checkArgument(kernel > 0 && kernel % 2 == 1,
          "ModulatedConv2d: kernel must be odd, found %s", kernel);
      checkArgument(up == 1 || up == 2, "ModulatedConv2d: up must be 1 or 2, found %s", up);
      checkArgument(convClamp >= 0, "ModulatedConv2d: convClamp must be >= 0 (0 = off), found %s",
          convClamp);
    }

    /** A synthesis layer: 3×3, demodulated, leaky ReLU. */
    public static Spec conv(int in, int out, int wDim, int up, boolean noise, float convClamp) {
      return new Spec(in, out, 3, wDim, true, up, Activation.LRELU, convClamp, noise);
    }

    /** StyleGAN2's ToRGB: 1×1, no demodulation, no activation, no noise. */
    public static Spec toRgb(int in, int out, int wDim, float convClamp) {
      return new Spec(in, out, 1, wDim, false, 1, Activation.LINEAR, convClamp, false);
    }

    /** Equalized-learning-rate weight gain {@code 1/sqrt(in·k·k)}. */
    public float weightGain() {
      return (float) (1.0 / Math.sqrt((double) in * kernel * kernel));
    }
  }

  private final Spec spec;
  private final Ops tf;
  private final Dense affine;
  private final Param weight; // [k,k,in,out]
  private final Param bias; // [out]
  private final Noise noise; // null when spec.noise() is false

  /** Builds the layer's variables in scope {@code name} of {@code tf}. */
  public ModulatedConv2d(Ops tf, Params params, String name, Spec spec) {
    this.spec = spec;
    this.tf = tf.withSubScope(name);
    this.affine =
        new Dense(this.tf, params, "affine",
            new Dense.Spec(spec.wDim(), spec.in(), Activation.LINEAR, 1f, 1f, true));
    this.weight =
        params.normal(this.tf, "weight",
            Shape.of(spec.kernel(), spec.kernel(), spec.in(), spec.out()), 1f);
    this.bias = params.constant(this.tf, "bias", Shape.of(spec.out()), 0f);
    this.noise = spec.noise() ? new Noise(this.tf, params) : null;
  }

  public Spec spec() {
    return spec;
  }

  /**
   * Applies the layer.
   *
   * @param x input {@code [N,H,W,in]}
   * @param w style latent {@code [N,Wd]}
   * @param noiseSource where the noise comes from; ignored when the layer has no noise
   * @return {@code [N,H·up,W·up,out]}
   */
  public Operand<TFloat32> apply(Operand<TFloat32> x, Operand<TFloat32> w, Noise.Source noiseSource) {
    Shapes.check("ModulatedConv2d input x [N,H,W,in]", x, -1, -1, -1, spec.in());
    Shapes.check("ModulatedConv2d input w [N,Wd]", w, -1, spec.wDim());
    Operand<TFloat32> styles = affine.apply(w); // [N,in]
    Operand<TFloat32> wScaled = tf.math.mul(weight.value(), tf.constant(spec.weightGain()));
    Operand<TFloat32> y = modulatedConv(tf, x, wScaled, styles, spec.demodulate(), spec.up());
    if (noise != null) {
      y = noise.apply(y, noiseSource);
    }
    y = tf.math.add(y, bias.value()); // Add, not BiasAdd (BiasAddGrad has no 2nd-order gradient)
    y = spec.activation().apply(tf, y);
    if (spec.convClamp() > 0) {
      y = tf.math.minimum(tf.math.maximum(y, tf.constant(-spec.convClamp())),
          tf.constant(spec.convClamp()));
    }
    int h = Shapes.dim(x, 1) * spec.up();
    int wd = Shapes.dim(x, 2) * spec.up();
    return Shapes.check("ModulatedConv2d output [N,H,W,out]", y, -1, h, wd, spec.out());
  }

  /**
   * The non-fused modulated convolution alone (no affine, bias or activation).
   *
   * <p>Shapes: {@code x [N,H,W,in], weight [k,k,in,out] (already scaled), styles [N,in] →
   * [N,H·up,W·up,out]}.
   *
   * @param demodulate multiply by {@code rsqrt(Σ_{kh,kw,in}(weight·s)² + 1e-8)} per sample and
   *     output channel
   * @param up 1, or 2 for 2× [1,3,3,1] upsampling ({@link Fir#upsample2x}) before the
   *     convolution
   */
  public static Operand<TFloat32> modulatedConv(
      Ops tf,
      Operand<TFloat32> x,
      Operand<TFloat32> weight,
      Operand<TFloat32> styles,
      boolean demodulate,
      int up) {
    checkArgument(up == 1 || up == 2, "modulatedConv: up must be 1 or 2, found %s", up);
    Shapes.check("modulatedConv weight [k,k,in,out]", weight, -1, -1, -1, -1);
    int in = Shapes.dim(weight, 2);
    int out = Shapes.dim(weight, 3);
    Shapes.check("modulatedConv x [N,H,W,in]", x, -1, -1, -1, in);
    Shapes.check("modulatedConv styles [N,in]", styles, -1, in);
    Operand<TFloat32> s4 = tf.reshape(styles, tf.constant(new int[] {-1, 1, 1, in})); // [N,1,1,in]
    Operand<TFloat32> xs = tf.math.mul(x, s4); // [N,H,W,in]
    if (up == 2) {
      xs = Fir.upsample2x(tf, xs); // [N,2H,2W,in]
    }
    Operand<TFloat32> y = tf.nn.conv2d(xs, weight, List.of(1L, 1L, 1L, 1L), "SAME"); // [N,H',W',out]
    if (demodulate) {
      Operand<TFloat32> wsq =
          tf.reduceSum(tf.math.square(weight), tf.constant(new int[] {0, 1})); // [in,out]
      Operand<TFloat32> d =
          tf.math.rsqrt(
              tf.math.add(tf.linalg.matMul(tf.math.square(styles), wsq), tf.constant(1e-8f))); // [N,out]
      y = tf.math.mul(y, tf.reshape(d, tf.constant(new int[] {-1, 1, 1, out}))); // [N,H',W',out]
    }
    return y;
  }

  /** Trainable variables of this layer in creation order (affine, weight, bias, noise). */
  public List<Param> params() {
    List<Param> ps = new ArrayList<>(List.of(affine.weight(), affine.bias(), weight, bias));
    if (noise != null) {
      ps.add(noise.strength());
    }
    return ps;
  }

  public Param weight() {
    return weight;
  }

  public Param bias() {
    return bias;
  }

  public Dense affine() {
    return affine;
  }

  /** The noise input, or null when the spec has none. */
  public Noise noise() {
    return noise;
  }
}
