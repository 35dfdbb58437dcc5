package org.wild3d.model;

import java.util.SplittableRandom;

/**
 * Standard normal draws for latents, the one Box–Muller of the toolkit: the same seed gives the
 * same latents in training, sampling, metrics and inversion.
 */
public final class Latents {
  private Latents() {}

  /**
   * One N(0, 1) draw from two uniforms of {@code r}: {@code sqrt(−2 ln u1) · cos(2π u2)} with
   * {@code u1 = 1 − nextDouble()} in (0, 1], so the logarithm is finite.
   */
  public static double gaussian(SplittableRandom r) {
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** {@code n} draws of {@link #gaussian}, in order, as floats. */
  public static float[] gaussian(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) gaussian(r);
    }
    return a;
  }
}
