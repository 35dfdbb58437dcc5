package org.wild3d.config;

/**
 * What {@code model.decoder} means: EG3D's triplane decoder MLP, mean-of-planes features (F) →
 * raw density and C features, softplus hidden layers.
 *
 * @param inFeatures F, the triplane channels per plane ({@code model.triplane.channels}, checked by
 *     {@link TriplaneSpec})
 * @param hiddenDim width of each hidden layer (EG3D: 64)
 * @param numHiddenLayers hidden layers (EG3D: 1; the paper's change: deeper)
 * @param featureDim C, output features; the first 3 are RGB (EG3D: 32)
 * @param lrMultiplier learning-rate multiplier of the layers (EG3D: 1)
 */
public record DecoderSpec(
    int inFeatures, int hiddenDim, int numHiddenLayers, int featureDim, float lrMultiplier) {
  public DecoderSpec {
    FieldRules r = new FieldRules();
    r.atLeast("model.decoder.hidden_dim", hiddenDim, 1, "EG3D uses 64");
    r.atLeast("model.decoder.num_hidden_layers", numHiddenLayers, 1, "EG3D uses 1");
    r.atLeast("model.decoder.feature_dim", featureDim, 3,
        "the first 3 features are RGB; EG3D uses 32");
    r.positive("model.decoder.lr_multiplier", lrMultiplier, "EG3D uses 1");
    r.throwIfFailed();
  }

  /** The decoder of {@code d} on planes of {@code inFeatures} channels. */
  public static DecoderSpec from(Decoder d, int inFeatures) {
    return new DecoderSpec(inFeatures, d.getHiddenDim(), d.getNumHiddenLayers(),
        d.getFeatureDim(), d.getLrMultiplier());
  }
}
