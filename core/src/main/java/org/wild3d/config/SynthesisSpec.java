package org.wild3d.config;

/**
 * What {@code model.synthesis} means: StyleGAN2's synthesis network (skip architecture) drawing
 * the triplane image, plus the paper's extra blocks at the final resolution.
 *
 * @param wDim Wd, the latent size ({@code model.mapping.w_dim}, checked by {@link MappingSpec})
 * @param resolution R, the output resolution ({@code model.triplane.resolution}, checked by
 *     {@link TriplaneSpec})
 * @param outChannels C, output channels (3F for triplanes)
 * @param channelBase channels at resolution r are min(channelBase / r, channelMax)
 * @param channelMax see channelBase
 * @param extraBlocks additional blocks at resolution R; 0 = StyleGAN2/EG3D
 * @param useNoise per-pixel noise inputs; false = none
 * @param convClamp clamp of conv outputs; 0 = off
 */
public record SynthesisSpec(
    int wDim,
    int resolution,
    int outChannels,
    int channelBase,
    int channelMax,
    int extraBlocks,
    boolean useNoise,
    float convClamp) {
  public SynthesisSpec {
    FieldRules r = new FieldRules();
    boolean base = r.atLeast("model.synthesis.channel_base", channelBase, 1, "EG3D uses 32768");
    boolean max = r.atLeast("model.synthesis.channel_max", channelMax, 1, "EG3D uses 512");
    r.atLeast("model.synthesis.extra_blocks", extraBlocks, 0, "0 = EG3D");
    r.atLeast("model.synthesis.conv_clamp", convClamp, 0, "0 = off");
    if (base && max && resolution > 0) {
      r.check(channelBase / resolution >= 1, "model.synthesis.channel_base",
          "at least model.triplane.resolution = " + resolution
              + " (channels at resolution r are min(channel_base / r, channel_max))",
          channelBase, "otherwise the last synthesis blocks get 0 channels");
    }
    r.throwIfFailed();
  }

  /**
   * The spec of {@code s} for triplanes of {@code resolution} with {@code outChannels} = 3F and
   * latent size {@code wDim}.
   */
  public static SynthesisSpec from(Synthesis s, int resolution, int outChannels, int wDim) {
    return new SynthesisSpec(wDim, resolution, outChannels, s.getChannelBase(), s.getChannelMax(),
        s.getExtraBlocks(), s.getUseNoise(), s.getConvClamp());
  }

  /** Channels at resolution {@code res}. */
  public int channels(int res) {
    return Math.min(channelBase / res, channelMax);
  }

  /**
   * Latents the network consumes (one per conv, plus the last ToRGB's):
   * {@code 2·log2(R) − 2 + 2·extra_blocks}.
   */
  public int numWs() {
    return 2 * Integer.numberOfTrailingZeros(resolution) - 2 + 2 * extraBlocks;
  }
}
