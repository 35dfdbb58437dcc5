package org.wild3d.nn;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Shapes;

/**
 * Separable FIR filtering for anti-aliased resampling (StyleGAN2's upfirdn2d), NHWC.
 *
 * <p>Implemented as a plain single-channel Conv2D on a channel-folded tensor ({@code [N,H,W,C] →
 * [N·C,H,W,1]}), not a depthwise conv: Conv2D's gradients are second-order differentiable in TF's
 * C++ registry (R1 needs that), DepthwiseConv2dNativeBackpropInput's are not.
 */
public final class Fir {
  private Fir() {}

  /** StyleGAN2's default resampling filter [1,3,3,1] (outer product, normalised to sum 1). */
  public static float[] DEFAULT_1D = {1f, 3f, 3f, 1f};

  /** The 2-D kernel {@code outer(f,f)/sum²·gain} as a [k,k,1,1] Conv2D filter. */
  static Constant<TFloat32> kernel(Ops tf, float[] f, float gain) {
    int k = f.length;
    float sum = 0;
    for (float v : f) {
      sum += v;
    }
    float[][][][] w = new float[k][k][1][1];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        w[i][j][0][0] = f[i] * f[j] / (sum * sum) * gain;
      }
    }
    return tf.constant(w);
  }

  /**
   * Pads, filters and subsamples: {@code x [N,H,W,C]} padded by ({@code padLo}, {@code padHi}) on
   * both spatial axes, filtered with {@code outer(f,f)·gain}, then strided by {@code down}.
   * Output: {@code [N, (H+padLo+padHi-k)/down+1, same for W, C]}.
   */
  public static Operand<TFloat32> filter(
      Ops tf, Operand<TFloat32> x, float[] f, int padLo, int padHi, int down, float gain) {
    Shapes.check("Fir input [N,H,W,C]", x, -1, -1, -1, -1);
    checkArgument(padLo >= 0 && padHi >= 0 && down >= 1, "Fir: bad pad/down %s %s %s", padLo, padHi, down);
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int c = Shapes.dim(x, 3);
    Operand<TFloat32> t = tf.linalg.transpose(x, tf.constant(new int[] {0, 3, 1, 2})); // [N,C,H,W]
    t = tf.reshape(t, tf.constant(new int[] {-1, h, w, 1})); // [N·C,H,W,1]
    if (padLo > 0 || padHi > 0) {
      t =
          tf.pad(
              t,
              tf.constant(new int[][] {{0, 0}, {padLo, padHi}, {padLo, padHi}, {0, 0}}),
              tf.constant(0f));
    }
    t =
        tf.nn.conv2d(
            t, kernel(tf, f, gain), List.of(1L, (long) down, (long) down, 1L), "VALID"); // [N·C,Ho,Wo,1]
    int ho = (h + padLo + padHi - f.length) / down + 1;
    int wo = (w + padLo + padHi - f.length) / down + 1;
    t = tf.reshape(t, tf.constant(new int[] {-1, c, ho, wo})); // [N,C,Ho,Wo]
    return tf.linalg.transpose(t, tf.constant(new int[] {0, 2, 3, 1})); // [N,Ho,Wo,C]
  }

  /** 2× anti-aliased downsampling. Shapes: {@code [N,H,W,C] → [N,H/2,W/2,C]}. */
  public static Operand<TFloat32> downsample2x(Ops tf, Operand<TFloat32> x) {
    int p = DEFAULT_1D.length - 2;
    return filter(tf, x, DEFAULT_1D, (p + 1) / 2, p / 2, 2, 1f);
  }

  /**
   * 2× upsampling by zero insertion and FIR interpolation (gain 4 keeps the mean).
   * Shapes: {@code [N,H,W,C] → [N,2H,2W,C]}.
   */
  public static Operand<TFloat32> upsample2x(Ops tf, Operand<TFloat32> x) {
    Shapes.check("Fir.upsample2x input [N,H,W,C]", x, -1, -1, -1, -1);
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int c = Shapes.dim(x, 3);
    Operand<TFloat32> t = tf.reshape(x, tf.constant(new int[] {-1, h, 1, w, 1, c})); // [N,H,1,W,1,C]
    t =
        tf.pad(
            t,
            tf.constant(new int[][] {{0, 0}, {0, 0}, {0, 1}, {0, 0}, {0, 1}, {0, 0}}),
            tf.constant(0f)); // [N,H,2,W,2,C]
    t = tf.reshape(t, tf.constant(new int[] {-1, 2 * h, 2 * w, c})); // zeros at odd positions
    int k = DEFAULT_1D.length;
    int p = k - 2;
    return filter(tf, t, DEFAULT_1D, (p + 1) / 2 + 1, p / 2, 1, 4f);
  }
}
