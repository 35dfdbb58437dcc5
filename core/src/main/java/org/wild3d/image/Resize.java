package org.wild3d.image;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Centre crop and anti-aliased resampling of {@link RgbImage}s.
 *
 * <p>The resampling filter is Lanczos-3, stretched by the scale factor when minifying (so it
 * integrates over every source pixel that falls under an output pixel, like PIL's
 * {@code Image.LANCZOS} that StyleGAN's dataset tool uses), separable, in 8-bit sRGB values with
 * float accumulation, rounded and clamped.
 */
public final class Resize {
  private static final double LOBES = 3.0;

  private Resize() {}

  /** The largest centred square of {@code image} (offset {@code (side - min) / 2}, rounded down). */
  public static RgbImage centerCropSquare(RgbImage image) {
    int w = image.width();
    int h = image.height();
    if (w == h) {
      return image;
    }
    int s = Math.min(w, h);
    int x0 = (w - s) / 2;
    int y0 = (h - s) / 2;
    byte[] out = new byte[s * s * 3];
    for (int y = 0; y < s; y++) {
      System.arraycopy(image.rgb(), ((y + y0) * w + x0) * 3, out, y * s * 3, s * 3);
    }
    return new RgbImage(s, s, out);
  }

  /** Resamples to {@code width x height} with the Lanczos-3 filter (identity if already that size). */
  public static RgbImage lanczos(RgbImage image, int width, int height) {
    checkArgument(width > 0 && height > 0, "resize target: expected > 0, found %sx%s", width, height);
    if (image.width() == width && image.height() == height) {
      return image;
    }
    int sw = image.width();
    int sh = image.height();
    Weights wx = weights(sw, width);
    Weights wy = weights(sh, height);
    // Horizontal pass: [sh, width, 3] floats.
    float[] tmp = new float[sh * width * 3];
    byte[] src = image.rgb();
    for (int y = 0; y < sh; y++) {
      int rowIn = y * sw * 3;
      int rowOut = y * width * 3;
      for (int x = 0; x < width; x++) {
        float r = 0;
        float g = 0;
        float b = 0;
        int start = wx.start[x];
        int base = x * wx.taps;
        for (int k = 0; k < wx.count[x]; k++) {
          float wgt = wx.w[base + k];
          int o = rowIn + (start + k) * 3;
          r += wgt * (src[o] & 0xff);
          g += wgt * (src[o + 1] & 0xff);
          b += wgt * (src[o + 2] & 0xff);
        }
        tmp[rowOut + x * 3] = r;
        tmp[rowOut + x * 3 + 1] = g;
        tmp[rowOut + x * 3 + 2] = b;
      }
    }
    // Vertical pass.
    byte[] out = new byte[height * width * 3];
    float[] acc = new float[width * 3];
    for (int y = 0; y < height; y++) {
      java.util.Arrays.fill(acc, 0f);
      int start = wy.start[y];
      int base = y * wy.taps;
      for (int k = 0; k < wy.count[y]; k++) {
        float wgt = wy.w[base + k];
        int rowIn = (start + k) * width * 3;
        for (int i = 0; i < width * 3; i++) {
          acc[i] += wgt * tmp[rowIn + i];
        }
      }
      int rowOut = y * width * 3;
      for (int i = 0; i < width * 3; i++) {
        out[rowOut + i] = (byte) clamp8(Math.round(acc[i]));
      }
    }
    return new RgbImage(width, height, out);
  }

  /** Centre crop to a square, then resample to {@code size x size}. */
  public static RgbImage cropAndResize(RgbImage image, int size) {
    return lanczos(centerCropSquare(image), size, size);
  }

  private static int clamp8(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  private static double lanczos(double x) {
    x = Math.abs(x);
    if (x < 1e-9) {
      return 1.0;
    }
    if (x >= LOBES) {
      return 0.0;
    }
    double px = Math.PI * x;
    return LOBES * Math.sin(px) * Math.sin(px / LOBES) / (px * px);
  }

  /** Normalised filter taps for each output index along one axis. */
  private static final class Weights {
    final int taps;
    final int[] start;
    final int[] count;
    final float[] w;

    Weights(int taps, int n) {
      this.taps = taps;
      this.start = new int[n];
      this.count = new int[n];
      this.w = new float[taps * n];
    }
  }

  private static Weights weights(int in, int out) {
    double scale = (double) in / out;
    double stretch = Math.max(scale, 1.0);
    double support = LOBES * stretch;
    int taps = (int) Math.ceil(support) * 2 + 2;
    Weights result = new Weights(taps, out);
    double[] tmp = new double[taps];
    for (int i = 0; i < out; i++) {
      double center = (i + 0.5) * scale;
      int lo = Math.max((int) Math.floor(center - support), 0);
      int hi = Math.min((int) Math.ceil(center + support), in);
      int n = 0;
      double sum = 0;
      for (int j = lo; j < hi && n < taps; j++) {
        double v = lanczos((j + 0.5 - center) / stretch);
        tmp[n++] = v;
        sum += v;
      }
      result.start[i] = lo;
      result.count[i] = n;
      for (int k = 0; k < n; k++) {
        result.w[i * taps + k] = (float) (tmp[k] / sum);
      }
    }
    return result;
  }
}
