package org.wild3d.nn;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.FusedOps;
import org.wild3d.tf.Shapes;

/**
 * Separable FIR filtering for anti-aliased resampling (StyleGAN2's upfirdn2d), NHWC.
 *
 * <p>Built from Pad, Slice, Mul/Add, Stack and Reshape only — never a convolution. The natural
 * formulation (a single-channel Conv2D on a channel-folded {@code [N·C,H,W,1]} tensor) trips two
 * oneDNN problems of TF 2.18 on CPU: the input gradient of such a conv at stride 2 is wrong (it
 * silently corrupted D's gradients and R1), and at stride 1 it is about 20× slower than the forward
 * pass. Slices and pads have exact, fast gradients to any order (R1 needs the second).
 *
 * <p>Where {@link FusedOps#enabled} says so, {@link #filter} and {@link #upsample2x} run as one
 * fused kernel ({@link FusedOps#upFirDn}) computing the same numbers.
 *
 * <p>Filtering is cross-correlation with {@code outer(f,f)/sum(f)²·gain}; StyleGAN's filters are
 * symmetric, where this equals its convolution.
 */
public final class Fir {
  private Fir() {}

  private static final float[] DEFAULT = {1f, 3f, 3f, 1f};

  /** StyleGAN2's default resampling filter [1,3,3,1] (a copy). */
  public static float[] defaultFilter() {
    return DEFAULT.clone();
  }

  /** Number of taps of {@link #defaultFilter()}. */
  public static int defaultTaps() {
    return DEFAULT.length;
  }

  /**
   * Pads, filters and subsamples: {@code x [N,H,W,C]} padded with zeros by ({@code padLo},
   * {@code padHi}) on both spatial axes, filtered with {@code outer(f,f)/sum(f)²·gain} (VALID),
   * then every {@code down}-th row and column kept (down ∈ {1, 2}).
   * Shapes: {@code [N,H,W,C] → [N,ceil((H+padLo+padHi−k+1)/down),…,C]}.
   */
  public static Operand<TFloat32> filter(
      Ops tf, Operand<TFloat32> x, float[] f, int padLo, int padHi, int down, float gain) {
    Shapes.check("Fir input [N,H,W,C]", x, -1, -1, -1, -1);
    checkArgument(
        padLo >= 0 && padHi >= 0 && (down == 1 || down == 2),
        "Fir: expected pads >= 0 and down 1 or 2, found %s %s %s",
        padLo,
        padHi,
        down);
    float sum = 0;
    for (float v : f) {
      sum += v;
    }
    if (FusedOps.enabled(tf)) {
      return FusedOps.upFirDn(tf, x, Shapes.dim(x, 1), Shapes.dim(x, 2), Shapes.dim(x, 3),
          normalised(f), gain, 1, down, new int[] {padLo, padHi, padLo, padHi});
    }
    Operand<TFloat32> p =
        padLo > 0 || padHi > 0
            ? tf.pad(
                x,
                tf.constant(new int[][] {{0, 0}, {padLo, padHi}, {padLo, padHi}, {0, 0}}),
                tf.constant(0f))
            : x;
    int hp = Shapes.dim(p, 1);
    int wp = Shapes.dim(p, 2);
    int c = Shapes.dim(p, 3);
    int ho = hp - f.length + 1;
    int wo = wp - f.length + 1;
    checkArgument(ho > 0 && wo > 0, "Fir: a %s-tap filter needs more than %sx%s padded pixels", f.length, hp, wp);
    Operand<TFloat32> rows = null;
    for (int u = 0; u < f.length; u++) {
      Operand<TFloat32> s =
          tf.math.mul(
              tf.slice(p, tf.constant(new int[] {0, u, 0, 0}), tf.constant(new int[] {-1, ho, wp, c})),
              tf.constant(f[u] / sum)); // [N,Ho,Wp,C]
      rows = rows == null ? s : tf.math.add(rows, s);
    }
    Operand<TFloat32> out = null;
    for (int v = 0; v < f.length; v++) {
      Operand<TFloat32> s =
          tf.math.mul(
              tf.slice(rows, tf.constant(new int[] {0, 0, v, 0}), tf.constant(new int[] {-1, ho, wo, c})),
              tf.constant(f[v] / sum * gain)); // [N,Ho,Wo,C]
      out = out == null ? s : tf.math.add(out, s);
    }
    return down == 2 ? subsample2x(tf, out) : out;
  }

