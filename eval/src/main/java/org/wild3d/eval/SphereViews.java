package org.wild3d.eval;

import static com.google.common.base.Preconditions.checkArgument;

import org.wild3d.camera.Camera;

/**
 * Camera sets around the whole sphere, looking at the origin (docs/CONVENTIONS.md): evenly spread
 * views for sample grids and a looping orbit for GIFs. Deterministic (no randomness).
 */
final class SphereViews {
  private SphereViews() {}

  /**
   * {@code n} views spread evenly over the sphere (a Fibonacci lattice: {@code cos φ} uniform in
   * n steps, azimuth advancing by the golden angle), from near the north pole to near the south.
   */
  static Camera[] spread(int n, double radius, double fovDegrees) {
    checkArgument(n > 0, "views: expected > 0, found %s", n);
    double golden = Math.PI * (3 - Math.sqrt(5));
    Camera[] out = new Camera[n];
    for (int i = 0; i < n; i++) {
      double polar = Math.acos(1 - 2 * (i + 0.5) / n);
      out[i] = Camera.fromSpherical(i * golden, polar, radius, fovDegrees);
    }
    return out;
  }

  /**
   * An orbit of {@code rings + 1} loops of {@code frames} frames each: {@code rings} horizontal
   * rings at polar angles {@code 180°·(r+1)/(rings+1)} (for 3 rings: 45°, 90°, 135°), then one
   * vertical loop over both poles (azimuth 0, polar angle through 0° and 180°; the image's up
   * direction follows the loop, so the view tumbles smoothly over the poles instead of spinning).
   */
  static Camera[] orbit(int rings, int frames, double radius, double fovDegrees) {
    checkArgument(rings >= 0, "rings: expected >= 0, found %s", rings);
    checkArgument(frames > 0, "frames per loop: expected > 0, found %s", frames);
    Camera[] out = new Camera[(rings + 1) * frames];
    int n = 0;
    for (int r = 0; r < rings; r++) {
      double polar = Math.PI * (r + 1) / (rings + 1);
      for (int f = 0; f < frames; f++) {
        out[n++] = Camera.fromSpherical(2 * Math.PI * f / frames, polar, radius, fovDegrees);
      }
    }
    for (int f = 0; f < frames; f++) {
      // Start at the equator facing +z like the rings, go up over the north pole, under the south.
      double a = Math.PI / 2 - 2 * Math.PI * f / frames; // polar angle along the great circle
      double[] pos = {0, radius * Math.cos(a), radius * Math.sin(a)};
      double[] up = {0, Math.sin(a), -Math.cos(a)}; // −d(pos)/da, unit, ⟂ to the view
      out[n++] = Camera.lookAt(pos, new double[3], up, fovDegrees);
    }
    return out;
  }
}
