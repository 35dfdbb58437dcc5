package org.wild3d.render;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.nn.Activation;
import org.wild3d.nn.Dense;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Shapes;
import org.wild3d.tf.Slices;

/**
 * EG3D's triplane decoder (OSGDecoder): an MLP on the plane-averaged features with softplus hidden
 * layers and a linear output of {@code 1 + C} values — the raw density and the features, squashed
 * as {@code sigmoid(x)·(1 + 2·0.001) − 0.001} (the first 3 are RGB in [0, 1], slightly widened so
 * that 0 and 1 stay reachable).
 *
 * <p>Variables live in scope {@code <tf scope>/decoder}: {@code fc0 .. fc<L-1>} hidden layers and
 * {@code out}, each with {@code weight} and {@code bias}.
 *
 * <p>Shapes: {@code features [N,M,F]} → {@code sigmaRaw [N,M,1]}, {@code features [N,M,C]}.
 */
public final class Decoder {
  /** EG3D's widening of the sigmoid output. */
  static final float SIGMOID_MARGIN = 0.001f;

  private final int inFeatures;
  private final int outFeatures;
  private final List<Dense> layers = new ArrayList<>();
  private final Ops tf;

  /** Raw decoder outputs. Shapes: {@code sigmaRaw [N,M,1]}, {@code features [N,M,C]}. */
  public record Output(Operand<TFloat32> sigmaRaw, Operand<TFloat32> features) {}

  /**
   * @param inFeatures F, the triplane channels per plane
   * @param config hidden width/depth, C and the learning-rate multiplier
   */
  public Decoder(Ops tf, Params params, int inFeatures, org.wild3d.config.Decoder config) {
    checkArgument(inFeatures > 0, "decoder input features: expected > 0, found %s", inFeatures);
    checkArgument(
        config.getNumHiddenLayers() >= 0,
        "model.decoder.num_hidden_layers: expected >= 0, found %s",
        config.getNumHiddenLayers());
    checkArgument(
        config.getHiddenDim() > 0,
        "model.decoder.hidden_dim: expected > 0, found %s",
        config.getHiddenDim());
    checkArgument(
        config.getFeatureDim() >= 3,
        "model.decoder.feature_dim: expected >= 3 (RGB first), found %s",
        config.getFeatureDim());
    this.tf = tf.withSubScope("decoder");
    this.inFeatures = inFeatures;
    this.outFeatures = config.getFeatureDim();
    float lrMul = config.getLrMultiplier();
    int in = inFeatures;
    for (int i = 0; i < config.getNumHiddenLayers(); i++) {
      layers.add(
          new Dense(
              this.tf,
              params,
              "fc" + i,
              new Dense.Spec(in, config.getHiddenDim(), Activation.SOFTPLUS, lrMul, 0f, true)));
      in = config.getHiddenDim();
    }
    layers.add(
        new Dense(
            this.tf,
            params,
            "out",
            new Dense.Spec(in, 1 + outFeatures, Activation.LINEAR, lrMul, 0f, true)));
  }

  /** C: output feature channels. */
  public int featureChannels() {
    return outFeatures;
  }

  /** Shapes: {@code [N,M,F]} → {@code sigmaRaw [N,M,1]}, {@code features [N,M,C]}. */
  public Output apply(Operand<TFloat32> features) {
    Shapes.check("Decoder input [N,M,F]", features, -1, -1, inFeatures);
    int m = Shapes.dim(features, 1);
    Operand<TFloat32> x = tf.reshape(features, tf.constant(new int[] {-1, inFeatures})); // [N·M,F]
    for (Dense d : layers) {
      x = d.apply(x);
    }
    x = tf.reshape(x, tf.constant(new int[] {-1, m, 1 + outFeatures})); // [N,M,1+C]
    Operand<TFloat32> sigma = Slices.along(tf, x, 2, 0, 1); // [N,M,1]
    Operand<TFloat32> feat = Slices.along(tf, x, 2, 1, 1 + outFeatures); // [N,M,C]
    feat =
        tf.math.sub(
            tf.math.mul(tf.math.sigmoid(feat), tf.constant(1f + 2f * SIGMOID_MARGIN)),
            tf.constant(SIGMOID_MARGIN));
    return new Output(sigma, feat);
  }

  /** The layers' variables, in creation order. */
  public List<Param> trainables() {
    List<Param> out = new ArrayList<>();
    for (Dense d : layers) {
      out.add(d.weight());
      out.add(d.bias());
    }
    return out;
  }
}
