package org.wild3d.config;

/**
 * What {@code model.discriminator} means: StyleGAN2's ResNet discriminator with minibatch-std and
 * class projection, with EG3D's dual input and the paper's multi-view fusion.
 *
 * @param resolution R: the image resolution D sees (the super-resolution output if on, else the
 *     rendering; checked by {@link RenderSpec} and {@link SuperResolutionSpec})
 * @param imageChannels channels of one image (3 for RGB)
 * @param dual EG3D's dual input: the raw neural rendering is concatenated (2× channels)
 * @param multiview the views per scene and how D sees them
 * @param numClasses K; 1 = unconditional (no class mapping, out Dense to 1)
 * @param channelBase channels at resolution r are min(channelBase/r, channelMax)
 * @param channelMax see channelBase
 * @param mbstdGroupSize minibatch-std group size; 0 = off
 * @param mbstdChannels minibatch-std features F (a divisor of the 4×4 channels)
 * @param cmapDim projection size as configured; 0 = the 4×4 channels ({@link #cmapWidth})
 * @param mappingLayers lrelu layers of the class mapping
 * @param convClamp clamp of conv outputs; 0 = off (not in the config: D runs in float32)
 */
public record DiscriminatorSpec(
    int resolution,
    int imageChannels,
    boolean dual,
    MultiViewSpec multiview,
    int numClasses,
    int channelBase,
    int channelMax,
    int mbstdGroupSize,
    int mbstdChannels,
    int cmapDim,
    int mappingLayers,
    float convClamp) {
  public DiscriminatorSpec {
    FieldRules r = new FieldRules();
    boolean base = r.atLeast("model.discriminator.channel_base", channelBase, 1,
        "EG3D uses 32768");
    boolean max = r.atLeast("model.discriminator.channel_max", channelMax, 1, "EG3D uses 512");
    if (base && max && resolution > 0) {
      r.check(channelBase / resolution >= 1, "model.discriminator.channel_base",
          "at least the image resolution " + resolution
              + " (channels at resolution r are min(channel_base / r, channel_max))",
          channelBase, "otherwise the first discriminator block gets 0 channels");
    }
    if (r.atLeast("model.discriminator.mbstd_group_size", mbstdGroupSize, 0,
            "0 = off; EG3D uses 4")
        && mbstdGroupSize > 0
        && r.atLeast("model.discriminator.mbstd_channels", mbstdChannels, 1,
            "minibatch-std is on (mbstd_group_size > 0); StyleGAN uses 1")
        && base && max) {
      int c4 = Math.min(channelBase / 4, channelMax);
      r.check(c4 % mbstdChannels == 0, "model.discriminator.mbstd_channels",
          "a divisor of the discriminator's 4x4 channels min(channel_base / 4, channel_max) = "
              + c4, mbstdChannels, "minibatch-std splits those channels into mbstd_channels groups");
    }
    r.atLeast("model.discriminator.cmap_dim", cmapDim, 0, "0 = the last block's channels");
    r.atLeast("model.discriminator.mapping_layers", mappingLayers, 0, "StyleGAN2-ADA uses 8");
    r.throwIfFailed();
  }

  /**
   * The discriminator of an experiment.
   *
   * @param resolution resolution of the images D sees (the SR output if on, else the rendering)
   * @param dual true when super-resolution is on (EG3D's dual discriminator)
   */
  public static DiscriminatorSpec from(Discriminator d, int resolution, int numClasses,
      MultiViewSpec multiview, boolean dual) {
    return new DiscriminatorSpec(resolution, 3, dual, multiview, numClasses, d.getChannelBase(),
        d.getChannelMax(), d.getMbstdGroupSize(), d.getMbstdChannels(), d.getCmapDim(),
        d.getMappingLayers(), 0f);
  }

  /** Projection size: 0 for one class, else {@code cmapDim}, or the 4×4 channels when it is 0. */
  public int cmapWidth() {
    return numClasses <= 1 ? 0 : cmapDim == 0 ? channels(4) : cmapDim;
  }

  /** Channels of D's input: image channels, ×2 with dual input, ×V when STACKED. */
  public int inputChannels() {
    return imageChannels * (dual ? 2 : 1) * (stacked() ? multiview.views() : 1);
  }

  /** True when views are stacked along channels. */
  public boolean stacked() {
    return multiview.stacked();
  }

  /** V, views per scene. */
  public int views() {
    return multiview.views();
  }

  /** Feature channels at resolution {@code r}. */
  public int channels(int r) {
    return Math.min(channelBase / r, channelMax);
  }
}
