package org.wild3d.config;

/**
 * What {@code model.superres} means when it is on: EG3D's super-resolution from the r×r neural
 * rendering to R×R, two StyleGAN2 blocks styled by the last w.
 *
 * @param inputResolution r ({@code render.resolution}, checked by {@link RenderSpec})
 * @param featureChannels C, channels of the rendered feature image ({@code
 *     model.decoder.feature_dim})
 * @param outputResolution R, a power-of-two multiple (≥ 2×) of r
 * @param channels channels of both blocks (EG3D: 128)
 * @param wDim Wd, the latent size ({@code model.mapping.w_dim})
 * @param convClamp clamp of conv outputs; 0 = off ({@code model.synthesis.conv_clamp})
 */
public record SuperResolutionSpec(
    int inputResolution,
    int featureChannels,
    int outputResolution,
    int channels,
    int wDim,
    float convClamp) {
  public SuperResolutionSpec {
    FieldRules r = new FieldRules();
    int rr = inputResolution;
    boolean ok = rr > 0 && outputResolution > rr && outputResolution % rr == 0
        && FieldRules.isPowerOfTwo(outputResolution / rr);
    r.check(ok, "model.superres.output_resolution",
        "0 (off) or render.resolution = " + rr + " times 2, 4, 8, ...", outputResolution,
        "e.g. " + 2 * Math.max(rr, 1) + " for a 2x upsampling");
    r.atLeast("model.superres.channels", channels, 1, "EG3D uses 128");
    r.throwIfFailed();
  }

  /**
   * The super-resolution of {@code sr} after a neural rendering of {@code renderResolution} with
   * {@code featureChannels} channels, or null when {@code output_resolution} is 0 (off).
   */
  public static SuperResolutionSpec from(SuperResolution sr, int renderResolution,
      int featureChannels, int wDim, float convClamp) {
    if (sr.getOutputResolution() == 0) {
      return null;
    }
    return new SuperResolutionSpec(renderResolution, featureChannels, sr.getOutputResolution(),
        sr.getChannels(), wDim, convClamp);
  }
}
