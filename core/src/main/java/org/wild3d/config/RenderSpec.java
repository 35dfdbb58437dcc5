package org.wild3d.config;

import java.util.List;

/**
 * What {@code render} means: EG3D's volume rendering of r×r rays with S stratified and S_imp
 * importance samples per ray between two depths, composited over a background colour.
 *
 * @param resolution r, rays per side, a power of two ≥ 4 (EG3D: 64)
 * @param samplesStratified S, coarse samples per ray, ≥ 2 (EG3D: 48)
 * @param samplesImportance S_imp, fine samples from the coarse weights; 0 = off (EG3D: 48)
 * @param rayStart depth of the first sample, in front of the camera ({@code > 0})
 * @param rayEnd depth of the last sample, beyond {@code rayStart}
 * @param backgroundRgb empty (black) or 3 values in [−1, 1]
 * @param densityNoise std of the noise added to the raw density in training; 0 = off
 */
public record RenderSpec(
    int resolution,
    int samplesStratified,
    int samplesImportance,
    float rayStart,
    float rayEnd,
    List<Float> backgroundRgb,
    float densityNoise) {
  public RenderSpec {
    backgroundRgb = List.copyOf(backgroundRgb);
    FieldRules r = new FieldRules();
    r.powerOfTwo("render.resolution", resolution, 4, "EG3D uses 64");
    r.atLeast("render.samples_stratified", samplesStratified, 2,
        "EG3D uses 48; the coarse pass needs two samples to place the importance samples");
    r.atLeast("render.samples_importance", samplesImportance, 0, "0 = off; EG3D uses 48");
    r.positive("render.ray_start", rayStart,
        "a depth in front of the camera along the ray; EG3D uses 2.25");
    r.check(rayEnd > rayStart, "render.ray_end", "more than render.ray_start = " + FieldRules.format(rayStart),
        rayEnd, "samples lie between ray_start and ray_end");
    int n = backgroundRgb.size();
    r.check(n == 0 || n == 3, "render.background_rgb", "0 values (black) or 3 values",
        n + " values", "write background_rgb: [r, g, b] with values in [-1, 1]");
    for (int i = 0; n == 3 && i < 3; i++) {
      float v = backgroundRgb.get(i);
      r.check(v >= -1 && v <= 1, "render.background_rgb", "values in [-1, 1]", v,
          "-1 is black, 1 is white");
    }
    r.atLeast("render.density_noise", densityNoise, 0, "0 = off");
    r.throwIfFailed();
  }

  public static RenderSpec from(Render r) {
    return new RenderSpec(r.getResolution(), r.getSamplesStratified(), r.getSamplesImportance(),
        r.getRayStart(), r.getRayEnd(), r.getBackgroundRgbList(), r.getDensityNoise());
  }

  /** The background colour, 3 values in [−1, 1]: black (−1, −1, −1) unless configured. */
  public float[] background() {
    float[] bg = {-1f, -1f, -1f};
    for (int i = 0; i < backgroundRgb.size(); i++) {
      bg[i] = backgroundRgb.get(i);
    }
    return bg;
  }
}
