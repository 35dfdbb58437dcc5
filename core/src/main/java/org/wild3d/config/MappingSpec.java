package org.wild3d.config;

/**
 * What {@code model.mapping} means: StyleGAN2's mapping network z (+ class embedding) → w.
 *
 * @param zDim Z, the latent size
 * @param wDim Wd, the intermediate latent size
 * @param embedDim class embedding size as configured; 0 = {@code wDim} ({@link #embedWidth})
 * @param numLayers fully connected layers after the concatenation
 * @param lrMultiplier learning-rate multiplier of those layers (EG3D 0.01)
 * @param wAvgBeta decay of w_avg; 1 = never moves
 * @param numClasses K; 1 = unconditional ({@code model.num_classes}, checked by {@link ModelSpec})
 */
public record MappingSpec(
    int zDim,
    int wDim,
    int embedDim,
    int numLayers,
    float lrMultiplier,
    float wAvgBeta,
    int numClasses) {
  public MappingSpec {
    FieldRules r = new FieldRules();
    r.atLeast("model.mapping.z_dim", zDim, 1, "EG3D uses 512");
    r.atLeast("model.mapping.w_dim", wDim, 1, "EG3D uses 512");
    r.atLeast("model.mapping.embed_dim", embedDim, 0, "0 = w_dim");
    r.atLeast("model.mapping.num_layers", numLayers, 1, "EG3D uses 2");
    r.positive("model.mapping.lr_multiplier", lrMultiplier, "EG3D uses 0.01");
    r.check(wAvgBeta >= 0 && wAvgBeta <= 1, "model.mapping.w_avg_beta", "a value in [0, 1]",
        wAvgBeta, "1 = w_avg never updated; StyleGAN uses 0.995");
    r.throwIfFailed();
  }

  /** The spec of {@code m} for K = {@code numClasses}. */
  public static MappingSpec from(Mapping m, int numClasses) {
    return new MappingSpec(m.getZDim(), m.getWDim(), m.getEmbedDim(), m.getNumLayers(),
        m.getLrMultiplier(), m.getWAvgBeta(), numClasses);
  }

  /** Width of the class embedding: {@code embedDim}, or {@code wDim} when it is 0. */
  public int embedWidth() {
    return embedDim == 0 ? wDim : embedDim;
  }

  /** True when the class path exists (K > 1). */
  public boolean conditional() {
    return numClasses > 1;
  }
}
