package org.wild3d.camera;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.SplittableRandom;
import org.wild3d.config.CameraPriorSpec;

/**
 * Draws cameras from a {@link CameraPriorSpec}: azimuth uniform in its range, polar angle
 * area-uniform ({@code cos φ} uniform between the cosines of the range), radius and field of view
 * fixed; every camera looks at the origin (see {@link Camera#fromSpherical}). Deterministic for a
 * seed; not thread-safe.
 */
public final class CameraSampler {
  private final CameraPriorSpec prior;
  private final SplittableRandom random;

  public CameraSampler(CameraPriorSpec prior, long seed) {
    this.prior = prior;
    this.random = new SplittableRandom(seed);
  }

  /** The next {@code n} cameras. */
  public Camera[] sample(int n) {
    checkArgument(n >= 0, "camera count: expected >= 0, found %s", n);
    double azMin = Math.toRadians(prior.azimuthMinDeg());
    double azMax = Math.toRadians(prior.azimuthMaxDeg());
    double cosA = Math.cos(Math.toRadians(prior.polarMinDeg()));
    double cosB = Math.cos(Math.toRadians(prior.polarMaxDeg()));
    Camera[] out = new Camera[n];
    for (int i = 0; i < n; i++) {
      double az = azMin + (azMax - azMin) * random.nextDouble();
      double c = cosA + (cosB - cosA) * random.nextDouble();
      double polar = Math.acos(Math.max(-1, Math.min(1, c)));
      out[i] = Camera.fromSpherical(az, polar, prior.radius(), prior.fovDegrees());
    }
    return out;
  }

  /**
   * {@code n} cameras evenly spaced in azimuth (starting at {@code +z}, turning towards {@code +x})
   * at one polar angle, radius and field of view of {@code prior}: an orbit for renders.
   */
  public static Camera[] orbit(CameraPriorSpec prior, int n, double polarRad) {
    return orbit(n, polarRad, prior.radius(), prior.fovDegrees());
  }

  /** {@code n} cameras at azimuths {@code 2πk/n} and polar angle {@code polarRad}. */
  public static Camera[] orbit(int n, double polarRad, double radius, double fovDegrees) {
    checkArgument(n > 0, "orbit: expected > 0 cameras, found %s", n);
    Camera[] out = new Camera[n];
    for (int k = 0; k < n; k++) {
      out[k] = Camera.fromSpherical(2 * Math.PI * k / n, polarRad, radius, fovDegrees);
    }
    return out;
  }
}
