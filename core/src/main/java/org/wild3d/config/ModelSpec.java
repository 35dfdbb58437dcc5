package org.wild3d.config;

/**
 * The architecture of an experiment ({@code model} and {@code render}) decided once: every part's
 * spec, valid by construction. This is what the generator and discriminator are built from, and
 * what a checkpoint's variables depend on ({@link Configs#architectureHash}).
 *
 * @param numClasses K ({@code model.num_classes}); 1 = unconditional
 * @param superres null when super-resolution is off
 */
public record ModelSpec(
    int numClasses,
    MappingSpec mapping,
    SynthesisSpec synthesis,
    TriplaneSpec triplane,
    DecoderSpec decoder,
    RenderSpec render,
    SuperResolutionSpec superres,
    MultiViewSpec multiview,
    DiscriminatorSpec discriminator) {
  public ModelSpec {
    FieldRules r = new FieldRules();
    own(r, numClasses);
    r.throwIfFailed();
  }

  /** The rules of {@code model}'s own fields (its parts check theirs). */
  private static void own(FieldRules r, int numClasses) {
    r.atLeast("model.num_classes", numClasses, 1,
        "1 = unconditional; else the number of classes in the dataset");
  }

  /**
   * The architecture of {@code e}. Every part is checked, each from its own message, so that a
   * config's problems are all reported together.
   *
   * @throws ConfigException (exit 3) listing every problem, each at its field path
   */
  public static ModelSpec from(Experiment e) {
    Model m = e.getModel();
    Render render = e.getRender();
    Triplane t = m.getTriplane();
    int k = m.getNumClasses();
    int wDim = m.getMapping().getWDim();
    FieldRules rules = new FieldRules();
    own(rules, k);
    MappingSpec mapping = rules.attempt(() -> MappingSpec.from(m.getMapping(), k));
    TriplaneSpec triplane = rules.attempt(() -> TriplaneSpec.from(t));
    SynthesisSpec synthesis = rules.attempt(() ->
        SynthesisSpec.from(m.getSynthesis(), t.getResolution(), 3 * t.getChannels(), wDim));
    DecoderSpec decoder = rules.attempt(() -> DecoderSpec.from(m.getDecoder(), t.getChannels()));
    RenderSpec rendering = rules.attempt(() -> RenderSpec.from(render));
    SuperResolutionSpec superres = rules.attempt(() -> SuperResolutionSpec.from(m.getSuperres(),
        render.getResolution(), m.getDecoder().getFeatureDim(), wDim,
        m.getSynthesis().getConvClamp()));
    MultiViewSpec multiview = rules.attempt(() -> MultiViewSpec.from(m.getMultiview()));
    boolean sr = m.getSuperres().getOutputResolution() != 0;
    int image = sr ? m.getSuperres().getOutputResolution() : render.getResolution();
    // D's own fields are checked even when the views are not (its spec is then dropped).
    MultiViewSpec views = multiview != null ? multiview : MultiViewSpec.single();
    DiscriminatorSpec disc = rules.attempt(() ->
        DiscriminatorSpec.from(m.getDiscriminator(), image, k, views, sr));
    rules.throwIfFailed();
    return new ModelSpec(k, mapping, synthesis, triplane, decoder, rendering, superres, multiview,
        disc);
  }

  /** Whether super-resolution is on. */
  public boolean hasSuperResolution() {
    return superres != null;
  }

  /** H = W of generated images: the super-resolution output, or the neural rendering's. */
  public int imageResolution() {
    return superres != null ? superres.outputResolution() : render.resolution();
  }

  /** Z, the latent size. */
  public int zDim() {
    return mapping.zDim();
  }

  /** Wd, the intermediate latent size. */
  public int wDim() {
    return mapping.wDim();
  }

  /** L, latents per scene (one per synthesis layer). */
  public int numWs() {
    return synthesis.numWs();
  }
}