  /**
   * StyleGAN3/EG3D's discriminator-input blur: a separable Gaussian with taps {@code
   * 2^(−(i/σ)²)}, {@code i ∈ [−radius, radius]}, normalised to sum 1, zero padding outside. σ is
   * an operand (fed per step as the blur fades out); σ ≤ 0 gives the identity, exactly (σ is
   * clamped to 1e−3, where every tap but the centre underflows to 0).
   * Shapes: {@code x [N,H,W,C] → [N,H,W,C]}, {@code sigma} scalar.
   *
   * @param radius taps on each side; EG3D uses {@code floor(3·σ₀)} for the initial σ₀
   */
  public static Operand<TFloat32> gaussianBlur(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> sigma, int radius) {
    Shapes.check("Fir.gaussianBlur input [N,H,W,C]", x, -1, -1, -1, -1);
    checkArgument(radius >= 0, "Fir.gaussianBlur radius: expected >= 0, found %s", radius);
    if (radius == 0) {
      return x;
    }
    int k = 2 * radius + 1;
    float[] offsets = new float[k];
    for (int i = 0; i < k; i++) {
      offsets[i] = i - radius;
    }
    Operand<TFloat32> s = tf.math.maximum(sigma, tf.constant(1e-3f));
    Operand<TFloat32> taps = tf.math.pow(tf.constant(2f),
        tf.math.neg(tf.math.square(tf.math.div(tf.constant(offsets), s)))); // [K]
    taps = tf.math.div(taps, tf.sum(taps, tf.constant(0))); // [K], sums to 1
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int c = Shapes.dim(x, 3);
    Operand<TFloat32> p = tf.pad(x,
        tf.constant(new int[][] {{0, 0}, {radius, radius}, {radius, radius}, {0, 0}}),
        tf.constant(0f)); // [N,H+2R,W+2R,C]
    Operand<TFloat32> rows = null;
    for (int u = 0; u < k; u++) {
      Operand<TFloat32> t = tf.math.mul(
          tf.slice(p, tf.constant(new int[] {0, u, 0, 0}),
              tf.constant(new int[] {-1, h, w + 2 * radius, c})),
          tf.slice(taps, tf.constant(new int[] {u}), tf.constant(new int[] {1}))); // [N,H,W+2R,C]
      rows = rows == null ? t : tf.math.add(rows, t);
    }
    Operand<TFloat32> out = null;
    for (int v = 0; v < k; v++) {
      Operand<TFloat32> t = tf.math.mul(
          tf.slice(rows, tf.constant(new int[] {0, 0, v, 0}), tf.constant(new int[] {-1, h, w, c})),
          tf.slice(taps, tf.constant(new int[] {v}), tf.constant(new int[] {1}))); // [N,H,W,C]
      out = out == null ? t : tf.math.add(out, t);
    }
    return out;
  }

  /**
   * Every other row and column, starting at 0 (reshape and slice only: no strided ops).
   * Shapes: {@code [N,L,L',C] → [N,ceil(L/2),ceil(L'/2),C]}.
   */
  public static Operand<TFloat32> subsample2x(Ops tf, Operand<TFloat32> x) {
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int c = Shapes.dim(x, 3);
    if (h % 2 == 1 || w % 2 == 1) {
      x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {0, h % 2}, {0, w % 2}, {0, 0}}), tf.constant(0f));
    }
    int ho = (h + 1) / 2;
    int wo = (w + 1) / 2;
    Operand<TFloat32> t = tf.reshape(x, tf.constant(new int[] {-1, ho, 2, wo, 2, c})); // [N,Ho,2,Wo,2,C]
    t = tf.slice(t, tf.constant(new int[] {0, 0, 0, 0, 0, 0}), tf.constant(new int[] {-1, -1, 1, -1, 1, -1}));
    return tf.reshape(t, tf.constant(new int[] {-1, ho, wo, c})); // [N,Ho,Wo,C]
  }

  /** 2× anti-aliased downsampling. Shapes: {@code [N,H,W,C] → [N,H/2,W/2,C]}. */
  public static Operand<TFloat32> downsample2x(Ops tf, Operand<TFloat32> x) {
    int p = DEFAULT.length - 2;
    return filter(tf, x, DEFAULT, (p + 1) / 2, p / 2, 2, 1f);
  }

  /**
   * 2× upsampling with the [1,3,3,1] filter — zero insertion, pad (2,1), filter with gain 4, as
   * upfirdn2d — computed in polyphase form along each spatial axis (zero padding outside):
   *
   * <pre>out[2i] = ¼·x[i−1] + ¾·x[i],   out[2i+1] = ¾·x[i] + ¼·x[i+1]</pre>
   *
   * Shapes: {@code [N,H,W,C] → [N,2H,2W,C]} (H, W, C static).
   */
  public static Operand<TFloat32> upsample2x(Ops tf, Operand<TFloat32> x) {
    Shapes.check("Fir.upsample2x input [N,H,W,C]", x, -1, -1, -1, -1);
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int c = Shapes.dim(x, 3);
    if (FusedOps.enabled(tf)) { // zero insertion, pad (2, 1), [1,3,3,1]/8 per axis, gain 4
      return FusedOps.upFirDn(tf, x, h, w, c, normalised(DEFAULT), 4f, 2, 1, new int[] {2, 1, 2, 1});
    }
    return upsampleAxis(tf, upsampleAxis(tf, x, 1), 2);
  }

  /** Polyphase 2× upsampling along spatial axis {@code axis} (1 = H, 2 = W). */
  private static Operand<TFloat32> upsampleAxis(Ops tf, Operand<TFloat32> x, int axis) {
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

  /**
   * Zero insertion: x at even positions, zeros after each (upfirdn2d's upsampling before its
   * filter). Shapes: {@code [N,H,W,C] → [N,2H,2W,C]}.
   */
  static Operand<TFloat32> zeroInsert2x(Ops tf, Operand<TFloat32> x) {
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int c = Shapes.dim(x, 3);
    Operand<TFloat32> t = tf.reshape(x, tf.constant(new int[] {-1, h, 1, w, 1, c})); // [N,H,1,W,1,C]
    t =
        tf.pad(
            t,
            tf.constant(new int[][] {{0, 0}, {0, 0}, {0, 1}, {0, 0}, {0, 1}, {0, 0}}),
            tf.constant(0f)); // [N,H,2,W,2,C]
    return tf.reshape(t, tf.constant(new int[] {-1, 2 * h, 2 * w, c}));
  }

  /** {@code f / sum(f)}: the per-axis taps of {@code outer(f,f)/sum(f)²}. */
  private static float[] normalised(float[] f) {
    float sum = 0;
    for (float v : f) {
      sum += v;
    }
    float[] taps = new float[f.length];
    for (int i = 0; i < f.length; i++) {
      taps[i] = f[i] / sum;
    }
    return taps;
  }
}
