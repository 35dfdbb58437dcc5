package org.wild3d.raster;

import static com.google.common.base.Preconditions.checkArgument;

import org.wild3d.image.RgbImage;

/**
 * Settings of {@link MeshRenderer}.
 *
 * @param supersample samples per pixel side (anti-aliasing); 1 = off. Odd values put a sample at
 *     each pixel centre, which is where depth is measured.
 * @param background RGB in [0, 1] behind the object
 * @param backgroundImage an image of the output size behind the object instead; null = colour
 * @param lightDir world direction towards a directional light (need not be unit length)
 * @param ambient ambient term; albedo × (ambient + diffuse · max(0, n·l))
 * @param diffuse Lambert term weight
 */
public record RenderOptions(
    int supersample,
    float[] background,
    RgbImage backgroundImage,
    double[] lightDir,
    float ambient,
    float diffuse) {
  public RenderOptions {
    checkArgument(supersample >= 1 && supersample <= 8, "supersample: expected 1..8, found %s",
        supersample);
    checkArgument(background.length == 3, "background: expected 3 values, found %s",
        background.length);
    checkArgument(lightDir.length == 3, "light direction: expected 3 values, found %s",
        lightDir.length);
    background = background.clone();
    lightDir = lightDir.clone();
  }

  /** 3×3 supersampling, black background, light from above-front-right, ambient 0.35. */
  public static RenderOptions defaults() {
    return new RenderOptions(3, new float[3], null, new double[] {0.4, 0.8, 0.45}, 0.35f, 0.65f);
  }

  public RenderOptions withSupersample(int s) {
    return new RenderOptions(s, background, backgroundImage, lightDir, ambient, diffuse);
  }

  public RenderOptions withBackground(float r, float g, float b) {
    return new RenderOptions(supersample, new float[] {r, g, b}, null, lightDir, ambient, diffuse);
  }

  public RenderOptions withBackgroundImage(RgbImage image) {
    return new RenderOptions(supersample, background, image, lightDir, ambient, diffuse);
  }

  public RenderOptions withLight(double[] dir, float ambientTerm, float diffuseTerm) {
    return new RenderOptions(supersample, background, backgroundImage, dir, ambientTerm,
        diffuseTerm);
  }

  @Override
  public float[] background() {
    return background.clone();
  }

  @Override
  public double[] lightDir() {
    return lightDir.clone();
  }
}
